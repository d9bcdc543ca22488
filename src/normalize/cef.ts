/**
 * ArcSight CEF: `CEF:Version|Device Vendor|Device Product|Device Version|Signature ID|Name|Severity|Extension`.
 *
 * Header fields unescape `\|` and `\\`. Extension is `key=value` pairs separated by spaces where
 * values may contain spaces: a key is a run of key characters right after a space (or at the
 * start) and right before an unescaped `=`; everything up to the next key is the value. Values
 * unescape `\=`, `\\`, `\n`, `\r` (and `\|`, which some senders emit); any other backslash is kept.
 * One linear scan finds the unescaped `=` signs; each looks back only to the previous one.
 *
 * ECS: observer.vendor / product / version; event.code = Signature ID; event.action = `act`, else
 * Name; message = `msg`, else Name; event.severity = Severity (0-10; Low → 3, Medium → 6,
 * High → 8, Very-High → 10, the top of each ArcSight band; Unknown leaves it out). Known extension
 * keys (short or full names) map to ECS (table below): src/dst → source/destination.ip, spt/dpt →
 * ports, shost/dhost → .domain, suser/duser → source/destination.user.name (and user.name = suser,
 * else duser), rt → @timestamp, start/end → event.start/end, request → url.original, fname,
 * filePath, fsize, fileHash (algorithm from its length) → file.*, proto → network.transport, ...
 * Every extension stays, raw, under `cef.extensions`; labelled custom fields (cs1 + cs1Label, cn2 +
 * cn2Label, any `X` with an `XLabel`) are also under `cef.custom` keyed by their label. `cat` is a
 * vendor category, not an ECS one: it stays in cef.extensions only.
 */
import type { NormalizeContext, NormalizedEvent } from '../core/index.ts';
import { err, ok, type Result } from '../core/index.ts';
import { parseTimestamp, toIso, type Zone } from './time.ts';
import {
  finish, getOwn, merge, optionZone, q, receivedMs, setOwn, setPath, skeleton, toInt, toIp, toPort,
  type Draft, type NormalizeOptions, type Obj,
} from './util.ts';

export interface CefMessage {
  version: string;
  vendor: string;
  product: string;
  deviceVersion: string;
  signatureId: string;
  name: string;
  severity: string;
  extensions: Record<string, string>;
}

/** Split the 7 header fields; returns the fields and the index where the extension starts. */
export function splitHeader(s: string, start: number, count: number): { fields: string[]; end: number } | null {
  const fields: string[] = [];
  let cur = '';
  let chunk = start;
  let i = start;
  while (i < s.length && fields.length < count) {
    const c = s.charCodeAt(i);
    if (c === 92) {
      const e = s.charCodeAt(i + 1);
      if (e === 124 || e === 92) {
        cur += s.slice(chunk, i);
        chunk = i + 1;
        i += 2;
        continue;
      }
    } else if (c === 124) {
      fields.push(cur + s.slice(chunk, i));
      cur = '';
      chunk = i + 1;
    }
    i++;
  }
  if (fields.length < count) {
    // The last field may end the line without a trailing '|'.
    if (fields.length === count - 1 && chunk <= s.length) {
      fields.push(cur + s.slice(chunk));
      return { fields, end: s.length };
    }
    return null;
  }
  return { fields, end: i };
}

const isKeyChar = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45;

/** Unescape a CEF extension value. */
function unescapeValue(v: string): string {
  if (!v.includes('\\')) return v;
  let out = '';
  let chunk = 0;
  for (let i = 0; i < v.length; i++) {
    if (v.charCodeAt(i) !== 92 || i + 1 >= v.length) continue;
    const e = v.charCodeAt(i + 1);
    let rep: string | null = null;
    if (e === 61) rep = '=';
    else if (e === 92) rep = '\\';
    else if (e === 110) rep = '\n';
    else if (e === 114) rep = '\r';
    else if (e === 124) rep = '|';
    if (rep !== null) {
      out += v.slice(chunk, i) + rep;
      chunk = i + 2;
      i++;
    }
  }
  return out + v.slice(chunk);
}

