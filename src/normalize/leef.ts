/**
 * IBM QRadar LEEF 1.0 and 2.0.
 *
 *   LEEF:1.0|Vendor|Product|Version|EventID|key=value<TAB>key=value...
 *   LEEF:2.0|Vendor|Product|Version|EventID|DelimiterCharacter|key=value<DELIM>key=value...
 *
 * The 2.0 delimiter field is optional (default tab) and is one character (`^`) or its hex code
 * (`x5E`, `0x5e`, `x09`). An attribute piece without `=` belongs to the previous value (the
 * delimiter occurred inside it). A LEEF 1.0 line whose attributes contain no tab at all (a common
 * sender bug: spaces instead of tabs) is split the CEF way, keys found by `key=`.
 *
 * ECS: observer.vendor / product / version, event.code = EventID; src / dst → source /
 * destination.ip, srcPort / dstPort → ports, srcPostNAT / dstPostNAT (+Port) → *.nat.*,
 * srcMAC / dstMAC, srcBytes / dstBytes / srcPackets / dstPackets, usrName → user.name,
 * devTime (with devTimeFormat, a Java SimpleDateFormat pattern; without it epoch ms or any date
 * `parseTimestamp` reads) → @timestamp, sev → event.severity (1-10), proto → network.transport
 * (IANA numbers translated: 6 → tcp), url → url.original, msg → message. `cat` is the vendor's
 * category, which ECS has no free-form field for (event.category has fixed values): it is kept
 * as `leef.category`. Every attribute stays, raw, under `leef.attributes`.
 */
import type { NormalizeContext, NormalizedEvent } from '../core/index.ts';
import { err, ok, type Result } from '../core/index.ts';
import { cefSeverity, scanKeyValues, splitHeader } from './cef.ts';
import { monthIndex, parseTimestamp, parseZone, wallClockToMs, type Zone } from './time.ts';
import {
  finish, getOwn, merge, optionZone, q, receivedMs, setOwn, setPath, skeleton, toInt, toIp, toPort,
  type Draft, type NormalizeOptions, type Obj,
} from './util.ts';

export interface LeefMessage {
  version: string;
  vendor: string;
  product: string;
  productVersion: string;
  eventId: string;
  delimiter: string;
  attributes: Record<string, string>;
}

const HEX_DELIM = /^(?:0?[xX])([0-9a-fA-F]{1,4})$/;

/** The LEEF 2.0 delimiter from its header field, or null when the field is not a delimiter spec. */
function delimiterOf(field: string): string | null {
  if (field.length === 1) return field;
  if (field.length === 0) return '\t';
  if (field === '\\t') return '\t';
  const m = HEX_DELIM.exec(field);
  if (m) {
    const code = parseInt(m[1], 16);
    return code > 0 ? String.fromCharCode(code) : null;
  }
  return null;
}

export function isLeef(s: string, at = 0): boolean {
  return s.startsWith('LEEF:', at) && s.charCodeAt(at + 5) >= 48 && s.charCodeAt(at + 5) <= 57;
}

/** Parse a LEEF line (it must start with `LEEF:`). */
export function parseLeef(s: string): Result<LeefMessage, string> {
  if (!s.startsWith('LEEF:')) return err("leef: does not start with 'LEEF:'");
  const h = splitHeader(s, 5, 5);
  if (!h) return err('leef: header needs 5 |-separated fields');
  const [version, vendor, product, productVersion, eventId] = h.fields;
  let pos = h.end;
  let delimiter = '\t';
  if (version.trim().startsWith('2')) {
    if (s.startsWith('||', pos)) {
      delimiter = '|';
      pos += 2;
    } else {
      const bar = s.indexOf('|', pos);
      if (bar >= 0 && bar - pos <= 8) {
        const d = delimiterOf(s.slice(pos, bar));
        if (d !== null) {
          delimiter = d;
          pos = bar + 1;
        }
      }
    }
  }
  const attributes: Record<string, string> = {};
  const text = s.slice(pos);
  if (text.length > 0) {
    if (delimiter === '\t' && !text.includes('\t') && text.includes(' ')) {
      for (const [k, v] of scanKeyValues(text, false).pairs) setOwn(attributes, k, v);
    } else {
      let last: string | null = null;
      let start = 0;
      for (;;) {
        let end = text.indexOf(delimiter, start);
        if (end < 0) end = text.length;
        const piece = text.slice(start, end);
        const eq = piece.indexOf('=');
        if (eq > 0) {
          last = piece.slice(0, eq).trim();
          setOwn(attributes, last, piece.slice(eq + 1));
        } else if (last !== null && piece.length > 0) {
          setOwn(attributes, last, attributes[last] + delimiter + piece);
        }
        if (end >= text.length) break;
        start = end + delimiter.length;
      }
    }
  }
  return ok({ version: version.trim(), vendor, product, productVersion, eventId, delimiter, attributes });
}

