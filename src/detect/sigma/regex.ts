/**
 * Bounded regular expressions for the `re` modifier.
 *
 * Sigma's regex flavour (modifiers appendix 2.1: `.`, `^`, `$`, `* + ? {n,m}`, classes, groups,
 * alternation; plus the common escapes `\d \w \s \b`, non-capturing and named groups, and leading
 * inline flags `(?i)`) is parsed here and compiled to a Thompson NFA that runs as a lazily built
 * DFA. Matching is a search (unanchored, like `RegExp.test`) in time linear in the input, which is
 * capped at REGEX_INPUT_LIMIT code units: no pattern can stall the pipeline, whatever its shape.
 *
 * Patterns with shapes that backtrack catastrophically in other engines (nested unbounded
 * quantifiers `(a+)+`, repeated alternations with overlapping branches `(a|ab)*`) are still
 * rejected as `unsupported`, so a rule Vigil accepts is safe for every backend too.
 * Back-references, lookaround, atomic groups, possessive quantifiers and other PCRE extras are
 * `unsupported`: they fall outside the specified flavour and cannot run in linear time.
 */
import { invalid, unsupported } from './errors.ts';

/** Only the first this-many UTF-16 code units of a value are searched by a regex. */
export const REGEX_INPUT_LIMIT = 65536;

const MAX_NFA_STATES = 20000;
const MAX_DFA_STATES = 2048;
const MAX_GROUP_DEPTH = 64;
const MAX_REPEAT = 10000;

export interface RegexFlags {
  i: boolean;
  m: boolean;
  s: boolean;
}

// ---------------------------------------------------------------------------------------------
// Character sets

const DIGIT = [48, 57];
const WORD = [48, 57, 65, 90, 95, 95, 97, 122];
const SPACE = [9, 13, 32, 32, 160, 160, 0x1680, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f, 0x202f, 0x205f, 0x205f, 0x3000, 0x3000, 0xfeff, 0xfeff];
const LINE_TERMINATORS = [10, 10, 13, 13, 0x2028, 0x2029];

function inRanges(r: readonly number[], c: number): boolean {
  for (let i = 0; i < r.length; i += 2) if (c >= r[i]! && c <= r[i + 1]!) return true;
  return false;
}

interface SubSet {
  ranges: number[];
  neg: boolean;
}

export class CharSet {
  private readonly bitmap = new Uint32Array(4);
  readonly mayMatchNonAscii: boolean;

  constructor(
    readonly ranges: number[],
    readonly subs: SubSet[],
    readonly neg: boolean,
    readonly icase: boolean,
  ) {
    for (let c = 0; c < 128; c++) if (this.slowHas(c)) this.bitmap[c >>> 5]! |= 1 << (c & 31);
    let non = false;
    for (let i = 1; i < ranges.length; i += 2) if (ranges[i]! >= 128) non = true;
    for (const s of subs) if (s.neg || s.ranges.some((x) => x >= 128)) non = true;
    this.mayMatchNonAscii = neg ? true : non;
  }

  private raw(c: number): boolean {
    if (inRanges(this.ranges, c)) return true;
    for (const s of this.subs) if (inRanges(s.ranges, c) !== s.neg) return true;
    return false;
  }

  private slowHas(c: number): boolean {
    let r = this.raw(c);
    if (!r && this.icase) {
      const ch = String.fromCharCode(c);
      const lo = ch.toLowerCase();
      const up = ch.toUpperCase();
      // Like JS non-unicode ignoreCase: no mapping from non-ASCII to ASCII.
      if (lo.length === 1 && !(c >= 128 && lo.charCodeAt(0) < 128)) r = this.raw(lo.charCodeAt(0));
      if (!r && up.length === 1 && !(c >= 128 && up.charCodeAt(0) < 128)) r = this.raw(up.charCodeAt(0));
    }
    return r !== this.neg;
  }

  has(c: number): boolean {
    if (c < 128) return (this.bitmap[c >>> 5]! & (1 << (c & 31))) !== 0;
    return this.slowHas(c);
  }

