/**
 * Sigma values: strings with wildcards and escapes, numbers, booleans, null; and their
 * compilation into tests over an event's field (or its keywords), with the anchors each test
 * cannot match without.
 *
 * String semantics (rules specification, "String Wildcard" and "Escaping"):
 *   `*` any run, `?` exactly one character; `\*`, `\?`, `\\` escape; a backslash before any
 *   other character is literal. Case-insensitive unless `cased`.
 * Comparison semantics (decisions where the specification is silent are marked *):
 *   - a rule number matches an event number that is equal, or a string equal to the number as
 *     written (`0x17`), as JavaScript prints it, or a decimal string of the same value (`'4624'`,
 *     `'4624.0'`)*;
 *   - booleans match booleans and the strings 'true'/'false' (any case)*;
 *   - `null` matches an absent or null field; `''` only an empty string; `exists` only presence;
 *   - array-valued fields match when any element matches.
 */
import type { Anchor, EventView } from '../types.ts';
import { best, union, type AnchorSet } from './anchors.ts';
import { cidrMatcher } from './cidr.ts';
import { invalid, show } from './errors.ts';
import { fieldId, keywordStrings, rawById, stringsById } from './eval.ts';
import { compileRegex } from './regex.ts';
import type {
  CompareValue,
  DetectionItem,
  FieldRefValue,
  NumValue,
  Part,
  SigmaValue,
  StrValue,
  TimePartValue,
  Wildcard,
} from './types.ts';
import { YNum } from './yaml.ts';

export const WILD_MULTI: Wildcard = Object.freeze({ w: '*' as const });
export const WILD_SINGLE: Wildcard = Object.freeze({ w: '?' as const });

export function isWild(p: Part): p is Wildcard {
  return typeof p === 'object' && 'w' in p;
}

/** Parse a Sigma string: wildcards become Wildcard parts, escapes are resolved, literals merged. */
export function parseSigmaString(s: string): Part[] {
  const out: Part[] = [];
  let acc = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') {
      const n = s[i + 1];
      if (n === '*' || n === '?' || n === '\\') {
        acc += n;
        i++;
      } else acc += c;
    } else if (c === '*' || c === '?') {
      if (acc) out.push(acc);
      acc = '';
      out.push(c === '*' ? WILD_MULTI : WILD_SINGLE);
    } else acc += c;
  }
  if (acc || out.length === 0) out.push(acc);
  return out;
}

/** Merge adjacent literal parts and drop empty ones (after transformations). */
export function normalizeParts(parts: Part[]): Part[] {
  const out: Part[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (typeof p === 'string') {
      if (p === '') continue;
      if (typeof last === 'string') out[out.length - 1] = last + p;
      else out.push(p);
    } else if (isWild(p) && p.w === '*' && last !== undefined && isWild(last) && last.w === '*') continue; // ** is *
    else out.push(p);
  }
  return out.length === 0 ? [''] : out;
}

export function hasWildcards(parts: Part[]): boolean {
  return parts.some((p) => typeof p !== 'string');
}

/** The text of a string value as written back in Sigma syntax (for messages). */
export function partsToText(parts: Part[]): string {
  return parts
    .map((p) => (typeof p === 'string' ? p.replace(/[\\*?]/g, (m) => `\\${m}`) : isWild(p) ? p.w : `%${p.ph}%`))
    .join('');
}

/** A YAML scalar as a Sigma value. */
export function toSigmaValue(v: unknown, path: string): SigmaValue {
  if (typeof v === 'string') return { t: 'str', parts: parseSigmaString(v), cased: false, orig: v };
  if (v instanceof YNum) return { t: 'num', n: v.n, raw: v.raw };
  if (typeof v === 'number') return { t: 'num', n: v, raw: String(v) };
  if (typeof v === 'boolean') return { t: 'bool', b: v };
  if (v === null || v === undefined) return { t: 'null' };
  throw invalid('value', path, `a value must be a string, number, boolean or null, not ${Array.isArray(v) ? 'a nested list' : 'a map'} (${show(v)})`);
}

