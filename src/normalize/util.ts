/**
 * Small helpers shared by the normalisers: safe object building (no prototype pollution from
 * user-controlled keys), the event skeleton, warnings, and value coercions.
 */
import { isIP } from 'node:net';
import type { NormalizeContext, NormalizedEvent } from '../core/index.ts';
import { UTC, parseZone, toIso, type Zone } from './time.ts';

export type Obj = Record<string, unknown>;

/** Options for all normalisers (everything optional). */
export interface NormalizeOptions {
  /**
   * Zone for timestamps that carry none and are not defined as UTC: RFC 3164 headers and
   * CEF/LEEF `MMM dd HH:mm:ss` dates. `UTC` (default), an offset (`+02:00`) or an IANA name.
   */
  timeZone?: string;
}

export const WARNING_TAG = '_vigil_parse_warning';

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Assign an own property, also for the key `__proto__` (which plain assignment would treat as the prototype). */
export function setOwn(o: Obj, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  else o[k] = v;
}

/** Read an own property only (so `constructor`, `toString`... of user data are never inherited). */
export function getOwn(o: Obj, k: string): unknown {
  const v = o[k];
  // Inherited members of Object.prototype are functions or `__proto__`; JSON values never are.
  if (v === undefined || (typeof v !== 'function' && k !== '__proto__')) return v;
  return Object.hasOwn(o, k) ? v : undefined;
}

/** The own plain-object child `k`, created when absent; null when `k` holds something else. */
export function child(o: Obj, k: string): Obj | null {
  const v = getOwn(o, k);
  if (v === undefined) {
    const c: Obj = {};
    setOwn(o, k, c);
    return c;
  }
  return isObj(v) ? v : null;
}

const pathCache = new Map<string, string[]>();

/** `a.b.c` → ['a', 'b', 'c'], cached: callers use a small fixed set of ECS paths. */
function segments(path: string): string[] {
  let segs = pathCache.get(path);
  if (segs === undefined) {
    segs = path.split('.');
    if (pathCache.size > 2048) pathCache.clear();
    pathCache.set(path, segs);
  }
  return segs;
}

/**
 * Set a dotted ECS path (`source.ip`) on `o`, creating objects on the way. Returns false (and sets
 * nothing) when an intermediate holds a non-object. With `fill`, an existing value is kept.
 * Paths are our own constants, never keys from user data.
 */
export function setPath(o: Obj, path: string, v: unknown, fill = false): boolean {
  const segs = segments(path);
  let cur = o;
  const last = segs.length - 1;
  for (let i = 0; i < last; i++) {
    const c = child(cur, segs[i]);
    if (!c) return false;
    cur = c;
  }
  const k = segs[last];
  if (fill && getOwn(cur, k) !== undefined) return true;
  setOwn(cur, k, v);
  return true;
}

/** Read a dotted path of own properties, or undefined. */
export function getPath(o: Obj, path: string): unknown {
  let cur: unknown = o;
  let start = 0;
  for (;;) {
    if (!isObj(cur)) return undefined;
    const dot = path.indexOf('.', start);
    if (dot < 0) return getOwn(cur, start === 0 ? path : path.slice(start));
    cur = getOwn(cur, path.slice(start, dot));
    start = dot + 1;
  }
}

/**
 * Merge `add` into `base`: objects merge key by key, other values are set only where `base` has
 * nothing (`fill`) or always (`!fill`). `add` is always one of our own, shallow objects (depth < 10),
 * so the recursion is bounded by it, never by user data.
 */
export function merge(base: Obj, add: Obj, fill: boolean): void {
  for (const k of Object.keys(add)) {
    const v = add[k];
    const cur = getOwn(base, k);
    if (isObj(v) && isObj(cur)) merge(cur, v, fill);
    else if (cur === undefined || !fill) setOwn(base, k, v);
  }
}

/**
 * A normalised event under construction: the ECS object, the warnings so far, and whether the
 * time came from the record itself (false: it is ctx.receivedAt, so a later stage such as CEF `rt`
 * may replace it without question).
 */
export interface Draft {
  ev: Obj;
  warnings: string[];
  hasTime: boolean;
}

/** The common skeleton every normaliser starts from. */
export function skeleton(tsMs: number): Obj {
  return { '@timestamp': toIso(tsMs), event: { kind: 'event' } };
}

/** Add warnings (if any) as `tags: [..., '_vigil_parse_warning']` and `vigil.warnings`, then the original. */
export function finish(ev: Obj, warnings: string[] | null, original: unknown): NormalizedEvent {
  if (warnings && warnings.length > 0) {
    const tags = getOwn(ev, 'tags');
    if (Array.isArray(tags)) {
      if (!tags.includes(WARNING_TAG)) tags.push(WARNING_TAG);
    } else if (typeof tags === 'string') ev.tags = [tags, WARNING_TAG];
    else ev.tags = [WARNING_TAG];
    let vigil = getOwn(ev, 'vigil');
    if (!isObj(vigil)) {
      if (vigil !== undefined) warnings.push('vigil: reserved field replaced (kept in original)');
      vigil = {};
      ev.vigil = vigil;
    }
    const v = vigil as Obj;
    const prev = getOwn(v, 'warnings');
    v.warnings = Array.isArray(prev) ? prev.concat(warnings) : warnings;
  }
  ev.original = original;
  return ev as NormalizedEvent;
}

/** Resolve the configured zone once per call site (cached inside parseZone). */
export function optionZone(opts: NormalizeOptions | undefined): Zone {
  if (!opts?.timeZone) return UTC;
  return parseZone(opts.timeZone) ?? UTC;
}