/**
 * Key=value pairs where values may contain spaces (CEF extension style). With `unescape`, CEF
 * escapes are honoured (an escaped `\=` is never a key boundary). Text before the first key is
 * returned as `leading`.
 */
export function scanKeyValues(ext: string, unescape: boolean): { pairs: [string, string][]; leading: string } {
  const pairs: [string, string][] = [];
  let curKey: string | null = null;
  let valStart = 0;
  let prevEq = -1;
  let leading = '';
  for (let i = 0; i < ext.length; i++) {
    const c = ext.charCodeAt(i);
    if (c === 92 && unescape) {
      i++;
      continue;
    }
    if (c !== 61) continue;
    // Look back over key characters, not past the previous '='.
    let j = i - 1;
    while (j > prevEq && isKeyChar(ext.charCodeAt(j))) j--;
    const keyStart = j + 1;
    prevEq = i;
    if (keyStart === i || (j >= 0 && ext.charCodeAt(j) !== 32)) continue; // '=' inside a value
    if (curKey === null) leading = ext.slice(0, keyStart).trim();
    else pairs.push([curKey, finishValue(ext.slice(valStart, keyStart), unescape)]);
    curKey = ext.slice(keyStart, i);
    valStart = i + 1;
  }
  if (curKey !== null) pairs.push([curKey, finishValue(ext.slice(valStart), unescape)]);
  else leading = ext.trim();
  return { pairs, leading };
}

function finishValue(v: string, unescape: boolean): string {
  // Trailing spaces separate pairs; a value ending in an escaped space is not a thing in CEF.
  let end = v.length;
  while (end > 0 && v.charCodeAt(end - 1) === 32) end--;
  const t = end === v.length ? v : v.slice(0, end);
  return unescape ? unescapeValue(t) : t;
}

/** Parse a CEF line (it must start with `CEF:`). Text before the first key=value goes to `leading`. */
export function parseCef(s: string): Result<CefMessage & { leading: string }, string> {
  if (!s.startsWith('CEF:')) return err("cef: does not start with 'CEF:'");
  const h = splitHeader(s, 4, 7);
  if (!h) return err('cef: header needs 7 |-separated fields');
  const [version, vendor, product, deviceVersion, signatureId, name, severity] = h.fields;
  const extensions: Record<string, string> = {};
  let leading = '';
  if (h.end < s.length) {
    const kv = scanKeyValues(s.slice(h.end), true);
    for (const [k, v] of kv.pairs) setOwn(extensions, k, v);
    leading = kv.leading;
  }
  return ok({
    version: version.trim(), vendor, product, deviceVersion, signatureId, name, severity: severity.trim(),
    extensions, leading,
  });
}

type Kind = 'ip' | 'port' | 'int' | 'str' | 'ts' | 'lower' | 'outcome';