  /** True when no character belongs to both sets (checked on ASCII; non-ASCII assumed shared when both may hold it). */
  disjoint(o: CharSet): boolean {
    for (let i = 0; i < 4; i++) if ((this.bitmap[i]! & o.bitmap[i]!) !== 0) return false;
    return !(this.mayMatchNonAscii && o.mayMatchNonAscii);
  }
}

// ---------------------------------------------------------------------------------------------
// Parser

type RNode =
  | { k: 'set'; set: CharSet }
  | { k: 'cat'; items: RNode[] }
  | { k: 'alt'; alts: RNode[] }
  | { k: 'rep'; node: RNode; min: number; max: number }
  | { k: 'assert'; a: 1 | 2 | 3 | 4 } // ^ $ \b \B
  | { k: 'empty' };

class Parser {
  i = 0;
  depth = 0;
  constructor(
    readonly src: string,
    readonly flags: RegexFlags,
    readonly path: string,
  ) {}

  err(msg: string): Error {
    return invalid('regex', this.path, `invalid regular expression /${this.src}/: ${msg}`);
  }
  unsup(what: string): Error {
    return unsupported('regex', this.path, `regular expression /${this.src}/ uses ${what}, which is outside Sigma's regex flavour and not supported`);
  }

  set(ranges: number[], subs: SubSet[] = [], neg = false): RNode {
    return { k: 'set', set: new CharSet(ranges, subs, neg, this.flags.i) };
  }
  lit(c: number): RNode {
    return this.set([c, c]);
  }

  parse(): RNode {
    const n = this.alt();
    if (this.i < this.src.length) throw this.err(`unmatched ')' at position ${this.i + 1}`);
    return n;
  }

  alt(): RNode {
    const alts = [this.cat()];
    while (this.src[this.i] === '|') {
      this.i++;
      alts.push(this.cat());
    }
    return alts.length === 1 ? alts[0]! : { k: 'alt', alts };
  }

  cat(): RNode {
    const items: RNode[] = [];
    const s = this.src;
    while (this.i < s.length && s[this.i] !== '|' && s[this.i] !== ')') {
      const atomStart = this.i;
      const atom = this.atom();
      const q = this.quantifier();
      if (q) {
        if (atom.k === 'assert') throw this.err(`nothing to repeat at position ${atomStart + 1}`);
        items.push({ k: 'rep', node: atom, min: q[0], max: q[1] });
      } else items.push(atom);
    }
    if (items.length === 0) return { k: 'empty' };
    return items.length === 1 ? items[0]! : { k: 'cat', items };
  }

