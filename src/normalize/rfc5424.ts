/**
 * RFC 5424 syslog: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]`.
 *
 * ECS: PRI → log.syslog.priority / facility / severity and event.severity (the severity code);
 * HOSTNAME → host.name + log.syslog.hostname; APP-NAME → process.name + log.syslog.appname;
 * PROCID → log.syslog.procid and process.pid when numeric; MSGID → log.syslog.msgid;
 * STRUCTURED-DATA → log.syslog.structured_data { SD-ID: { PARAM: value | value[] } } (a repeated
 * PARAM-NAME becomes an array, as §6.3.3 allows repeats); MSG → message without a UTF-8 BOM.
 * NILVALUE `-` leaves a field out. The TIMESTAMP carries its own offset, so it is exact; `-` means
 * ctx.receivedAt. The parser is a single left-to-right scan (no regex on the user data).
 */
import type { NormalizeContext, NormalizedEvent } from '../core/index.ts';
import { err, ok, type Result } from '../core/index.ts';
import { applyHeader, readPri } from './syslog.ts';
import { parseIso8601 } from './time.ts';
import { finish, getOwn, q, receivedMs, setOwn, skeleton, stripBom, type Draft, type Obj } from './util.ts';

/** True when `s` starts like an RFC 5424 message: `<PRI>1 `. */
export function looksLikeRfc5424(s: string): boolean {
  const p = readPri(s);
  if (!p) return false;
  const i = p[1];
  return s.charCodeAt(i) === 49 && s.charCodeAt(i + 1) === 32;
}

export interface Rfc5424Message {
  priority: number;
  version: string;
  /** Raw TIMESTAMP, or null for NILVALUE. */
  timestamp: string | null;
  hostname: string | null;
  appname: string | null;
  procid: string | null;
  msgid: string | null;
  structuredData: Obj | null;
  message: string | null;
  /** Problems that did not stop parsing. */
  warnings: string[];
}

/** Parse the syntax (no time conversion). Fails only when the line is not RFC 5424 at all. */
export function parseRfc5424(s: string): Result<Rfc5424Message, string> {
  const pri = readPri(s);
  if (!pri) return err('syslog: missing or invalid <PRI>');
  let pos = pri[1];
  const vStart = pos;
  while (pos < s.length && pos - vStart < 3) {
    const c = s.charCodeAt(pos);
    if (c < 48 || c > 57) break;
    pos++;
  }
  if (pos === vStart || s.charCodeAt(pos) !== 32) return err('syslog: missing VERSION after <PRI>');
  const version = s.slice(vStart, pos);
  const warnings: string[] = [];
  if (version !== '1') warnings.push(`syslog.version: unknown version ${q(version)}`);

  // TIMESTAMP HOSTNAME APP-NAME PROCID MSGID, each up to the next space.
  const fields: (string | null)[] = [null, null, null, null, null];
  const names = ['timestamp', 'hostname', 'app-name', 'procid', 'msgid'];
  for (let f = 0; f < 5; f++) {
    while (s.charCodeAt(pos) === 32) pos++;
    if (pos >= s.length) {
      warnings.push(`syslog: header ends before ${names[f].toUpperCase()}`);
      break;
    }
    let end = s.indexOf(' ', pos);
    if (end < 0) end = s.length;
    const tok = s.slice(pos, end);
    fields[f] = tok === '-' ? null : tok;
    pos = end;
  }

  let structuredData: Obj | null = null;
  let message: string | null = null;
  if (pos < s.length) {
    pos++; // the SP before STRUCTURED-DATA
    const c = s.charCodeAt(pos);
    if (c === 45 && (pos + 1 >= s.length || s.charCodeAt(pos + 1) === 32)) {
      pos += 1;
    } else if (c === 91) {
      const sd = parseStructuredData(s, pos);
      if (typeof sd === 'string') {
        warnings.push(sd);
      } else {
        structuredData = sd.data;
        pos = sd.end;
      }
    } else if (pos < s.length) {
      warnings.push(`syslog.structured_data: expected '[' or '-' at offset ${pos}`);
      pos--; // no SD: what follows is MSG
    }
    if (pos < s.length) {
      // SP then MSG; a malformed SD leaves `pos` at its '[' and the whole rest becomes MSG.
      if (s.charCodeAt(pos) === 32) pos++;
      message = stripBom(s.slice(pos));
    }
  }
  return ok({
    priority: pri[0], version, timestamp: fields[0], hostname: fields[1], appname: fields[2],
    procid: fields[3], msgid: fields[4], structuredData, message, warnings,
  });
}