// ---------------------------------------------------------------------------------------------
// devTimeFormat: Java SimpleDateFormat → a compiled matcher (cached).

type Part = 'y' | 'M' | 'MMM' | 'd' | 'H' | 'h' | 'a' | 'm' | 's' | 'S' | 'z' | 'skip';
interface Compiled { re: RegExp; parts: Part[] }
const formatCache = new Map<string, Compiled | null>();

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Compile a SimpleDateFormat pattern; null when it uses letters we do not support. */
export function compileJavaDateFormat(fmt: string): Compiled | null {
  const hit = formatCache.get(fmt);
  if (hit !== undefined) return hit;
  let re = '^';
  const parts: Part[] = [];
  let ok = fmt.length > 0 && fmt.length <= 64;
  for (let i = 0; ok && i < fmt.length; ) {
    const c = fmt[i];
    if (c === "'") {
      const close = fmt.indexOf("'", i + 1);
      if (close < 0) { ok = false; break; }
      re += close === i + 1 ? "'" : escapeRe(fmt.slice(i + 1, close));
      i = close + 1;
      continue;
    }
    let n = 1;
    while (fmt[i + n] === c) n++;
    i += n;
    switch (c) {
      case 'y': re += n === 2 ? '(\\d{2})' : '(\\d{4})'; parts.push('y'); break;
      case 'M':
        if (n >= 3) { re += n === 3 ? '([A-Za-z]{3})' : '([A-Za-z]{3,9})'; parts.push('MMM'); }
        else { re += n === 2 ? '(\\d{2})' : '(\\d{1,2})'; parts.push('M'); }
        break;
      case 'd': re += n === 2 ? '(\\d{2})' : '(\\d{1,2})'; parts.push('d'); break;
      case 'H': re += n === 2 ? '(\\d{2})' : '(\\d{1,2})'; parts.push('H'); break;
      case 'h': re += n === 2 ? '(\\d{2})' : '(\\d{1,2})'; parts.push('h'); break;
      case 'm': re += n === 2 ? '(\\d{2})' : '(\\d{1,2})'; parts.push('m'); break;
      case 's': re += n === 2 ? '(\\d{2})' : '(\\d{1,2})'; parts.push('s'); break;
      case 'S': re += `(\\d{1,${Math.min(Math.max(n, 3), 9)}})`; parts.push('S'); break;
      case 'a': re += '([AaPp][Mm])'; parts.push('a'); break;
      case 'E': re += '(?:[A-Za-z]{3,9})'; break;
      case 'z': case 'Z': case 'X':
        re += '(Z|[A-Za-z]{1,5}(?:[+-]\\d{1,2}(?::?\\d{2})?)?|[+-]\\d{2}(?::?\\d{2})?)';
        parts.push('z');
        break;
      default:
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) ok = false;
        else re += escapeRe(c.repeat(n));
    }
  }
  const compiled = ok ? { re: new RegExp(re + '$'), parts } : null;
  if (formatCache.size > 64) formatCache.clear();
  formatCache.set(fmt, compiled);
  return compiled;
}

/** Zone text from a SimpleDateFormat `z`/`Z`/`X` field: `UTC`, `+0200`, `GMT+02:00`. */
function zoneFromText(t: string): Zone | null {
  const direct = parseZone(t);
  if (direct) return direct;
  if (t.length > 3 && (t.startsWith('GMT') || t.startsWith('UTC'))) {
    let off = t.slice(3);
    // "GMT+2" → "+02"
    if (/^[+-]\d$/.test(off)) off = off[0] + '0' + off[1];
    return parseZone(off);
  }
  return null;
}

/** Parse `value` with a SimpleDateFormat pattern; null when it does not match. */
export function parseWithJavaFormat(value: string, fmt: string, refMs: number, zone: Zone): number | null {
  const c = compileJavaDateFormat(fmt);
  if (!c) return null;
  const m = c.re.exec(value);
  if (!m) return null;
  let y: number | null = null, mo = 0, d = 1, h = 0, mi = 0, s = 0, ms = 0;
  let pm: boolean | null = null;
  let z = zone;
  for (let i = 0; i < c.parts.length; i++) {
    const v = m[i + 1];
    switch (c.parts[i]) {
      case 'y': y = v.length === 2 ? 2000 + +v : +v; break;
      case 'M': mo = +v - 1; break;
      case 'MMM': mo = monthIndex(v.slice(0, 3)); break;
      case 'd': d = +v; break;
      case 'H': h = +v; break;
      case 'h': h = +v % 12; break;
      case 'a': pm = v.toLowerCase() === 'pm'; break;
      case 'm': mi = +v; break;
      case 's': s = +v; break;
      case 'S': ms = +(v + '00').slice(0, 3); break;
      case 'z': {
        const zz = zoneFromText(v);
        if (!zz) return null;
        z = zz;
        break;
      }
    }
  }
  if (pm) h += 12;
  if (mo < 0) return null;
  return wallClockToMs(y, mo, d, h, mi, s, ms, refMs, z);
}