  quantifier(): [number, number] | null {
    const s = this.src;
    const c = s[this.i];
    let q: [number, number] | null = null;
    if (c === '*') q = [0, Infinity];
    else if (c === '+') q = [1, Infinity];
    else if (c === '?') q = [0, 1];
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(s.slice(this.i, this.i + 24));
      if (!m) return null;
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      if (max < min) throw this.err(`numbers out of order in quantifier ${m[0]}`);
      if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) throw this.unsup(`a repetition count above ${MAX_REPEAT}`);
      this.i += m[0].length - 1;
      q = [min, max];
    }
    if (!q) return null;
    this.i++;
    if (s[this.i] === '?') this.i++; // lazy: same language for a boolean search
    else if (s[this.i] === '+') throw this.unsup('a possessive quantifier');
    const n = s[this.i];
    if (n === '*' || n === '+' || n === '?' || (n === '{' && /^\{\d+(,\d*)?\}/.test(s.slice(this.i, this.i + 24)))) {
      throw this.err(`nothing to repeat at position ${this.i + 1}`);
    }
    return q;
  }

  atom(): RNode {
    const s = this.src;
    const c = s[this.i]!;
    switch (c) {
      case '(':
        return this.group();
      case '[':
        return this.cls();
      case '.':
        this.i++;
        return this.flags.s ? this.set([0, 0xffff]) : this.set(LINE_TERMINATORS.slice(), [], true);
      case '^':
        this.i++;
        return { k: 'assert', a: 1 };
      case '$':
        this.i++;
        return { k: 'assert', a: 2 };
      case '\\':
        return this.escape();
      case '*':
      case '+':
      case '?':
        throw this.err(`nothing to repeat at position ${this.i + 1}`);
      case '{':
        if (/^\{\d+(,\d*)?\}/.test(s.slice(this.i, this.i + 24))) throw this.err(`nothing to repeat at position ${this.i + 1}`);
        this.i++;
        return this.lit(123);
      default:
        this.i++;
        return this.lit(c.charCodeAt(0));
    }
  }

  group(): RNode {
    const s = this.src;
    const open = this.i;
    this.i++;
    if (s[this.i] === '?') {
      const rest = s.slice(this.i + 1, this.i + 4);
      if (rest.startsWith(':')) this.i += 2;
      else if (rest.startsWith('P<') || (rest.startsWith('<') && rest[1] !== '=' && rest[1] !== '!')) {
        const m = /^\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(s.slice(this.i));
        if (!m) throw this.err(`invalid group name at position ${open + 1}`);
        this.i += m[0].length;
      } else if (rest.startsWith('=') || rest.startsWith('!') || rest.startsWith('<=') || rest.startsWith('<!')) {
        throw this.unsup('lookaround');
      } else if (rest.startsWith('>')) throw this.unsup('an atomic group');
      else if (rest.startsWith('#')) throw this.unsup('a comment group');
      else if (rest.startsWith('P=') || rest.startsWith('P>')) throw this.unsup('a named back-reference');
      else throw this.unsup(`inline flags inside the pattern (position ${open + 1})`);
    }
    if (++this.depth > MAX_GROUP_DEPTH) throw this.unsup(`groups nested deeper than ${MAX_GROUP_DEPTH}`);
    const inner = this.alt();
    this.depth--;
    if (s[this.i] !== ')') throw this.err(`unterminated group opened at position ${open + 1}`);
    this.i++;
    // A group holding only an assertion may be quantified (`(\b)*`); a bare assertion may not.
    return inner.k === 'assert' ? { k: 'cat', items: [inner] } : inner;
  }

  /** An escape outside a class. */
  escape(): RNode {
    const s = this.src;
    const c = s[this.i + 1];
    if (c === undefined) throw this.err('\\ at end of pattern');
    this.i += 2;
    switch (c) {
      case 'd':
        return this.set(DIGIT.slice());
      case 'D':
        return this.set(DIGIT.slice(), [], true);
      case 'w':
        return this.set(WORD.slice());
      case 'W':
        return this.set(WORD.slice(), [], true);
      case 's':
        return this.set(SPACE.slice());
      case 'S':
        return this.set(SPACE.slice(), [], true);
      case 'b':
        return { k: 'assert', a: 3 };
      case 'B':
        return { k: 'assert', a: 4 };
    }
    return this.lit(this.escapedChar(c, false));
  }

  /** The code of a single-character escape `\c` (this.i already past `c`). */
  escapedChar(c: string, inClass: boolean): number {
    switch (c) {
      case 'n':
        return 10;
      case 'r':
        return 13;
      case 't':
        return 9;
      case 'f':
        return 12;
      case 'v':
        return 11;
      case 'a':
        return 7;
      case 'e':
        return 27;
      case '0':
        if (/[0-9]/.test(this.src[this.i] ?? '')) throw this.unsup('an octal escape');
        return 0;
      case 'x': {
        const m = /^[0-9A-Fa-f]{2}/.exec(this.src.slice(this.i, this.i + 2));
        if (!m) throw this.unsup('a \\x escape without two hex digits');
        this.i += 2;
        return parseInt(m[0], 16);
      }
      case 'u': {
        const m = /^[0-9A-Fa-f]{4}/.exec(this.src.slice(this.i, this.i + 4));
        if (!m) throw this.unsup('a \\u escape without four hex digits');
        this.i += 4;
        return parseInt(m[0], 16);
      }
      case 'c': {
        const l = this.src[this.i];
        if (!l || !/[A-Za-z]/.test(l)) throw this.unsup('an invalid \\c escape');
        this.i++;
        return l.charCodeAt(0) % 32;
      }
      case 'b':
        if (inClass) return 8;
        break;
    }
    if (/[1-9]/.test(c)) throw this.unsup(inClass ? 'an octal escape' : 'a back-reference');
    if (/[A-Za-z]/.test(c)) throw this.unsup(`the escape \\${c}`);
    return c.charCodeAt(0);
  }

  cls(): RNode {
    const s = this.src;
    const open = this.i;
    this.i++;
    let neg = false;
    if (s[this.i] === '^') {
      neg = true;
      this.i++;
    }
    const ranges: number[] = [];
    const subs: SubSet[] = [];
    let first = true;
    for (;;) {
      if (this.i >= s.length) throw this.err(`unterminated character class opened at position ${open + 1}`);
      const c = s[this.i]!;
      if (c === ']' && !first) {
        this.i++;
        break;
      }
      first = false;
      const lo = this.classAtom(subs);
      if (lo === null) continue;
      if (s[this.i] === '-' && s[this.i + 1] !== undefined && s[this.i + 1] !== ']') {
        const save = this.i;
        this.i++;
        const hi = this.classAtom(subs);
        if (hi === null) {
          // `[a-\d]`: the dash is literal (the class escape is already in subs).
          ranges.push(lo, lo, 45, 45);
          continue;
        }
        if (hi < lo) throw this.err(`range out of order in character class at position ${save + 1}`);
        ranges.push(lo, hi);
      } else ranges.push(lo, lo);
    }
    return this.set(ranges, subs, neg);
  }

  /** One class member: returns its code, or null after adding a class escape (\d...) to subs. */
  classAtom(subs: SubSet[]): number | null {
    const s = this.src;
    const c = s[this.i]!;
    if (c === '[' && (s[this.i + 1] === ':' || s[this.i + 1] === '=' || s[this.i + 1] === '.')) {
      const close = s.indexOf(s[this.i + 1] + ']', this.i + 2);
      if (close > 0) throw this.unsup('a POSIX character class');
    }
    if (c !== '\\') {
      this.i++;
      return c.charCodeAt(0);
    }
    const e = s[this.i + 1];
    if (e === undefined) throw this.err('\\ at end of pattern');
    this.i += 2;
    switch (e) {
      case 'd':
        subs.push({ ranges: DIGIT, neg: false });
        return null;
      case 'D':
        subs.push({ ranges: DIGIT, neg: true });
        return null;
      case 'w':
        subs.push({ ranges: WORD, neg: false });
        return null;
      case 'W':
        subs.push({ ranges: WORD, neg: true });
        return null;
      case 's':
        subs.push({ ranges: SPACE, neg: false });
        return null;
      case 'S':
        subs.push({ ranges: SPACE, neg: true });
        return null;
    }
    return this.escapedChar(e, true);
  }
}