/** A number value as a string value (its source text), for string modifiers. */
export function numToStr(v: NumValue): StrValue {
  return { t: 'str', parts: parseSigmaString(v.raw), cased: false, orig: v.raw };
}

// ---------------------------------------------------------------------------------------------
// String predicates (wildcard matching without regular expressions)

interface Seg {
  lit: string;
  q: Uint8Array | null;
  len: number;
  /** Longest run without `?`, and its offset, for indexOf scanning. */
  run: string;
  runOff: number;
}

/** A segment between `*` wildcards: literal strings, and null for each `?` wildcard. */
function makeSeg(items: (string | null)[]): Seg {
  let lit = '';
  const qs: number[] = [];
  for (const it of items) {
    if (it === null) {
      qs.push(lit.length);
      lit += '\0';
    } else lit += it;
  }
  let q: Uint8Array | null = null;
  let run = lit;
  let runOff = 0;
  if (qs.length > 0) {
    q = new Uint8Array(lit.length);
    for (const i of qs) q[i] = 1;
    run = '';
    let start = 0;
    for (let i = 0; i <= lit.length; i++) {
      if (i === lit.length || q[i]) {
        if (i - start > run.length) {
          run = lit.slice(start, i);
          runOff = start;
        }
        start = i + 1;
      }
    }
  }
  return { lit, q, len: lit.length, run, runOff };
}

function matchAt(s: string, p: number, g: Seg): boolean {
  const { lit, q, len } = g;
  if (q === null) return s.startsWith(lit, p);
  for (let k = 0; k < len; k++) if (q[k] === 0 && s.charCodeAt(p + k) !== lit.charCodeAt(k)) return false;
  return true;
}

function findSeg(s: string, from: number, limit: number, g: Seg): number {
  if (g.q === null) {
    const p = s.indexOf(g.lit, from);
    return p >= 0 && p + g.len <= limit ? p : -1;
  }
  if (g.run.length === 0) return from + g.len <= limit ? from : -1;
  let i = s.indexOf(g.run, from + g.runOff);
  while (i >= 0) {
    const p = i - g.runOff;
    if (p + g.len > limit) return -1;
    if (matchAt(s, p, g)) return p;
    i = s.indexOf(g.run, i + 1);
  }
  return -1;
}

/** Predicate over (already lower-cased when `lower`) strings for a wildcard pattern. */
export function stringPredicate(parts: Part[], lower: boolean): (s: string) => boolean {
  const segItems: (string | null)[][] = [[]];
  for (const p of parts) {
    if (typeof p === 'string') segItems[segItems.length - 1]!.push(lower ? p.toLowerCase() : p);
    else if (isWild(p)) {
      if (p.w === '*') segItems.push([]);
      else segItems[segItems.length - 1]!.push(null);
    } else throw new Error(`unexpanded placeholder %${p.ph}%`);
  }
  const segs = segItems.map(makeSeg);
  if (segs.length === 1) {
    const g = segs[0]!;
    if (g.q === null) {
      const lit = g.lit;
      return (s) => s === lit;
    }
    return (s) => s.length === g.len && matchAt(s, 0, g);
  }
  const first = segs[0]!;
  const last = segs[segs.length - 1]!;
  const mids = segs.slice(1, -1).filter((g) => g.len > 0);
  if (mids.length === 0 && first.q === null && last.q === null) {
    const a = first.lit;
    const b = last.lit;
    if (a === '' && b === '') return () => true;
    if (a === '') return (s) => s.endsWith(b);
    if (b === '') return (s) => s.startsWith(a);
    const min = a.length + b.length;
    return (s) => s.length >= min && s.startsWith(a) && s.endsWith(b);
  }
  if (mids.length === 1 && first.len === 0 && last.len === 0 && mids[0]!.q === null) {
    const lit = mids[0]!.lit;
    return (s) => s.indexOf(lit) >= 0;
  }
  const min = segs.reduce((n, g) => n + g.len, 0);
  return (s) => {
    if (s.length < min) return false;
    if (first.len > 0 && !matchAt(s, 0, first)) return false;
    const lastStart = s.length - last.len;
    if (last.len > 0 && !matchAt(s, lastStart, last)) return false;
    let pos = first.len;
    for (let i = 0; i < mids.length; i++) {
      const g = mids[i]!;
      const p = findSeg(s, pos, lastStart, g);
      if (p < 0) return false;
      pos = p + g.len;
    }
    return true;
  };
}