/**
 * STRUCTURED-DATA starting at s[start] === '['. Returns the data and the index after the last
 * ']', or a warning string when malformed.
 */
export function parseStructuredData(s: string, start: number): { data: Obj; end: number } | string {
  const data: Obj = {};
  let pos = start;
  const bad = (what: string): string => `syslog.structured_data: ${what} at offset ${pos}`;
  while (pos < s.length && s.charCodeAt(pos) === 91) {
    pos++;
    const idStart = pos;
    while (pos < s.length) {
      const c = s.charCodeAt(pos);
      if (c === 32 || c === 93 || c === 61 || c === 34) break;
      pos++;
    }
    if (pos === idStart) return bad('empty SD-ID');
    if (pos >= s.length) return bad('unterminated element');
    const id = s.slice(idStart, pos);
    let params = getOwn(data, id) as Obj | undefined;
    if (params === undefined) {
      params = {};
      setOwn(data, id, params);
    }
    for (;;) {
      const c = s.charCodeAt(pos);
      if (c === 93) {
        pos++;
        break;
      }
      if (c !== 32) return bad(pos >= s.length ? 'unterminated element' : 'expected SP or ]');
      while (s.charCodeAt(pos) === 32) pos++;
      if (s.charCodeAt(pos) === 93) continue; // tolerate "[id ]"
      const nameStart = pos;
      while (pos < s.length) {
        const d = s.charCodeAt(pos);
        if (d === 61 || d === 32 || d === 93 || d === 34) break;
        pos++;
      }
      if (pos === nameStart) return bad('empty PARAM-NAME');
      if (s.charCodeAt(pos) !== 61 || s.charCodeAt(pos + 1) !== 34) return bad("expected '=\"'");
      const name = s.slice(nameStart, pos);
      pos += 2;
      // PARAM-VALUE: '\"', '\\' and '\]' are escapes; a backslash before anything else is literal.
      let value = '';
      let chunk = pos;
      for (;;) {
        if (pos >= s.length) return bad('unterminated PARAM-VALUE');
        const d = s.charCodeAt(pos);
        if (d === 34) break;
        if (d === 92) {
          const e = s.charCodeAt(pos + 1);
          if (e === 34 || e === 92 || e === 93) {
            value += s.slice(chunk, pos);
            chunk = pos + 1; // keep the escaped char, drop the backslash
            pos += 2;
            continue;
          }
        }
        pos++;
      }
      value += s.slice(chunk, pos);
      pos++; // closing quote
      const prev = getOwn(params, name);
      if (prev === undefined) setOwn(params, name, value);
      else if (Array.isArray(prev)) prev.push(value);
      else setOwn(params, name, [prev as string, value]);
    }
  }
  return { data, end: pos };
}

/**
 * The draft event for an RFC 5424 line: header mapped, time resolved, message set. Fails only
 * when the line is not RFC 5424.
 */
export function rfc5424Draft(text: string, ctx: NormalizeContext): Result<Draft, string> {
  const r = parseRfc5424(text);
  if (!r.ok) return r;
  const m = r.value;
  const warnings = m.warnings;
  let ts: number | null = null;
  if (m.timestamp !== null) {
    ts = parseIso8601(m.timestamp);
    if (ts === null) warnings.push(`syslog.timestamp: not a valid date: ${q(m.timestamp)}`);
  }
  const ev = skeleton(ts ?? receivedMs(ctx));
  applyHeader(ev, {
    priority: m.priority, version: m.version, hostname: m.hostname, appname: m.appname,
    procid: m.procid, msgid: m.msgid, structuredData: m.structuredData,
  });
  if (m.message !== null) ev.message = m.message;
  return ok({ ev, warnings, hasTime: ts !== null });
}

/** RFC 5424 line → event (no CEF/LEEF/auth parsing of MSG; `normalizeRecord` adds that). */
export function normalizeRfc5424(text: string, ctx: NormalizeContext): Result<NormalizedEvent, string> {
  const d = rfc5424Draft(text, ctx);
  if (!d.ok) return d;
  return ok(finish(d.value.ev, d.value.warnings, text));
}