/** CEF key → [ECS path, kind]. Full (ArcSight dictionary) names alias the short ones. */
const MAP = new Map<string, [string, Kind]>(Object.entries({
  src: ['source.ip', 'ip'], sourceAddress: ['source.ip', 'ip'],
  dst: ['destination.ip', 'ip'], destinationAddress: ['destination.ip', 'ip'],
  spt: ['source.port', 'port'], sourcePort: ['source.port', 'port'],
  dpt: ['destination.port', 'port'], destinationPort: ['destination.port', 'port'],
  shost: ['source.domain', 'str'], sourceHostName: ['source.domain', 'str'],
  dhost: ['destination.domain', 'str'], destinationHostName: ['destination.domain', 'str'],
  smac: ['source.mac', 'str'], sourceMacAddress: ['source.mac', 'str'],
  dmac: ['destination.mac', 'str'], destinationMacAddress: ['destination.mac', 'str'],
  suser: ['source.user.name', 'str'], sourceUserName: ['source.user.name', 'str'],
  duser: ['destination.user.name', 'str'], destinationUserName: ['destination.user.name', 'str'],
  suid: ['source.user.id', 'str'], sourceUserId: ['source.user.id', 'str'],
  duid: ['destination.user.id', 'str'], destinationUserId: ['destination.user.id', 'str'],
  sntdom: ['source.user.domain', 'str'], sourceNtDomain: ['source.user.domain', 'str'],
  dntdom: ['destination.user.domain', 'str'], destinationNtDomain: ['destination.user.domain', 'str'],
  sourceTranslatedAddress: ['source.nat.ip', 'ip'], destinationTranslatedAddress: ['destination.nat.ip', 'ip'],
  sourceTranslatedPort: ['source.nat.port', 'port'], destinationTranslatedPort: ['destination.nat.port', 'port'],
  dproc: ['process.name', 'str'], destinationProcessName: ['process.name', 'str'],
  dpid: ['process.pid', 'int'], destinationProcessId: ['process.pid', 'int'],
  sproc: ['process.parent.name', 'str'], sourceProcessName: ['process.parent.name', 'str'],
  spid: ['process.parent.pid', 'int'], sourceProcessId: ['process.parent.pid', 'int'],
  act: ['event.action', 'str'], deviceAction: ['event.action', 'str'],
  outcome: ['event.outcome', 'outcome'], eventOutcome: ['event.outcome', 'outcome'],
  reason: ['event.reason', 'str'],
  rt: ['@timestamp', 'ts'], deviceReceiptTime: ['@timestamp', 'ts'],
  start: ['event.start', 'ts'], startTime: ['event.start', 'ts'],
  end: ['event.end', 'ts'], endTime: ['event.end', 'ts'],
  request: ['url.original', 'str'], requestUrl: ['url.original', 'str'],
  requestMethod: ['http.request.method', 'str'],
  requestClientApplication: ['user_agent.original', 'str'],
  fname: ['file.name', 'str'], fileName: ['file.name', 'str'],
  filePath: ['file.path', 'str'],
  fsize: ['file.size', 'int'], fileSize: ['file.size', 'int'],
  proto: ['network.transport', 'lower'], transportProtocol: ['network.transport', 'lower'],
  app: ['network.protocol', 'lower'], applicationProtocol: ['network.protocol', 'lower'],
  in: ['source.bytes', 'int'], bytesIn: ['source.bytes', 'int'],
  out: ['destination.bytes', 'int'], bytesOut: ['destination.bytes', 'int'],
  msg: ['message', 'str'], message: ['message', 'str'],
  dvc: ['observer.ip', 'ip'], deviceAddress: ['observer.ip', 'ip'],
  dvchost: ['observer.hostname', 'str'], deviceHostName: ['observer.hostname', 'str'],
  dvcmac: ['observer.mac', 'str'], deviceMacAddress: ['observer.mac', 'str'],
}) as [string, [string, Kind]][]);

const SEVERITY_WORDS: Record<string, number> = { low: 3, medium: 6, high: 8, 'very-high': 10, 'very high': 10 };

/** CEF/LEEF severity: an integer 0..10, or a word. null when unknown/absent. */
export function cefSeverity(s: string): number | null {
  if (s.length === 0) return null;
  const n = toInt(s);
  if (n !== null) return n >= 0 && n <= 10 ? n : null;
  const w = s.toLowerCase();
  return Object.hasOwn(SEVERITY_WORDS, w) ? SEVERITY_WORDS[w] : null;
}

const HASH_BY_LEN: Record<number, string> = { 32: 'md5', 40: 'sha1', 64: 'sha256', 128: 'sha512' };
const HEX = /^[0-9a-fA-F]+$/;