/** The longest literal run of a pattern (between wildcards), lower-cased; '' when none. */
export function longestLiteral(parts: Part[]): string {
  let bestRun = '';
  let cur = '';
  for (const p of parts) {
    if (typeof p === 'string') cur += p;
    else {
      if (cur.length > bestRun.length) bestRun = cur;
      cur = '';
    }
  }
  if (cur.length > bestRun.length) bestRun = cur;
  return bestRun.toLowerCase();
}

/** Wrap a pattern in `*…*` (contains), as the contains modifier and keyword matching do. */
export function containsParts(parts: Part[]): Part[] {
  const out = parts.slice();
  if (!(out.length > 0 && isWild(out[0]!) && out[0].w === '*')) out.unshift(WILD_MULTI);
  const l = out[out.length - 1]!;
  if (!(isWild(l) && l.w === '*')) out.push(WILD_MULTI);
  return normalizeParts(out);
}

// ---------------------------------------------------------------------------------------------
// Value tests

export type Test = (ev: EventView) => boolean;

export interface Compiled {
  test: Test;
  /** A disjunction of literals the test cannot be true without; null when none is required. */
  anchors: AnchorSet;
  /** Number of value tests. */
  cost: number;
  /**
   * Other valid anchor sets (for an AND, each child's set is valid on its own), so the engine can
   * pick the one least shared with other rules. Absent: `anchors` is the only choice.
   */
  choices?: Anchor[][];
}

const DECIMAL = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;
const HEX = /^\s*0[xX][0-9a-fA-F]+\s*$/;

/** A number from an event value: numbers, decimal or 0x-hex strings; NaN otherwise. */
export function numericValue(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') {
    if (DECIMAL.test(v)) return Number(v);
    if (HEX.test(v)) return parseInt(v.trim(), 16);
  }
  return NaN;
}

function anyString(field: string, lower: boolean, pred: (s: string) => boolean): Test {
  const id = fieldId(field);
  if (lower) {
    return (ev) => {
      const a = stringsById(ev, id, true);
      if (a === null) return false;
      if (a.length === 1) return pred(a[0]!);
      for (let i = 0; i < a.length; i++) if (pred(a[i]!)) return true;
      return false;
    };
  }
  return (ev) => {
    const a = stringsById(ev, id, false);
    if (a === null) return false;
    for (let i = 0; i < a.length; i++) if (pred(a[i]!)) return true;
    return false;
  };
}

function anyKeyword(lower: boolean, pred: (s: string) => boolean): Test {
  return (ev) => {
    const a = keywordStrings(ev, lower);
    for (let i = 0; i < a.length; i++) if (pred(a[i]!)) return true;
    return false;
  };
}

function anchorOf(field: string | null, literal: string): AnchorSet {
  return literal.length > 0 ? [{ field, literal }] : null;
}

/** Equality with any of several rule numbers (see the comparison semantics above). */
function numbersTest(field: string, vs: NumValue[]): Compiled {
  const texts = new Set<string>();
  const nums = new Set<number>();
  const anchors: AnchorSet[] = [];
  for (const v of vs) {
    texts.add(String(v.n));
    texts.add(v.raw.toLowerCase());
    nums.add(v.n);
    const canon = String(v.n);
    anchors.push(Number.isSafeInteger(v.n) && v.n >= 0 && v.raw === canon ? [{ field, literal: canon }] : null);
  }
  const pred = (s: string): boolean => texts.has(s) || (DECIMAL.test(s) && nums.has(Number(s)));
  return { test: anyString(field, true, pred), anchors: union(anchors), cost: vs.length };
}