// ---------------------------------------------------------------------------------------------
// Shape checks (catastrophic backtracking)

function firstSets(n: RNode): { sets: CharSet[]; nullable: boolean } {
  switch (n.k) {
    case 'set':
      return { sets: [n.set], nullable: false };
    case 'assert':
    case 'empty':
      return { sets: [], nullable: true };
    case 'rep': {
      const f = firstSets(n.node);
      return { sets: f.sets, nullable: f.nullable || n.min === 0 };
    }
    case 'alt': {
      const sets: CharSet[] = [];
      let nullable = false;
      for (const a of n.alts) {
        const f = firstSets(a);
        sets.push(...f.sets);
        nullable ||= f.nullable;
      }
      return { sets, nullable };
    }
    case 'cat': {
      const sets: CharSet[] = [];
      for (const it of n.items) {
        const f = firstSets(it);
        sets.push(...f.sets);
        if (!f.nullable) return { sets, nullable: false };
      }
      return { sets, nullable: true };
    }
  }
}

function variableReps(n: RNode, out: { k: 'rep'; node: RNode; min: number; max: number }[]): void {
  switch (n.k) {
    case 'rep':
      if (n.max > n.min) out.push(n);
      variableReps(n.node, out);
      return;
    case 'alt':
      n.alts.forEach((a) => variableReps(a, out));
      return;
    case 'cat':
      n.items.forEach((a) => variableReps(a, out));
      return;
    default:
      return;
  }
}