/** Normalise an outcome word to ECS success / failure / unknown, or null. */
export function outcomeOf(v: string): string | null {
  const w = v.toLowerCase().replace(/^\//, '');
  if (w === 'success' || w === 'succeeded' || w === 'successful' || w === 'allowed' || w === 'allow') return 'success';
  if (w === 'failure' || w === 'failed' || w === 'fail' || w === 'denied' || w === 'deny' || w === 'blocked') return 'failure';
  if (w === 'unknown') return 'unknown';
  return null;
}

/**
 * The ECS fields for a CEF message, as an object to merge into an event (`@timestamp` included
 * when `rt` parsed), plus warnings for values that did not fit their ECS type.
 */
export function cefFields(c: CefMessage, refMs: number, zone: Zone, warnings: string[]): { fields: Obj; timeMs: number | null } {
  const f: Obj = {};
  const event: Obj = { code: c.signatureId };
  f.event = event;
  const observer: Obj = {};
  if (c.vendor) observer.vendor = c.vendor;
  if (c.product) observer.product = c.product;
  if (c.deviceVersion) observer.version = c.deviceVersion;
  f.observer = observer;
  if (c.name) {
    event.action = c.name;
    f.message = c.name;
  }
  const sev = cefSeverity(c.severity);
  if (sev !== null) event.severity = sev;
  else if (c.severity !== '' && c.severity.toLowerCase() !== 'unknown') warnings.push(`cef.severity: not 0-10 or a level: ${q(c.severity)}`);

  let timeMs: number | null = null;
  const ext = c.extensions;
  for (const k of Object.keys(ext)) {
    const v = ext[k];
    if (v.length === 0) continue;
    const m = MAP.get(k);
    if (m === undefined) continue;
    const [path, kind] = m;
    let val: unknown = null;
    switch (kind) {
      case 'str': val = v; break;
      case 'lower': val = v.toLowerCase(); break;
      case 'ip': val = toIp(v); break;
      case 'port': val = toPort(v); break;
      case 'int': val = toInt(v); break;
      case 'outcome': val = outcomeOf(v); break;
      case 'ts': {
        const t = parseTimestamp(v, refMs, zone);
        if (t !== null) {
          val = toIso(t);
          if (path === '@timestamp') timeMs = t;
        }
        break;
      }
    }
    if (val === null) {
      if (kind !== 'outcome') warnings.push(`cef.${k}: not a valid ${kind === 'ts' ? 'date' : kind}: ${q(v)}`);
      continue;
    }
    if (path !== '@timestamp') setPath(f, path, val);
  }
  const su = getOwn(ext, 'suser') ?? getOwn(ext, 'sourceUserName');
  const du = getOwn(ext, 'duser') ?? getOwn(ext, 'destinationUserName');
  const userName = su || du;
  if (userName) f.user = { name: userName };
  const fh = getOwn(ext, 'fileHash');
  if (typeof fh === 'string' && HEX.test(fh) && Object.hasOwn(HASH_BY_LEN, fh.length)) {
    setPath(f, `file.hash.${HASH_BY_LEN[fh.length]}`, fh.toLowerCase());
  }
  // Labelled custom fields: cs1Label=Rule cs1=X → cef.custom.Rule = X.
  let custom: Obj | null = null;
  for (const k of Object.keys(ext)) {
    if (!k.endsWith('Label') || k.length <= 5) continue;
    const base = k.slice(0, -5);
    const label = ext[k];
    const value = getOwn(ext, base);
    if (label && value !== undefined) {
      custom ??= {};
      setOwn(custom, label, value);
    }
  }
  const cef: Obj = { version: c.version, name: c.name, severity: c.severity, extensions: ext };
  if (custom) cef.custom = custom;
  f.cef = cef;
  return { fields: f, timeMs };
}

/** True when `s` starts with `CEF:` followed by a version digit. */
export function isCef(s: string, at = 0): boolean {
  return s.startsWith('CEF:', at) && s.charCodeAt(at + 4) >= 48 && s.charCodeAt(at + 4) <= 57;
}

/** Draft for a bare CEF line. */
export function cefDraft(text: string, ctx: NormalizeContext, opts?: NormalizeOptions): Result<Draft, string> {
  const r = parseCef(text);
  if (!r.ok) return r;
  const warnings: string[] = [];
  const { fields, timeMs } = cefFields(r.value, receivedMs(ctx), optionZone(opts), warnings);
  if (r.value.leading) warnings.push(`cef: text before the first key=value ignored: ${q(r.value.leading)}`);
  const ev = skeleton(timeMs ?? receivedMs(ctx));
  merge(ev, fields, false);
  return ok({ ev, warnings, hasTime: timeMs !== null });
}

/** A bare CEF line → event. */
export function normalizeCef(text: string, ctx: NormalizeContext, opts?: NormalizeOptions): Result<NormalizedEvent, string> {
  const d = cefDraft(text, ctx, opts);
  if (!d.ok) return d;
  return ok(finish(d.value.ev, d.value.warnings, text));
}
