/**
 * Value modifiers (sigma-specification 2.1, modifiers appendix). Modifiers apply left to right to
 * every value, as pySigma applies them: transformation modifiers turn values into other values
 * (contains → `*v*`, base64offset → three variants), type modifiers change how a value is
 * compared (re, cidr, lt, exists, fieldref, minute…). `all` and `neq` apply to the item as a whole.
 */
import { invalid, show, unsupported } from './errors.ts';
import { parseCidr } from './cidr.ts';
import { compileRegex } from './regex.ts';
import type { Part, RegexValue, SigmaValue, StrValue, TimeUnit } from './types.ts';
import { WILD_MULTI, containsParts, hasWildcards, isWild, normalizeParts, numToStr, parseSigmaString, toSigmaValue } from './values.ts';

export const MODIFIERS = new Set([
  'contains',
  'startswith',
  'endswith',
  'all',
  'exists',
  'cased',
  'neq',
  'windash',
  're',
  'i',
  'ignorecase',
  'm',
  'multiline',
  's',
  'dotall',
  'base64',
  'base64offset',
  'wide',
  'utf16le',
  'utf16be',
  'utf16',
  'lt',
  'lte',
  'gt',
  'gte',
  'minute',
  'hour',
  'day',
  'week',
  'month',
  'year',
  'cidr',
  'expand',
  'fieldref',
]);

const FIELD_ONLY = new Set(['exists', 'cidr', 'lt', 'lte', 'gt', 'gte', 'fieldref', 'neq']);

/** Limit on the variants one value may expand to (windash permutations, placeholder products). */
export const MAX_VARIANTS = 3125;

export interface ModifierContext {
  placeholders?: Record<string, string[]>;
}

export interface ModifiedItem {
  values: SigmaValue[];
  all: boolean;
  negated: boolean;
}

function typeName(v: SigmaValue): string {
  switch (v.t) {
    case 'str':
      return 'a string';
    case 'num':
      return 'a number';
    case 'bool':
      return 'a boolean';
    case 'null':
      return 'null';
    case 're':
      return 'a regular expression';
    case 'cidr':
      return 'a CIDR network';
    case 'cmp':
      return 'a numeric comparison';
    case 'exists':
      return 'an exists test';
    case 'fieldref':
      return 'a field reference';
    case 'time':
      return 'a time part';
    case 'exp':
      return 'an expansion';
  }
}

/** Apply `fn` to every value, looking through expansions. */
function mapValues(values: SigmaValue[], fn: (v: SigmaValue) => SigmaValue): SigmaValue[] {
  const one = (v: SigmaValue): SigmaValue => (v.t === 'exp' ? { t: 'exp', values: v.values.map(one) } : fn(v));
  return values.map(one);
}

function asStr(v: SigmaValue): StrValue | null {
  if (v.t === 'str') return v;
  if (v.t === 'num') return numToStr(v);
  return null;
}

// --- encodings --------------------------------------------------------------------------------

/** Encode text as bytes-in-a-string (one char per byte). */
function utf16Bytes(text: string, bigEndian: boolean): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const lo = String.fromCharCode(c & 0xff);
    const hi = String.fromCharCode(c >>> 8);
    out += bigEndian ? hi + lo : lo + hi;
  }
  return out;
}

function valueBytes(v: StrValue): Buffer {
  const text = v.parts.map((p) => p as string).join('');
  return v.binary ? Buffer.from(text, 'latin1') : Buffer.from(text, 'utf8');
}

/** base64offset variants exactly as pySigma computes them (start offsets 0,2,3; end cuts by length mod 3). */
export function base64OffsetVariants(data: Buffer): string[] {
  const starts = [0, 2, 3];
  const ends = [undefined, -3, -2];
  const out: string[] = [];
  for (let i = 0; i < 3; i++) {
    const enc = Buffer.concat([Buffer.alloc(i, 0x20), data]).toString('base64');
    out.push(enc.slice(starts[i], ends[(data.length + i) % 3]));
  }
  return out;
}

// --- windash ----------------------------------------------------------------------------------

const DASHES = ['-', '/', '\u2013', '\u2014', '\u2015'];