function alternations(n: RNode, out: { k: 'alt'; alts: RNode[] }[]): void {
  switch (n.k) {
    case 'alt':
      out.push(n);
      n.alts.forEach((a) => alternations(a, out));
      return;
    case 'cat':
      n.items.forEach((a) => alternations(a, out));
      return;
    case 'rep':
      alternations(n.node, out);
      return;
    default:
      return;
  }
}

/** Every character set in a node. */
function allSets(n: RNode, out: CharSet[]): CharSet[] {
  switch (n.k) {
    case 'set':
      out.push(n.set);
      break;
    case 'rep':
      allSets(n.node, out);
      break;
    case 'alt':
      n.alts.forEach((a) => allSets(a, out));
      break;
    case 'cat':
      n.items.forEach((a) => allSets(a, out));
      break;
    default:
      break;
  }
  return out;
}

function disjointAll(a: CharSet[], b: CharSet[]): boolean {
  return a.every((x) => b.every((y) => x.disjoint(y)));
}

/**
 * Can iterations of `body` (repeated) split a text in more than one way? They cannot when every
 * iteration must start with, or end with, a character that none of the body's variable-length
 * parts can consume: then each iteration boundary is fixed.
 */
function unambiguousIterations(body: RNode, inner: { node: RNode }[]): boolean {
  const innerSets: CharSet[] = [];
  for (const r of inner) allSets(r.node, innerSets);
  const first = firstSets(body);
  if (!first.nullable && disjointAll(first.sets, innerSets)) return true;
  const items = body.k === 'cat' ? body.items : [body];
  const last = items[items.length - 1];
  return last !== undefined && last.k === 'set' && disjointAll([last.set], innerSets);
}

/** Repetitions bounded at or below this count are not checked (their backtracking is bounded too). */
const RISKY_REPEAT = 10;

/** The reason a pattern risks catastrophic backtracking, or null. */
function backtrackingRisk(n: RNode): string | null {
  switch (n.k) {
    case 'rep': {
      if (n.max > RISKY_REPEAT) {
        const inner: { k: 'rep'; node: RNode; min: number; max: number }[] = [];
        variableReps(n.node, inner);
        if (inner.length > 0 && !unambiguousIterations(n.node, inner)) {
          return 'a nested quantifier (a repeated group that itself contains a variable repetition, like (a+)+)';
        }
        const alts: { k: 'alt'; alts: RNode[] }[] = [];
        alternations(n.node, alts);
        for (const a of alts) {
          const fs = a.alts.map(firstSets);
          for (let x = 0; x < fs.length; x++) {
            for (let y = x + 1; y < fs.length; y++) {
              const A = fs[x]!;
              const B = fs[y]!;
              if (A.nullable || B.nullable || A.sets.some((p) => B.sets.some((q) => !p.disjoint(q)))) {
                return 'a repeated alternation whose branches can match the same text (like (a|ab)*)';
              }
            }
          }
        }
      }
      return backtrackingRisk(n.node);
    }
    case 'alt':
      for (const a of n.alts) {
        const r = backtrackingRisk(a);
        if (r) return r;
      }
      return null;
    case 'cat':
      for (const a of n.items) {
        const r = backtrackingRisk(a);
        if (r) return r;
      }
      return null;
    default:
      return null;
  }
}

// ---------------------------------------------------------------------------------------------
// NFA