export const receivedMs = (ctx: NormalizeContext): number => ctx.receivedAt.getTime();

/** Quote a value for an error/warning message, shortened. */
export function q(v: unknown): string {
  let s: string;
  if (typeof v === 'string') s = v;
  else {
    try {
      s = JSON.stringify(v) ?? String(v);
    } catch {
      s = String(v);
    }
  }
  return `'${s.length > 60 ? s.slice(0, 57) + '...' : s}'`;
}

/** An integer from a number or a decimal (or `0x` hex) string, else null. */
export function toInt(v: unknown): number | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : null;
  if (typeof v !== 'string' || v.length === 0 || v.length > 20) return null;
  const c = v.charCodeAt(0);
  if (v.length > 2 && c === 48 && (v.charCodeAt(1) | 32) === 120) {
    const n = parseInt(v.slice(2), 16);
    return Number.isSafeInteger(n) && /^[0-9a-fA-F]+$/.test(v.slice(2)) ? n : null;
  }
  for (let i = c === 45 ? 1 : 0; i < v.length; i++) {
    const d = v.charCodeAt(i);
    if (d < 48 || d > 57) return null;
  }
  const n = +v;
  return Number.isSafeInteger(n) && v !== '-' ? n : null;
}

/** A TCP/UDP port (0..65535) or null. */
export function toPort(v: unknown): number | null {
  const n = toInt(v);
  return n !== null && n >= 0 && n <= 65535 ? n : null;
}

/** The IP itself when `v` is an IPv4/IPv6 literal (brackets and IPv6 zone allowed), else null. */
export function toIp(v: unknown): string | null {
  if (typeof v !== 'string' || v.length < 2 || v.length > 64) return null;
  let s = v;
  if (s.charCodeAt(0) === 91 && s.charCodeAt(s.length - 1) === 93) s = s.slice(1, -1);
  return isIP(s) !== 0 ? s : null;
}

/** Last path component of a Windows or POSIX path. */
export function basename(p: string): string {
  let i = p.length - 1;
  while (i >= 0) {
    const c = p.charCodeAt(i);
    if (c === 92 || c === 47) break;
    i--;
  }
  return i < 0 ? p : p.slice(i + 1);
}

/** Directory part of a Windows or POSIX path ('' when none). */
export function dirname(p: string): string {
  let i = p.length - 1;
  while (i >= 0) {
    const c = p.charCodeAt(i);
    if (c === 92 || c === 47) break;
    i--;
  }
  return i <= 0 ? '' : p.slice(0, i);
}

/** A non-empty string that is not a placeholder (`-`), else null. */
export function str(v: unknown): string | null {
  if (typeof v === 'string') return v.length === 0 || v === '-' ? null : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

/** Strip a leading UTF-8 byte-order mark (decoded as U+FEFF). */
export function stripBom(s: string): string {
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

/** Upper bound on values copied from one record (the caller enforces its own, smaller limits first). */
export const MAX_NODES = 1_000_000;

/**
 * Deep-copy a JSON value without recursion (an explicit stack, so 10,000-deep records are fine).
 * With `expandDots`, object keys like `"host.name"` become nested objects, merged with any nested
 * object of the same name; when a key collides with a value of another shape (or a scalar with a
 * scalar), the first one kept wins and a warning names the key. Returns `undefined` when the record
 * has more than MAX_NODES values.
 */
export function cloneJson(src: unknown, expandDots: boolean, warnings: string[]): unknown {
  if (typeof src !== 'object' || src === null) return src;
  const root: unknown = Array.isArray(src) ? new Array(src.length) : {};
  const stack: unknown[] = [src, root];
  let nodes = 0;
  while (stack.length > 0) {
    const to = stack.pop() as Obj | unknown[];
    const from = stack.pop() as Obj | unknown[];
    if (Array.isArray(from)) {
      const arr = to as unknown[];
      nodes += from.length;
      for (let i = 0; i < from.length; i++) {
        const v = from[i];
        if (typeof v === 'object' && v !== null) {
          const c = Array.isArray(v) ? new Array(v.length) : {};
          arr[i] = c;
          stack.push(v, c);
        } else arr[i] = v;
      }
    } else {
      const keys = Object.keys(from);
      nodes += keys.length;
      for (const k of keys) {
        const v = from[k];
        let target = to as Obj;
        let key = k;
        if (expandDots && k.includes('.')) {
          const segs = k.split('.');
          let okPath = true;
          for (const s of segs) if (s.length === 0) okPath = false;
          if (okPath) {
            let cur: Obj | null = target;
            for (let i = 0; i < segs.length - 1 && cur; i++) cur = child(cur, segs[i]);
            if (cur) {
              target = cur;
              key = segs[segs.length - 1];
            } else warnings.push(`${k}: a parent of this dotted key is not an object; key kept as is`);
          }
        }
        const existing = getOwn(target, key);
        if (typeof v === 'object' && v !== null) {
          if (!Array.isArray(v) && isObj(existing)) {
            stack.push(v, existing);
            continue;
          }
          if (existing !== undefined) {
            warnings.push(`${k}: duplicate key, first value kept`);
            continue;
          }
          const c = Array.isArray(v) ? new Array(v.length) : {};
          setOwn(target, key, c);
          stack.push(v, c);
        } else if (existing !== undefined) {
          warnings.push(`${k}: duplicate key, first value kept`);
        } else setOwn(target, key, v);
      }
    }
    if (nodes > MAX_NODES) return undefined;
  }
  return root;
}
