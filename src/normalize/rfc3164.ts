/**
 * BSD syslog (RFC 3164) as found in the wild: `[<PRI>]TIMESTAMP [HOSTNAME] TAG[PID]: MSG`.
 *
 * Accepted TIMESTAMPs: `Mmm dd hh:mm:ss` (day space-padded or not, optional `.fraction`, optional
 * year before the time: `Mmm dd yyyy hh:mm:ss`), and rsyslog's high-precision ISO 8601
 * (`2024-05-01T12:00:00.123456+02:00`, RSYSLOG_FileFormat / RSYSLOG_ForwardFormat).
 *
 * Year and zone: the classic timestamp has neither. The year is the one that puts the time
 * closest to ctx.receivedAt (so a `Dec 31 23:59:59` line received on Jan 1 belongs to the previous
 * year, and a `Jan 1` line received late on Dec 31 — a sender with a fast clock — to the next).
 * The zone is UTC unless `opts.timeZone` says otherwise (an offset or an IANA name); ISO
 * timestamps carry their own offset.
 *
 * HOSTNAME is optional: messages written to a local socket (`logger` without `-n`) have none, so
 * a first token that ends in `:` or looks like `tag[pid]:` is taken as the TAG. TAG runs up to `[`,
 * `:` or a space; `[PID]` is optional; the `:` after it is required for the TAG to count — without
 * it the whole rest is MSG (RFC 3164 §4.1.3 says the same). A line with a PRI but no valid
 * TIMESTAMP is all MSG (§4.3.3). Tags like `sshd(pam_unix)` give process.name `sshd`.
 */
import type { NormalizeContext, NormalizedEvent } from '../core/index.ts';
import { err, ok, type Result } from '../core/index.ts';
import { applyHeader, readPri } from './syslog.ts';
import { monthIndex, parseIso8601, wallClockToMs, type Zone } from './time.ts';
import {
  finish, optionZone, q, receivedMs, skeleton, stripBom, type Draft, type NormalizeOptions,
} from './util.ts';

// Sticky: matched at a position, no substring allocation. Fixed-width pieces only, no nesting.
const BSD_TS = /([A-Z][a-z]{2}) {1,2}(\d{1,2}) (?:(\d{4}) )?(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?= |$)/y;
const ISO_TS = /(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})?)(?= |$)/y;

export interface Rfc3164Message {
  priority: number | null;
  /** Epoch ms from the header, or null when there was none (or it was invalid). */
  timeMs: number | null;
  hostname: string | null;
  tag: string | null;
  pid: string | null;
  message: string;
  warnings: string[];
}

/** True when `s` starts with something we can read as a BSD syslog header. */
export function looksLikeRfc3164(s: string): boolean {
  const p = readPri(s);
  if (p) return true;
  BSD_TS.lastIndex = 0;
  if (BSD_TS.test(s)) return true;
  ISO_TS.lastIndex = 0;
  return ISO_TS.test(s);
}

/** Parse a BSD syslog line; fails only when there is neither a PRI nor a timestamp. */
export function parseRfc3164(s: string, refMs: number, zone: Zone): Result<Rfc3164Message, string> {
  const warnings: string[] = [];
  const pri = readPri(s);
  let pos = pri ? pri[1] : 0;
  let timeMs: number | null = null;
  let sawTime = false;

  BSD_TS.lastIndex = pos;
  let m = BSD_TS.exec(s);
  if (m) {
    sawTime = true;
    const mo = monthIndex(m[1]);
    const f = m[7];
    const ms = f ? (f.length >= 3 ? +f.slice(0, 3) : +f * (f.length === 1 ? 100 : 10)) : 0;
    timeMs = mo < 0 ? null : wallClockToMs(m[3] ? +m[3] : null, mo, +m[2], +m[4], +m[5], +m[6], ms, refMs, zone);
    if (timeMs === null) warnings.push(`syslog.timestamp: not a valid date: ${q(m[0])}`);
    pos = BSD_TS.lastIndex;
  } else {
    ISO_TS.lastIndex = pos;
    m = ISO_TS.exec(s);
    if (m) {
      sawTime = true;
      timeMs = parseIso8601(m[1]);
      if (timeMs === null) warnings.push(`syslog.timestamp: not a valid date: ${q(m[1])}`);
      pos = ISO_TS.lastIndex;
    }
  }
  if (!sawTime) {
    if (!pri) return err('syslog: neither <PRI> nor a timestamp');
    // §4.3.3: no valid TIMESTAMP → everything after PRI is MSG.
    return ok({ priority: pri[0], timeMs: null, hostname: null, tag: null, pid: null, message: stripBom(s.slice(pos)), warnings });
  }

  while (s.charCodeAt(pos) === 32) pos++;
  let hostname: string | null = null;
  let tag: string | null = null;
  let pid: string | null = null;

  // First token: HOSTNAME unless it already looks like a TAG.
  let end = s.indexOf(' ', pos);
  if (end < 0) end = s.length;
  if (end > pos && !isTagToken(s, pos, end) && !startsWithCefOrLeef(s, pos)) {
    hostname = s.slice(pos, end);
    pos = end;
    while (s.charCodeAt(pos) === 32) pos++;
  }

  // TAG[PID]: (a CEF/LEEF payload right after the header has no tag)
  if (!startsWithCefOrLeef(s, pos)) {
    let i = pos;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c === 91 || c === 58 || c === 32) break;
      i++;
    }
    if (i > pos && i < s.length) {
      let j = i;
      let p: string | null = null;
      if (s.charCodeAt(i) === 91) {
        const close = s.indexOf(']', i + 1);
        if (close > i && close - i <= 24) {
          p = s.slice(i + 1, close);
          j = close + 1;
        }
      }
      if (s.charCodeAt(j) === 58) {
        tag = s.slice(pos, i);
        pid = p;
        pos = j + 1;
        if (s.charCodeAt(pos) === 32) pos++;
      }
    }
  }
  return ok({ priority: pri ? pri[0] : null, timeMs, hostname, tag, pid, message: stripBom(s.slice(pos)), warnings });
}

/** `tag:` / `tag[pid]:` / `tag[pid]` — a token that cannot be a hostname. */
function isTagToken(s: string, start: number, end: number): boolean {
  const last = s.charCodeAt(end - 1);
  if (last === 58) return true; // "myapp:"
  if (last === 93) return s.indexOf('[', start) > start && s.indexOf('[', start) < end; // "myapp[12]"
  return false;
}

function startsWithCefOrLeef(s: string, pos: number): boolean {
  return s.startsWith('CEF:', pos) || s.startsWith('LEEF:', pos);
}

/** The draft event for a BSD syslog line. */
export function rfc3164Draft(text: string, ctx: NormalizeContext, opts?: NormalizeOptions): Result<Draft, string> {
  const r = parseRfc3164(text, receivedMs(ctx), optionZone(opts));
  if (!r.ok) return r;
  const m = r.value;
  const ev = skeleton(m.timeMs ?? receivedMs(ctx));
  applyHeader(ev, { priority: m.priority, hostname: m.hostname, appname: m.tag, procid: m.pid });
  ev.message = m.message;
  return ok({ ev, warnings: m.warnings, hasTime: m.timeMs !== null });
}

/** BSD syslog line → event (no CEF/LEEF/auth parsing of MSG; `normalizeRecord` adds that). */
export function normalizeRfc3164(text: string, ctx: NormalizeContext, opts?: NormalizeOptions): Result<NormalizedEvent, string> {
  const d = rfc3164Draft(text, ctx, opts);
  if (!d.ok) return d;
  return ok(finish(d.value.ev, d.value.warnings, text));
}