const OP_CHAR = 0;
const OP_SPLIT = 1;
const OP_EPS = 2;
const OP_ASSERT = 3;
const OP_MATCH = 4;

interface Frag {
  start: number;
  outs: number[]; // encoded state*2 + (0 for out1, 1 for out2)
}

class NfaBuilder {
  op: number[] = [];
  out1: number[] = [];
  out2: number[] = [];
  sets: (CharSet | null)[] = [];
  akind: number[] = [];

  constructor(readonly onTooLarge: () => Error) {}

  state(op: number, set: CharSet | null = null, a = 0): number {
    if (this.op.length >= MAX_NFA_STATES) throw this.onTooLarge();
    this.op.push(op);
    this.out1.push(-1);
    this.out2.push(-1);
    this.sets.push(set);
    this.akind.push(a);
    return this.op.length - 1;
  }

  patch(outs: number[], to: number): void {
    for (const o of outs) {
      if (o & 1) this.out2[o >> 1] = to;
      else this.out1[o >> 1] = to;
    }
  }

  build(n: RNode): Frag {
    switch (n.k) {
      case 'set': {
        const s = this.state(OP_CHAR, n.set);
        return { start: s, outs: [s * 2] };
      }
      case 'empty': {
        const s = this.state(OP_EPS);
        return { start: s, outs: [s * 2] };
      }
      case 'assert': {
        const s = this.state(OP_ASSERT, null, n.a);
        return { start: s, outs: [s * 2] };
      }
      case 'cat': {
        let f = this.build(n.items[0]!);
        const start = f.start;
        for (let i = 1; i < n.items.length; i++) {
          const g = this.build(n.items[i]!);
          this.patch(f.outs, g.start);
          f = g;
        }
        return { start, outs: f.outs };
      }
      case 'alt': {
        const frags = n.alts.map((a) => this.build(a));
        let f = frags[frags.length - 1]!;
        for (let i = frags.length - 2; i >= 0; i--) {
          const s = this.state(OP_SPLIT);
          this.out1[s] = frags[i]!.start;
          this.out2[s] = f.start;
          f = { start: s, outs: [...frags[i]!.outs, ...f.outs] };
        }
        return f;
      }
      case 'rep': {
        const parts: Frag[] = [];
        const mandatory = n.max === Infinity ? Math.max(0, n.min - 1) : n.min;
        for (let i = 0; i < mandatory; i++) parts.push(this.build(n.node));
        if (n.max === Infinity) {
          const body = this.build(n.node);
          const s = this.state(OP_SPLIT);
          this.out1[s] = body.start;
          this.patch(body.outs, s);
          // x{n,} with n >= 1: x^(n-1) x+ ; with n = 0: x*
          parts.push(n.min >= 1 ? { start: body.start, outs: [s * 2 + 1] } : { start: s, outs: [s * 2 + 1] });
        } else {
          for (let i = n.min; i < n.max; i++) {
            const body = this.build(n.node);
            const s = this.state(OP_SPLIT);
            this.out1[s] = body.start;
            parts.push({ start: s, outs: [...body.outs, s * 2 + 1] });
          }
        }
        if (parts.length === 0) {
          const s = this.state(OP_EPS);
          return { start: s, outs: [s * 2] };
        }
        let f = parts[0]!;
        const start = f.start;
        for (let i = 1; i < parts.length; i++) {
          this.patch(f.outs, parts[i]!.start);
          f = parts[i]!;
        }
        return { start, outs: f.outs };
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Lazy DFA

const C_EDGE = 0; // start of input (as previous) or end of input (as next)
const C_WORD = 1;
const C_NL = 2;
const C_OTHER = 3;

function charClass(c: number): number {
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95) return C_WORD;
  if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) return C_NL;
  return C_OTHER;
}

class DState {
  next: (DState | undefined)[] = new Array<DState | undefined>(128);
  other: Map<number, DState> | null = null;
  /** Acceptance with next class 0..3 (-1 unknown). */
  acc = new Int8Array([-1, -1, -1, -1]);
  constructor(
    readonly kernel: Int32Array,
    readonly prev: number,
  ) {}
}

const ACCEPT = new DState(new Int32Array(0), 0);

export class LinearRegex {
  private readonly op: Uint8Array;
  private readonly out1: Int32Array;
  private readonly out2: Int32Array;
  private readonly sets: (CharSet | null)[];
  private readonly akind: Uint8Array;
  private readonly start: number;
  private readonly multiline: boolean;
  private readonly initial: DState;
  private states: DState[] = [];
  private index = new Map<string, DState>();
  private readonly mark: Uint32Array;
  private gen = 1;
  private readonly stack: Int32Array;
  private readonly buf: Int32Array;
  /** Number of times the DFA cache was flushed (for tests and reports). */
  flushes = 0;

  constructor(
    readonly source: string,
    readonly flags: RegexFlags,
    nfa: NfaBuilder,
    start: number,
  ) {
    this.op = Uint8Array.from(nfa.op);
    this.out1 = Int32Array.from(nfa.out1);
    this.out2 = Int32Array.from(nfa.out2);
    this.sets = nfa.sets;
    this.akind = Uint8Array.from(nfa.akind);
    this.start = start;
    this.multiline = flags.m;
    const n = this.op.length;
    this.mark = new Uint32Array(n);
    this.stack = new Int32Array(n * 3 + 4);
    this.buf = new Int32Array(n + 1);
    this.initial = new DState(Int32Array.of(start), C_EDGE);
    this.register(this.initial);
  }

  get stateCount(): number {
    return this.op.length;
  }

  private key(kernel: Int32Array, prev: number): string {
    return `${prev}:${kernel.join(',')}`;
  }

  private register(d: DState): void {
    this.states.push(d);
    this.index.set(this.key(d.kernel, d.prev), d);
  }

  private assertHolds(kind: number, prev: number, next: number): boolean {
    switch (kind) {
      case 1:
        return prev === C_EDGE || (this.multiline && prev === C_NL);
      case 2:
        return next === C_EDGE || (this.multiline && next === C_NL);
      case 3:
        return (prev === C_WORD) !== (next === C_WORD);
      case 4:
        return (prev === C_WORD) === (next === C_WORD);
    }
    return false;
  }

  /** Epsilon closure of `kernel` between a `prev` and a `next` character class; CHAR states go to buf. Returns [count, matched]. */
  private closure(kernel: Int32Array, prev: number, next: number): number {
    const g = ++this.gen === 0xffffffff ? this.resetMarks() : this.gen;
    const mark = this.mark;
    const stack = this.stack;
    const op = this.op;
    let sp = 0;
    let count = 0;
    let matched = false;
    for (let i = kernel.length - 1; i >= 0; i--) stack[sp++] = kernel[i]!;
    while (sp > 0) {
      const s = stack[--sp]!;
      if (s < 0 || mark[s] === g) continue;
      mark[s] = g;
      switch (op[s]) {
        case OP_CHAR:
          this.buf[count++] = s;
          break;
        case OP_MATCH:
          matched = true;
          break;
        case OP_EPS:
          stack[sp++] = this.out1[s]!;
          break;
        case OP_SPLIT:
          stack[sp++] = this.out2[s]!;
          stack[sp++] = this.out1[s]!;
          break;
        case OP_ASSERT:
          if (this.assertHolds(this.akind[s]!, prev, next)) stack[sp++] = this.out1[s]!;
          break;
      }
    }
    return matched ? -1 : count;
  }

  private resetMarks(): number {
    this.mark.fill(0);
    this.gen = 1;
    return 1;
  }

  private transition(d: DState, c: number): DState {
    const cls = charClass(c);
    const count = this.closure(d.kernel, d.prev, cls);
    let target: DState;
    if (count < 0) target = ACCEPT;
    else {
      const g = ++this.gen === 0xffffffff ? this.resetMarks() : this.gen;
      const mark = this.mark;
      const ids: number[] = [this.start];
      mark[this.start] = g;
      for (let i = 0; i < count; i++) {
        const s = this.buf[i]!;
        if (this.sets[s]!.has(c)) {
          const t = this.out1[s]!;
          if (mark[t] !== g) {
            mark[t] = g;
            ids.push(t);
          }
        }
      }
      const kernel = Int32Array.from(ids).sort();
      const k = this.key(kernel, cls);
      let found = this.index.get(k);
      if (!found) {
        if (this.states.length >= MAX_DFA_STATES) this.flush();
        found = new DState(kernel, cls);
        this.register(found);
      }
      target = found;
    }
    if (c < 128) d.next[c] = target;
    else (d.other ??= new Map()).set(c, target);
    return target;
  }

  /** Drop the DFA cache (keeps memory bounded; matching stays linear, just slower for a while). */
  private flush(): void {
    this.flushes++;
    for (const s of this.states) {
      s.next.fill(undefined);
      s.other = null;
    }
    this.states = [];
    this.index.clear();
    this.register(this.initial);
  }

  private accepts(d: DState, next: number): boolean {
    let a = d.acc[next]!;
    if (a < 0) {
      a = this.closure(d.kernel, d.prev, next) < 0 ? 1 : 0;
      d.acc[next] = a;
    }
    return a === 1;
  }

  /** True when the pattern occurs in `s` (searching only the first REGEX_INPUT_LIMIT code units). */
  test(s: string): boolean {
    const n = s.length < REGEX_INPUT_LIMIT ? s.length : REGEX_INPUT_LIMIT;
    let cur = this.initial;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      let nx = c < 128 ? cur.next[c] : cur.other?.get(c);
      if (nx === undefined) nx = this.transition(cur, c);
      if (nx === ACCEPT) return true;
      cur = nx;
    }
    return this.accepts(cur, n < s.length ? charClass(s.charCodeAt(n)) : C_EDGE);
  }
}

/** Leading inline flags `(?i)`, `(?s)`, `(?m)`, `(?ims)` become flags. */
function leadingFlags(source: string, flags: RegexFlags, path: string): { body: string; flags: RegexFlags } {
  const f = { ...flags };
  let body = source;
  for (;;) {
    const m = /^\(\?([A-Za-z]+)\)/.exec(body);
    if (!m) break;
    for (const ch of m[1]!) {
      if (ch === 'i') f.i = true;
      else if (ch === 'm') f.m = true;
      else if (ch === 's') f.s = true;
      else throw unsupported('regex', path, `regular expression /${source}/ uses the inline flag '${ch}', which is not supported`);
    }
    body = body.slice(m[0].length);
  }
  return { body, flags: f };
}

/**
 * Check and compile a Sigma regex. Throws SigmaRuleError: `error` for an invalid pattern,
 * `unsupported` (feature `regex` or `regex-backtracking`) for valid PCRE Vigil will not run.
 */
export function compileRegex(source: string, flags: RegexFlags, path = 're'): LinearRegex {
  const { body, flags: f } = leadingFlags(source, flags, path);
  const p = new Parser(body, f, path);
  const ast = p.parse();
  // The same text must also be a valid JavaScript regex (guards against parser gaps).
  try {
    new RegExp(body.replace(/\(\?P</g, '(?<'), (f.i ? 'i' : '') + (f.m ? 'm' : '') + (f.s ? 's' : ''));
  } catch (e) {
    throw invalid('regex', path, `invalid regular expression /${source}/: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`);
  }
  const risk = backtrackingRisk(ast);
  if (risk) throw unsupported('regex-backtracking', path, `regular expression /${source}/ has ${risk}, which backtracks catastrophically`);
  const b = new NfaBuilder(() => unsupported('regex', path, `regular expression /${source}/ is too large (more than ${MAX_NFA_STATES} states after expanding repetitions)`));
  const frag = b.build(ast);
  const m = b.state(OP_MATCH);
  b.patch(frag.outs, m);
  return new LinearRegex(source, f, b, frag.start);
}