function compareTest(field: string, v: CompareValue): Compiled {
  const n = v.n;
  let cmp: (x: number) => boolean;
  switch (v.op) {
    case 'lt':
      cmp = (x) => x < n;
      break;
    case 'lte':
      cmp = (x) => x <= n;
      break;
    case 'gt':
      cmp = (x) => x > n;
      break;
    case 'gte':
      cmp = (x) => x >= n;
      break;
  }
  const one = (x: unknown): boolean => {
    const k = numericValue(x);
    return k === k && cmp(k);
  };
  const id = fieldId(field);
  return {
    test: (ev) => {
      const r = rawById(ev, id);
      if (Array.isArray(r)) return r.some(one);
      return one(r);
    },
    anchors: null,
    cost: 1,
  };
}

function fieldRefTest(field: string, v: FieldRefValue): Compiled {
  const lower = !v.cased;
  const ref = v.field;
  let pair: (a: string, b: string) => boolean;
  if (v.startsWith && v.endsWith) pair = (a, b) => a.indexOf(b) >= 0;
  else if (v.startsWith) pair = (a, b) => a.startsWith(b);
  else if (v.endsWith) pair = (a, b) => a.endsWith(b);
  else pair = (a, b) => a === b;
  const fa = fieldId(field);
  const fb = fieldId(ref);
  return {
    test: (ev) => {
      const a = stringsById(ev, fa, lower);
      if (a === null) return false;
      const b = stringsById(ev, fb, lower);
      if (b === null) return false;
      for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) if (pair(a[i]!, b[j]!)) return true;
      return false;
    },
    anchors: null,
    cost: 1,
  };
}

const ISO_NO_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/** Milliseconds since epoch from a date value: ISO text (no zone = UTC), epoch seconds or ms; NaN otherwise. */
export function timeValue(v: unknown): number {
  if (typeof v === 'number') return Math.abs(v) < 1e11 ? v * 1000 : v;
  if (typeof v === 'string') {
    const s = v.trim();
    if (DECIMAL.test(s)) return timeValue(Number(s));
    if (ISO_NO_ZONE.test(s)) return Date.parse(`${s.replace(' ', 'T')}Z`);
    return Date.parse(s);
  }
  if (v instanceof Date) return v.getTime();
  return NaN;
}

/** ISO-8601 week number (1–53). */
export function isoWeek(ms: number): number {
  const d = new Date(ms);
  const day = (d.getUTCDay() + 6) % 7; // Monday 0
  const thursday = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day + 3);
  const jan4 = new Date(thursday);
  const yearStart = Date.UTC(jan4.getUTCFullYear(), 0, 4);
  const firstThursday = yearStart - ((new Date(yearStart).getUTCDay() + 6) % 7) * 86400000 + 3 * 86400000;
  return 1 + Math.round((thursday - firstThursday) / (7 * 86400000));
}

export function timePart(ms: number, unit: TimePartValue['unit']): number {
  const d = new Date(ms);
  switch (unit) {
    case 'minute':
      return d.getUTCMinutes();
    case 'hour':
      return d.getUTCHours();
    case 'day':
      return d.getUTCDate();
    case 'week':
      return isoWeek(ms);
    case 'month':
      return d.getUTCMonth() + 1;
    case 'year':
      return d.getUTCFullYear();
  }
}

function timeTest(field: string | null, v: TimePartValue): Compiled {
  const id = field === null ? -1 : fieldId(field);
  const n = v.n;
  const unit = v.unit;
  const cmp: (x: number) => boolean =
    v.op === 'lt' ? (x) => x < n : v.op === 'lte' ? (x) => x <= n : v.op === 'gt' ? (x) => x > n : v.op === 'gte' ? (x) => x >= n : (x) => x === n;
  const one = (x: unknown): boolean => {
    const ms = timeValue(x);
    return ms === ms && cmp(timePart(ms, unit));
  };
  return {
    test:
      field === null
        ? (ev) => {
            const ms = ev.time();
            return ms === ms && cmp(timePart(ms, unit));
          }
        : (ev) => {
            const r = rawById(ev, id);
            if (Array.isArray(r)) return r.some(one);
            return one(r);
          },
    anchors: null,
    cost: 1,
  };
}