/** Every permutation of the dash characters at the positions pySigma's windash expands (`\B[-/]\b`). */
export function windashVariants(v: StrValue, path: string): SigmaValue {
  // Split each literal part at the dash positions.
  const pieces: (Part | null)[] = []; // null marks a dash position
  let dashes = 0;
  for (const p of v.parts) {
    if (typeof p !== 'string') {
      pieces.push(p);
      continue;
    }
    const re = /\B[-/]\b/g;
    let last = 0;
    for (let m = re.exec(p); m; m = re.exec(p)) {
      if (m.index > last) pieces.push(p.slice(last, m.index));
      pieces.push(null);
      dashes++;
      last = m.index + 1;
    }
    if (last < p.length) pieces.push(p.slice(last));
  }
  if (dashes === 0) return v;
  if (DASHES.length ** dashes > MAX_VARIANTS) {
    throw unsupported('windash', path, `windash on '${v.orig}' would expand to ${DASHES.length}^${dashes} variants (limit ${MAX_VARIANTS})`);
  }
  let variants: Part[][] = [[]];
  for (const piece of pieces) {
    if (piece === null) {
      const next: Part[][] = [];
      for (const pv of variants) for (const d of DASHES) next.push([...pv, d]);
      variants = next;
    } else for (const pv of variants) pv.push(piece);
  }
  return { t: 'exp', values: variants.map((parts) => ({ ...v, parts: normalizeParts(parts) })) };
}

// --- placeholders -----------------------------------------------------------------------------

function lookupPlaceholder(name: string, ctx: ModifierContext): string[] | undefined {
  const map = ctx.placeholders;
  if (!map) return undefined;
  if (Object.prototype.hasOwnProperty.call(map, name)) return map[name];
  const lower = name.toLowerCase();
  for (const k of Object.keys(map)) if (k.toLowerCase() === lower) return map[k];
  return undefined;
}

/** Resolve `%name%` placeholders (expand modifier) into an OR of the configured values. */
function expandPlaceholders(v: StrValue, ctx: ModifierContext, path: string): SigmaValue {
  // Pieces: literal parts, wildcards, and placeholder names.
  const pieces: (Part | { ph: string })[] = [];
  let found = 0;
  for (const p of v.parts) {
    if (typeof p !== 'string') {
      pieces.push(p);
      continue;
    }
    const re = /(?<!\\)%([\w.-]+)%/g;
    let last = 0;
    for (let m = re.exec(p); m; m = re.exec(p)) {
      pieces.push(p.slice(last, m.index).replace(/\\%/g, '%'));
      pieces.push({ ph: m[1]! });
      found++;
      last = m.index + m[0].length;
    }
    pieces.push(p.slice(last).replace(/\\%/g, '%'));
  }
  if (found === 0) return { ...v, parts: normalizeParts(pieces as Part[]) };
  let variants: Part[][] = [[]];
  for (const piece of pieces) {
    if (typeof piece === 'object' && 'ph' in piece) {
      const values = lookupPlaceholder(piece.ph, ctx);
      if (values === undefined) {
        throw unsupported('placeholder', path, `placeholder %${piece.ph}% (expand modifier) has no configured value`);
      }
      if (!Array.isArray(values) || values.some((x) => typeof x !== 'string')) {
        throw invalid('placeholder', path, `placeholder %${piece.ph}% must be configured as a list of strings`);
      }
      if (variants.length * values.length > MAX_VARIANTS) {
        throw unsupported('placeholder', path, `placeholders of '${v.orig}' expand to more than ${MAX_VARIANTS} values`);
      }
      const next: Part[][] = [];
      for (const pv of variants) for (const val of values) next.push([...pv, ...parseSigmaString(val)]);
      variants = next;
    } else for (const pv of variants) pv.push(piece as Part);
  }
  return { t: 'exp', values: variants.map((parts) => ({ ...v, parts: normalizeParts(parts) })) };
}

// --- the chain --------------------------------------------------------------------------------

/**
 * Turn `field|mods: value-or-list` into the item's values. `path` names the item
 * (`detection.selection.Image|endswith`) in every error.
 */