const IANA_TRANSPORT: Record<string, string> = { '1': 'icmp', '6': 'tcp', '17': 'udp', '47': 'gre', '50': 'esp', '58': 'ipv6-icmp', '132': 'sctp' };

type Kind = 'ip' | 'port' | 'int' | 'str';
const MAP = new Map<string, [string, Kind]>(Object.entries({
  src: ['source.ip', 'ip'], dst: ['destination.ip', 'ip'],
  srcPort: ['source.port', 'port'], dstPort: ['destination.port', 'port'],
  srcPostNAT: ['source.nat.ip', 'ip'], dstPostNAT: ['destination.nat.ip', 'ip'],
  srcPostNATPort: ['source.nat.port', 'port'], dstPostNATPort: ['destination.nat.port', 'port'],
  srcMAC: ['source.mac', 'str'], dstMAC: ['destination.mac', 'str'],
  srcBytes: ['source.bytes', 'int'], dstBytes: ['destination.bytes', 'int'],
  srcPackets: ['source.packets', 'int'], dstPackets: ['destination.packets', 'int'],
  totalPackets: ['network.packets', 'int'],
  usrName: ['user.name', 'str'], accountName: ['user.name', 'str'],
  domain: ['user.domain', 'str'],
  url: ['url.original', 'str'],
  msg: ['message', 'str'],
}) as [string, [string, Kind]][]);

/** ECS fields for a LEEF message, to merge into an event. */
export function leefFields(l: LeefMessage, refMs: number, zone: Zone, warnings: string[]): { fields: Obj; timeMs: number | null } {
  const f: Obj = {};
  const event: Obj = { code: l.eventId };
  f.event = event;
  const observer: Obj = {};
  if (l.vendor) observer.vendor = l.vendor;
  if (l.product) observer.product = l.product;
  if (l.productVersion) observer.version = l.productVersion;
  f.observer = observer;
  const a = l.attributes;
  for (const k of Object.keys(a)) {
    const v = a[k];
    const m = v.length === 0 ? undefined : MAP.get(k);
    if (m === undefined) continue;
    const [path, kind] = m;
    const val = kind === 'str' ? v : kind === 'ip' ? toIp(v) : kind === 'port' ? toPort(v) : toInt(v);
    if (val === null) warnings.push(`leef.${k}: not a valid ${kind}: ${q(v)}`);
    else setPath(f, path, val);
  }
  const sev = getOwn(a, 'sev');
  if (typeof sev === 'string' && sev.length > 0) {
    const n = cefSeverity(sev);
    if (n !== null) event.severity = n;
    else warnings.push(`leef.sev: not 1-10: ${q(sev)}`);
  }
  const proto = getOwn(a, 'proto');
  if (typeof proto === 'string' && proto.length > 0) {
    const lower = proto.toLowerCase();
    if (Object.hasOwn(IANA_TRANSPORT, lower)) {
      setPath(f, 'network.transport', IANA_TRANSPORT[lower]);
      setPath(f, 'network.iana_number', lower);
    } else setPath(f, 'network.transport', lower);
  }
  let timeMs: number | null = null;
  const devTime = getOwn(a, 'devTime');
  if (typeof devTime === 'string' && devTime.length > 0) {
    const fmt = getOwn(a, 'devTimeFormat');
    timeMs = typeof fmt === 'string' && fmt.length > 0
      ? parseWithJavaFormat(devTime, fmt, refMs, zone)
      : parseTimestamp(devTime, refMs, zone);
    if (timeMs === null) {
      warnings.push(`leef.devTime: not a valid date${typeof fmt === 'string' && fmt ? ` for format ${q(fmt)}` : ''}: ${q(devTime)}`);
    }
  }
  const leef: Obj = { version: l.version, attributes: a };
  const cat = getOwn(a, 'cat');
  if (typeof cat === 'string' && cat.length > 0) leef.category = cat;
  if (l.delimiter !== '\t') leef.delimiter = l.delimiter;
  f.leef = leef;
  return { fields: f, timeMs };
}

/** Draft for a bare LEEF line; message is the `msg` attribute, else the line. */
export function leefDraft(text: string, ctx: NormalizeContext, opts?: NormalizeOptions): Result<Draft, string> {
  const r = parseLeef(text);
  if (!r.ok) return r;
  const warnings: string[] = [];
  const { fields, timeMs } = leefFields(r.value, receivedMs(ctx), optionZone(opts), warnings);
  const ev = skeleton(timeMs ?? receivedMs(ctx));
  ev.message = text;
  merge(ev, fields, false);
  return ok({ ev, warnings, hasTime: timeMs !== null });
}

/** A bare LEEF line → event. */
export function normalizeLeef(text: string, ctx: NormalizeContext, opts?: NormalizeOptions): Result<NormalizedEvent, string> {
  const d = leefDraft(text, ctx, opts);
  if (!d.ok) return d;
  return ok(finish(d.value.ev, d.value.warnings, text));
}