function strTest(field: string | null, v: StrValue): Compiled {
  const lower = !v.cased;
  if (field === null) {
    const parts = containsParts(v.parts);
    return { test: anyKeyword(lower, stringPredicate(parts, lower)), anchors: anchorOf(null, longestLiteral(parts)), cost: 1 };
  }
  return { test: anyString(field, lower, stringPredicate(v.parts, lower)), anchors: anchorOf(field, longestLiteral(v.parts)), cost: 1 };
}

/** Compile one value of a detection item. `path` names the item for messages. */
export function compileValue(field: string | null, v: SigmaValue, path: string): Compiled {
  switch (v.t) {
    case 'str':
      return strTest(field, v);
    case 'num':
      if (field === null) return strTest(null, numToStr(v));
      return numbersTest(field, [v]);
    case 'bool': {
      const want = v.b ? 'true' : 'false';
      if (field === null) return strTest(null, { t: 'str', parts: [want], cased: false, orig: want });
      return { test: anyString(field, true, (s) => s === want), anchors: null, cost: 1 };
    }
    case 'null': {
      if (field === null) throw invalid('value', path, 'null needs a field');
      const id = fieldId(field);
      return {
        test: (ev) => {
          const r = rawById(ev, id);
          return r === undefined || r === null;
        },
        anchors: null,
        cost: 1,
      };
    }
    case 're': {
      const re = compileRegex(v.source, v.flags, path);
      const pred = (s: string): boolean => re.test(s);
      return { test: field === null ? anyKeyword(false, pred) : anyString(field, false, pred), anchors: null, cost: 1 };
    }
    case 'cidr': {
      if (field === null) throw invalid('modifier', path, "'cidr' needs a field");
      return { test: anyString(field, false, cidrMatcher(v)), anchors: null, cost: 1 };
    }
    case 'cmp':
      if (field === null) throw invalid('modifier', path, `'${v.op}' needs a field`);
      return compareTest(field, v);
    case 'exists': {
      if (field === null) throw invalid('modifier', path, "'exists' needs a field");
      const want = v.b;
      const id = fieldId(field);
      return { test: (ev) => (rawById(ev, id) !== undefined) === want, anchors: null, cost: 1 };
    }
    case 'fieldref':
      if (field === null) throw invalid('modifier', path, "'fieldref' needs a field");
      return fieldRefTest(field, v);
    case 'time':
      return timeTest(field, v);
    case 'exp': {
      const subs = v.values.map((x) => compileValue(field, x, path));
      return { test: orTests(subs.map((s) => s.test)), anchors: union(subs.map((s) => s.anchors)), cost: subs.reduce((n, s) => n + s.cost, 0) };
    }
  }
}

export function orTests(ts: Test[]): Test {
  if (ts.length === 1) return ts[0]!;
  if (ts.length === 2) {
    const [a, b] = ts as [Test, Test];
    return (ev) => a(ev) || b(ev);
  }
  return (ev) => {
    for (let i = 0; i < ts.length; i++) if (ts[i]!(ev)) return true;
    return false;
  };
}

export function andTests(ts: Test[]): Test {
  if (ts.length === 1) return ts[0]!;
  if (ts.length === 2) {
    const [a, b] = ts as [Test, Test];
    return (ev) => a(ev) && b(ev);
  }
  return (ev) => {
    for (let i = 0; i < ts.length; i++) if (!ts[i]!(ev)) return false;
    return true;
  };
}

/** Lists at least this long are indexed (bucketed by four characters) instead of scanned one by one. */
const INDEX_THRESHOLD = 16;