export function applyModifiers(field: string | null, modifiers: string[], raw: unknown, ctx: ModifierContext, path: string): ModifiedItem {
  for (const m of modifiers) {
    if (!MODIFIERS.has(m)) throw invalid('modifier', path, m === '' ? 'empty modifier (a doubled |)' : `unknown modifier '${m}'`);
    if (field === null && FIELD_ONLY.has(m)) throw invalid('modifier', path, `modifier '${m}' needs a field`);
  }
  // Raw values.
  let rawList: unknown[];
  if (Array.isArray(raw)) {
    if (raw.length === 0) rawList = [null];
    else {
      if (raw.length > 1 && raw.some((x) => x === null)) throw invalid('null-in-list', path, 'null inside a value list (use a separate selection with field: null)');
      rawList = raw;
    }
  } else rawList = [raw];
  let values = rawList.map((x, i) => toSigmaValue(x, Array.isArray(raw) ? `${path}[${i}]` : path));
  if (field === null && values.some((v) => v.t === 'null')) throw invalid('value', path, 'null needs a field');

  let all = false;
  let negated = false;
  const applied: string[] = [];
  for (const m of modifiers) {
    const bad = (v: SigmaValue): Error => invalid('modifier', path, `modifier '${m}' cannot apply to ${typeName(v)}${v.t === 'str' ? ` ('${v.orig}')` : ''}`);
    switch (m) {
      case 'all':
        if (!Array.isArray(raw) || raw.length < 2) {
          throw invalid('all-single', path, "modifier 'all' needs a list of two or more values (a single value is not allowed)");
        }
        all = true;
        break;
      case 'neq':
        negated = true;
        break;
      case 'contains':
      case 'startswith':
      case 'endswith':
        values = mapValues(values, (v) => {
          if (v.t === 're') return v; // a regex search is already unanchored
          if (v.t === 'fieldref') return { ...v, startsWith: v.startsWith || m !== 'endswith', endsWith: v.endsWith || m !== 'startswith' };
          const s = asStr(v);
          if (!s) throw bad(v);
          let parts = s.parts;
          if (m === 'contains') parts = containsParts(parts);
          else if (m === 'startswith') {
            const l = parts[parts.length - 1]!;
            if (!(isWild(l) && l.w === '*')) parts = normalizeParts([...parts, WILD_MULTI]);
          } else {
            const f = parts[0]!;
            if (!(isWild(f) && f.w === '*')) parts = normalizeParts([WILD_MULTI, ...parts]);
          }
          return { ...s, parts };
        });
        break;
      case 'base64':
      case 'base64offset':
        values = mapValues(values, (v) => {
          const s = asStr(v);
          if (!s) throw bad(v);
          if (hasWildcards(s.parts)) throw invalid('modifier', path, `modifier '${m}' cannot encode a value with wildcards ('${s.orig}')`);
          const data = valueBytes(s);
          if (m === 'base64') {
            const enc = data.toString('base64');
            return { t: 'str', parts: [enc], cased: s.cased, orig: s.orig };
          }
          return { t: 'exp', values: base64OffsetVariants(data).map((enc) => ({ t: 'str', parts: [enc], cased: s.cased, orig: s.orig }) as StrValue) };
        });
        break;
      case 'wide':
      case 'utf16le':
      case 'utf16be':
      case 'utf16':
        values = mapValues(values, (v) => {
          const s = asStr(v);
          if (!s) throw bad(v);
          const be = m === 'utf16be';
          const parts: Part[] = s.parts.map((p) => (typeof p === 'string' ? utf16Bytes(p, be) : p));
          if (m === 'utf16') parts.unshift('\u00ff\u00fe');
          return { ...s, parts: normalizeParts(parts), binary: true };
        });
        break;
      case 'windash':
        values = mapValues(values, (v) => {
          const s = asStr(v);
          if (!s) throw bad(v);
          return windashVariants(s, path);
        });
        break;
      case 're':
        if (applied.length > 0) throw invalid('modifier', path, `modifier 're' must come first (found after '${applied.join('|')}')`);
        values = mapValues(values, (v) => {
          const s = v.t === 'str' ? v.orig : v.t === 'num' ? v.raw : null;
          if (s === null) throw bad(v);
          return { t: 're', source: s, flags: { i: false, m: false, s: false } } satisfies RegexValue;
        });
        break;
      case 'i':
      case 'ignorecase':
      case 'm':
      case 'multiline':
      case 's':
      case 'dotall':
        values = mapValues(values, (v) => {
          if (v.t !== 're') throw invalid('modifier', path, `modifier '${m}' is a regular-expression flag and needs 're' before it`);
          const k = m[0] === 'd' ? 's' : (m[0] as 'i' | 'm' | 's');
          return { ...v, flags: { ...v.flags, [k]: true } };
        });
        break;
      case 'cased':
        values = mapValues(values, (v) => {
          if (v.t === 'fieldref') return { ...v, cased: true };
          const s = asStr(v);
          if (!s) throw bad(v);
          return { ...s, cased: true };
        });
        break;
      case 'cidr':
        if (applied.length > 0) throw invalid('modifier', path, `modifier 'cidr' must come first (found after '${applied.join('|')}')`);
        values = mapValues(values, (v) => {
          if (v.t !== 'str') throw bad(v);
          const c = parseCidr(v.orig);
          if (!c) throw invalid('cidr', path, `invalid CIDR network '${v.orig}'`);
          return { t: 'cidr', cidr: v.orig, v6: c.v6, net: c.net, prefix: c.prefix };
        });
        break;
      case 'lt':
      case 'lte':
      case 'gt':
      case 'gte':
        values = mapValues(values, (v) => {
          if (v.t === 'time') {
            if (v.op !== 'eq') throw invalid('modifier', path, `modifier '${m}' after another comparison`);
            return { ...v, op: m };
          }
          const n = v.t === 'num' ? v.n : v.t === 'str' && !hasWildcards(v.parts) && /^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$/.test(v.orig) ? Number(v.orig) : NaN;
          if (Number.isNaN(n)) throw invalid('modifier', path, `modifier '${m}' needs a number, not ${typeName(v)}${v.t === 'str' ? ` ('${v.orig}')` : ''}`);
          return { t: 'cmp', op: m, n };
        });
        break;
      case 'minute':
      case 'hour':
      case 'day':
      case 'week':
      case 'month':
      case 'year':
        values = mapValues(values, (v) => {
          const n = v.t === 'num' ? v.n : v.t === 'str' && /^\s*\d+\s*$/.test(v.orig) ? Number(v.orig) : NaN;
          if (!Number.isInteger(n)) throw invalid('modifier', path, `modifier '${m}' needs an integer, not ${typeName(v)}`);
          return { t: 'time', unit: m as TimeUnit, n, op: 'eq' };
        });
        break;
      case 'exists':
        if (applied.length > 0) throw invalid('modifier', path, `modifier 'exists' cannot follow '${applied.join('|')}'`);
        if (values.length !== 1 || values[0]!.t !== 'bool') {
          throw invalid('modifier', path, `modifier 'exists' needs true or false, not ${show(raw)}`);
        }
        values = [{ t: 'exists', b: (values[0] as { b: boolean }).b }];
        break;
      case 'expand':
        values = mapValues(values, (v) => {
          if (v.t !== 'str') throw bad(v);
          return expandPlaceholders(v, ctx, path);
        });
        break;
      case 'fieldref':
        values = mapValues(values, (v) => {
          if (v.t !== 'str') throw bad(v);
          if (hasWildcards(v.parts)) throw invalid('modifier', path, `a field reference cannot contain wildcards ('${v.orig}')`);
          return { t: 'fieldref', field: v.parts.join(''), startsWith: false, endsWith: false, cased: false };
        });
        break;
    }
    // List modifiers (all, neq) do not transform values and do not count as applied before re/cidr/exists.
    if (m !== 'all' && m !== 'neq') applied.push(m);
  }
  // Check regular expressions now (flags may follow 're'), so a bad pattern rejects the rule at load.
  const checkRe = (v: SigmaValue): void => {
    if (v.t === 're') compileRegex(v.source, v.flags, path);
    else if (v.t === 'exp') v.values.forEach(checkRe);
  };
  values.forEach(checkRe);
  return { values, all, negated };
}