function hash4(s: string, i: number): number {
  return (((s.charCodeAt(i) * 31 + s.charCodeAt(i + 1)) * 31 + s.charCodeAt(i + 2)) * 31 + s.charCodeAt(i + 3)) | 0;
}

/** Does any literal occur in s? Long lists: literals bucketed by their last four characters, one lookup per position. */
function scanAny(lits: string[]): (s: string) => boolean {
  if (lits.length === 1) {
    const l = lits[0]!;
    return (s) => s.indexOf(l) >= 0;
  }
  return (s) => {
    for (let i = 0; i < lits.length; i++) if (s.indexOf(lits[i]!) >= 0) return true;
    return false;
  };
}

function containsAny(lits: string[]): (s: string) => boolean {
  if (lits.length < INDEX_THRESHOLD) return scanAny(lits);
  const short = lits.filter((l) => l.length < 4);
  const buckets = new Map<number, string[]>();
  for (const l of lits) {
    if (l.length < 4) continue;
    const h = hash4(l, l.length - 4);
    const b = buckets.get(h);
    if (b) b.push(l);
    else buckets.set(h, [l]);
  }
  const shortTest = scanAny(short);
  return (s) => {
    if (short.length > 0 && shortTest(s)) return true;
    for (let i = 0; i + 4 <= s.length; i++) {
      const b = buckets.get(hash4(s, i));
      if (b === undefined) continue;
      for (let k = 0; k < b.length; k++) {
        const l = b[k]!;
        const p = i + 4 - l.length;
        if (p >= 0 && s.startsWith(l, p)) return true;
      }
    }
    return false;
  };
}

/** Does s end (or start) with any literal? Long lists: one bucket lookup on the last (first) four characters. */
function edgeAny(lits: string[], end: boolean): (s: string) => boolean {
  const one = end ? (s: string, l: string) => s.endsWith(l) : (s: string, l: string) => s.startsWith(l);
  if (lits.length < INDEX_THRESHOLD) {
    return (s) => {
      for (let i = 0; i < lits.length; i++) if (one(s, lits[i]!)) return true;
      return false;
    };
  }
  const short = lits.filter((l) => l.length < 4);
  const buckets = new Map<number, string[]>();
  for (const l of lits) {
    if (l.length < 4) continue;
    const h = hash4(l, end ? l.length - 4 : 0);
    const b = buckets.get(h);
    if (b) b.push(l);
    else buckets.set(h, [l]);
  }
  return (s) => {
    for (let i = 0; i < short.length; i++) if (one(s, short[i]!)) return true;
    if (s.length < 4) return false;
    const b = buckets.get(hash4(s, end ? s.length - 4 : 0));
    if (b === undefined) return false;
    for (let k = 0; k < b.length; k++) if (one(s, b[k]!)) return true;
    return false;
  };
}

/**
 * One predicate for many patterns (their OR): exact values through a Set, plain contains /
 * startswith / endswith literals through indexOf-style loops, anything else as a general
 * wildcard pattern. Literals are lower-cased here when `lower`, the input is expected lower-cased.
 */
export function multiPredicate(patterns: Part[][], lower: boolean): (s: string) => boolean {
  const exact = new Set<string>();
  const inc: string[] = [];
  const pre: string[] = [];
  const suf: string[] = [];
  const gen: ((s: string) => boolean)[] = [];
  const lc = (x: string): string => (lower ? x.toLowerCase() : x);
  for (const parts of patterns) {
    const star = (p: Part | undefined): boolean => p !== undefined && isWild(p) && p.w === '*';
    if (!hasWildcards(parts)) exact.add(lc(parts.join('')));
    else if (parts.length === 1 && star(parts[0])) return () => true;
    else if (parts.length === 3 && star(parts[0]) && typeof parts[1] === 'string' && star(parts[2])) inc.push(lc(parts[1]));
    else if (parts.length === 2 && typeof parts[0] === 'string' && star(parts[1])) pre.push(lc(parts[0]));
    else if (parts.length === 2 && star(parts[0]) && typeof parts[1] === 'string') suf.push(lc(parts[1]));
    else gen.push(stringPredicate(parts, lower));
  }
  const tests: ((s: string) => boolean)[] = [];
  if (exact.size > 0) tests.push((s) => exact.has(s));
  if (inc.length > 0) tests.push(containsAny(inc));
  if (pre.length > 0) tests.push(edgeAny(pre, false));
  if (suf.length > 0) tests.push(edgeAny(suf, true));
  tests.push(...gen);
  if (tests.length === 1) return tests[0]!;
  if (tests.length === 2) {
    const [x, y] = tests as [(s: string) => boolean, (s: string) => boolean];
    return (s) => x(s) || y(s);
  }
  return (s) => {
    for (let i = 0; i < tests.length; i++) if (tests[i]!(s)) return true;
    return false;
  };
}

function flatten(v: SigmaValue): SigmaValue[] {
  return v.t === 'exp' ? v.values.flatMap(flatten) : [v];
}

/** The OR of values on one field: string values share one multi-pattern test, the rest test one by one. */
function compileGroup(field: string | null, values: SigmaValue[], path: string): Compiled {
  const byCase: [StrValue[], StrValue[]] = [[], []]; // [case-insensitive, cased]
  const nums: NumValue[] = [];
  const others: Compiled[] = [];
  let regexes = 0;
  for (const v of values) {
    if (v.t === 'str') byCase[v.cased ? 1 : 0].push(v);
    else if (v.t === 'num') {
      if (field === null) byCase[0].push(numToStr(v));
      else nums.push(v);
    }
    else if (v.t === 'bool' && field === null) byCase[0].push({ t: 'str', parts: [v.b ? 'true' : 'false'], cased: false, orig: String(v.b) });
    else {
      others.push(compileValue(field, v, path));
      if (v.t === 're') regexes++;
    }
  }
  const parts: Compiled[] = [];
  for (const [i, strs] of byCase.entries()) {
    if (strs.length === 0) continue;
    const lower = i === 0;
    const patterns = strs.map((v) => (field === null ? containsParts(v.parts) : v.parts));
    const pred = multiPredicate(patterns, lower);
    parts.push({
      test: field === null ? anyKeyword(lower, pred) : anyString(field, lower, pred),
      anchors: union(patterns.map((p) => anchorOf(field, longestLiteral(p)))),
      cost: strs.length,
    });
  }
  if (nums.length > 0 && field !== null) parts.push(numbersTest(field, nums));
  // Regular expressions last: they are the slowest tests.
  if (regexes > 0) others.sort((a, b) => Number(a.anchors === null) - Number(b.anchors === null));
  parts.push(...others);
  return {
    test: orTests(parts.map((c) => c.test)),
    anchors: union(parts.map((c) => c.anchors)),
    cost: parts.reduce((n, c) => n + c.cost, 0),
  };
}

/** Compile a detection item: its values OR-ed (AND-ed with `all`), negated with `neq`. */
export function compileItem(item: DetectionItem): Compiled {
  const field = item.field;
  let inner: Test;
  let anchors: AnchorSet;
  let cost: number;
  if (item.all) {
    const groups = item.values.map((v) => compileGroup(field, flatten(v), item.path));
    groups.sort((a, b) => a.cost - b.cost);
    inner = andTests(groups.map((g) => g.test));
    anchors = best(groups.map((g) => g.anchors));
    cost = groups.reduce((n, g) => n + g.cost, 0);
  } else {
    const g = compileGroup(field, item.values.flatMap(flatten), item.path);
    inner = g.test;
    anchors = g.anchors;
    cost = g.cost;
  }
  if (item.negated) {
    if (field === null) throw invalid('modifier', item.path, "'neq' needs a field");
    const t = inner;
    const id = fieldId(field);
    return {
      test: (ev) => {
        const r = rawById(ev, id);
        return r !== undefined && r !== null && !t(ev);
      },
      anchors: null,
      cost,
    };
  }
  return { test: inner, anchors, cost };
}
