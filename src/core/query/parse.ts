/**
 * Parser for Vigil's search language, a dialect of Kibana's KQL.
 *
 *   query     := orExpr?
 *   orExpr    := andExpr (OR andExpr)*
 *   andExpr   := unary ((AND)? unary)*          juxtaposition is an implicit AND
 *   unary     := NOT* primary
 *   primary   := '(' orExpr ')' | field ':' fieldValue | field rangeOp value | word | "phrase"
 *   fieldValue:= '*' | value | rangeOp value | '(' listOr ')'
 *   listOr    := listAnd (OR listAnd)*;  listAnd := listUnary ((AND)? listUnary)*
 *   listUnary := NOT* ('(' listOr ')' | value | '*')
 *
 * Departures from KQL, on purpose:
 * - Juxtaposed words are ANDed (`failed login` = `failed AND login`); KQL would read them as one
 *   unquoted literal matched as "any of the words". Quote a phrase to match it as a phrase.
 * - Unquoted values after `field:` may contain `:`, `<`, `>` (IPv6 addresses, URLs, ISO times):
 *   `url.full:http://x`, `@timestamp:2024-01-01T10:00:00Z`.
 * - `field:>=10` (Lucene style) is accepted as a range, like `field >= 10`.
 * - A bare `*` matches everything.
 * Keywords (and, or, not; any case) are words on their own; to use one as a value, quote it.
 * Escapes: in unquoted text a backslash escapes whitespace and `\ ( ) : < > " *`; before any other
 * character it is a literal backslash (so `C:\Windows` works). In quoted text `\"` and `\\` are
 * escapes and any other backslash is literal. Inside quotes `*` is literal.
 *
 * The parser is recursive only through parentheses and bounded by maxDepth (clamped to 500), so
 * any input ends in a result or a QuerySyntaxError, never a stack overflow.
 */
import { DEFAULT_QUERY_LIMITS, type QueryLimits, type QueryNode, type RangeOp } from './ast.ts';
import { QuerySyntaxError } from './errors.ts';

const HARD_MAX_DEPTH = 500;

/** What can start an expression. */
const START = ['field', 'value', '(', 'NOT'];
/** What can start an expression inside a value list `field:( … )`. */
const LIST_START = ['value', '(', 'NOT'];

type Keyword = 'AND' | 'OR' | 'NOT';

interface Word {
  /** Literal text, escapes resolved. */
  text: string;
  /** Pattern form: `*` wildcard, `\*` and `\\` literal star and backslash. */
  pattern: string;
  /** Has an unescaped `*`. */
  wildcard: boolean;
  /** Made only of unescaped `*`. */
  onlyStars: boolean;
  /** Used a backslash escape. */
  escaped: boolean;
  /** Offset of the first unescaped character not allowed in a field name, or -1. */
  badFieldChar: number;
  start: number;
  end: number;
}

const FIELD_CHAR = /[\p{L}\p{N}_.@-]/u;
const WS = /\s/;
const SPECIAL = new Set(['\\', '(', ')', ':', '<', '>', '"', '*']);

function isSpecial(c: string): boolean {
  return SPECIAL.has(c) || WS.test(c);
}

function keywordOf(w: Word): Keyword | null {
  if (w.escaped || w.wildcard) return null;
  const t = w.text.toLowerCase();
  return t === 'and' ? 'AND' : t === 'or' ? 'OR' : t === 'not' ? 'NOT' : null;
}

function andOr(type: 'and' | 'or', parts: QueryNode[]): QueryNode {
  if (parts.length === 1) return parts[0];
  const children: QueryNode[] = [];
  for (const p of parts) {
    if (p.type === type) children.push(...p.children);
    else children.push(p);
  }
  return { type, children };
}

function quoteForMessage(c: string): string {
  return JSON.stringify(c).replace(/^"|"$/g, "'");
}

class Parser {
  private i = 0;
  private depth = 0;
  private terms = 0;
  private readonly maxDepth: number;
  private readonly maxTerms: number;

  constructor(
    private readonly s: string,
    limits: Required<QueryLimits>,
  ) {
    this.maxDepth = Math.min(limits.maxDepth, HARD_MAX_DEPTH);
    this.maxTerms = limits.maxTerms;
  }

  parse(): QueryNode {
    this.skipWs();
    if (this.eof()) return { type: 'all' };
    const node = this.parseOr(null, 'start');
    this.skipWs();
    if (!this.eof()) {
      // Only a ')' can stop parseOr at the top level.
      throw new QuerySyntaxError(this.i, `unexpected ${quoteForMessage(this.s[this.i])} (no matching '(')`, [
        'AND',
        'OR',
        ...START,
        'end of query',
      ]);
    }
    return node;
  }

  // ---- character level -------------------------------------------------------------------------

  private eof(): boolean {
    return this.i >= this.s.length;
  }

  private skipWs(): void {
    while (this.i < this.s.length && WS.test(this.s[this.i])) this.i++;
  }

  /** Reads an unquoted word. In 'primary' mode it also stops at `:`, `<` and `>`. */
  private readWord(mode: 'primary' | 'value'): Word {
    const s = this.s;
    const start = this.i;
    let text = '';
    let pattern = '';
    let wildcard = false;
    let onlyStars = true;
    let escaped = false;
    let badFieldChar = -1;
    let i = this.i;
    while (i < s.length) {
      const c = s[i];
      if (WS.test(c) || c === '(' || c === ')' || c === '"') break;
      if (mode === 'primary' && (c === ':' || c === '<' || c === '>')) break;
      if (c === '\\' && i + 1 < s.length && isSpecial(s[i + 1])) {
        const e = s[i + 1];
        text += e;
        pattern += e === '*' || e === '\\' ? '\\' + e : e;
        escaped = true;
        onlyStars = false;
        i += 2;
        continue;
      }
      if (c === '*') {
        wildcard = true;
        text += c;
        pattern += c;
        if (badFieldChar < 0) badFieldChar = i;
        i++;
        continue;
      }
      onlyStars = false;
      if (badFieldChar < 0 && !FIELD_CHAR.test(c)) badFieldChar = i;
      text += c;
      pattern += c === '\\' ? '\\\\' : c;
      i++;
    }
    this.i = i;
    return { text, pattern, wildcard, onlyStars: onlyStars && wildcard, escaped, badFieldChar, start, end: i };
  }

  /** Reads a quoted string starting at the current `"`. */
  private readQuoted(): { text: string; start: number } {
    const s = this.s;
    const start = this.i;
    let i = this.i + 1;
    let text = '';
    while (i < s.length) {
      const c = s[i];
      if (c === '"') {
        this.i = i + 1;
        return { text, start };
      }
      if (c === '\\' && i + 1 < s.length && (s[i + 1] === '"' || s[i + 1] === '\\')) {
        text += s[i + 1];
        i += 2;
        continue;
      }
      text += c;
      i++;
    }
    throw new QuerySyntaxError(s.length, `expected '"' to close the quoted value opened at ${start}`, ['"']);
  }

  /** The keyword at the current position (after whitespace), without consuming it. */
  private peekKeyword(mode: 'primary' | 'value'): Keyword | null {
    this.skipWs();
    if (this.eof()) return null;
    const c = this.s[this.i];
    if (c === '(' || c === ')' || c === '"' || c === ':' || c === '<' || c === '>') return null;
    const save = this.i;
    const w = this.readWord(mode);
    const kw = keywordOf(w);
    let result: Keyword | null = kw;
    if (kw && mode === 'primary') {
      // `not:foo` and `or>=3` name fields called not / or (only when the colon or operator is adjacent).
      const n = this.s[this.i];
      if (n === ':' || n === '<' || n === '>') result = null;
    }
    this.i = save;
    return result;
  }

  private consumeWord(): void {
    this.skipWs();
    this.readWord('primary');
  }

  private enter(pos: number): void {
    if (++this.depth > this.maxDepth) {
      throw new QuerySyntaxError(pos, `nesting is deeper than the limit of ${this.maxDepth} (maxDepth)`, [], 'maxDepth');
    }
  }

  private countTerm(pos: number): void {
    if (++this.terms > this.maxTerms) {
      throw new QuerySyntaxError(pos, `more terms than the limit of ${this.maxTerms} (maxTerms)`, [], 'maxTerms');
    }
  }

  private readRangeOp(): RangeOp {
    const c = this.s[this.i] as '<' | '>';
    this.i++;
    if (this.s[this.i] === '=') {
      this.i++;
      return c === '<' ? '<=' : '>=';
    }
    return c;
  }

  // ---- expressions -----------------------------------------------------------------------------

  /** `after` names what precedes this expression, for error messages. */
  private parseOr(openParen: number | null, after: string): QueryNode {
    const parts = [this.parseAnd(openParen, after)];
    while (this.peekKeyword('primary') === 'OR') {
      this.consumeWord();
      parts.push(this.parseAnd(openParen, "'OR'"));
    }
    return andOr('or', parts);
  }

  private parseAnd(openParen: number | null, after: string): QueryNode {
    const parts = [this.parseUnary(after)];
    for (;;) {
      const kw = this.peekKeyword('primary');
      if (this.eof() || this.s[this.i] === ')' || kw === 'OR') break;
      if (kw === 'AND') {
        this.consumeWord();
        parts.push(this.parseUnary("'AND'"));
      } else {
        parts.push(this.parseUnary(null));
      }
    }
    return andOr('and', parts);
  }

  private missingOperand(after: string | null, expected: string[]): never {
    const what = after === 'start' || after === null ? 'an expression' : `an expression after ${after}`;
    if (this.eof()) throw new QuerySyntaxError(this.i, `expected ${what}`, expected);
    const c = this.s[this.i];
    const kw = this.peekKeyword('primary');
    const found = kw ?? quoteForMessage(c);
    throw new QuerySyntaxError(this.i, `expected ${what}, found ${kw ? `'${kw}'` : found}`, expected);
  }

  private parseUnary(after: string | null): QueryNode {
    const nots: number[] = [];
    let label = after;
    while (this.peekKeyword('primary') === 'NOT') {
      nots.push(this.i);
      this.enter(this.i);
      this.consumeWord();
      label = "'NOT'";
    }
    this.skipWs();
    const kw = this.peekKeyword('primary');
    if (this.eof() || this.s[this.i] === ')' || kw === 'AND' || kw === 'OR') this.missingOperand(label, START);
    let node = this.parsePrimary();
    for (let k = nots.length - 1; k >= 0; k--) node = { type: 'not', child: node };
    this.depth -= nots.length;
    return node;
  }

  private parsePrimary(): QueryNode {
    const c = this.s[this.i];
    if (c === '(') {
      const open = this.i;
      this.enter(open);
      this.i++;
      const node = this.parseOr(open, "'('");
      this.skipWs();
      this.closeParen(open, ['AND', 'OR', ...START]);
      this.depth--;
      return node;
    }
    if (c === '"') {
      const q = this.readQuoted();
      this.countTerm(q.start);
      return { type: 'term', field: null, value: q.text, quoted: true, wildcard: false, pos: q.start };
    }
    if (c === ':' || c === '<' || c === '>') {
      throw new QuerySyntaxError(this.i, `unexpected ${quoteForMessage(c)}: a field name must come first`, START);
    }
    const w = this.readWord('primary');
    const afterWord = this.i;
    this.skipWs();
    const n = this.s[this.i];
    if (n === ':' || n === '<' || n === '>') {
      const field = this.fieldName(w);
      if (n === ':') {
        this.i++;
        return this.parseFieldValue(field, w.start);
      }
      const op = this.readRangeOp();
      return this.parseRangeValue(field, w.start, op);
    }
    this.i = afterWord;
    if (w.onlyStars) return { type: 'all' };
    this.countTerm(w.start);
    return w.wildcard
      ? { type: 'term', field: null, value: w.pattern, quoted: false, wildcard: true, pos: w.start }
      : { type: 'term', field: null, value: w.text, quoted: false, wildcard: false, pos: w.start };
  }

  private closeParen(open: number, expectedBefore: string[]): void {
    if (this.s[this.i] === ')') {
      this.i++;
      return;
    }
    if (this.eof()) {
      throw new QuerySyntaxError(this.i, `expected ')' to close '(' opened at ${open}`, [')', ...expectedBefore]);
    }
    throw new QuerySyntaxError(this.i, `unexpected ${quoteForMessage(this.s[this.i])}`, [')', ...expectedBefore]);
  }

  private fieldName(w: Word): string {
    if (w.badFieldChar >= 0) {
      const bad = this.s[w.badFieldChar];
      throw new QuerySyntaxError(
        w.badFieldChar,
        `invalid character ${quoteForMessage(bad)} in field name (field names use letters, digits, _ . @ - and backslash-escaped special characters)`,
        ['field'],
      );
    }
    return w.text;
  }

  private parseFieldValue(field: string, pos: number): QueryNode {
    this.skipWs();
    if (this.eof() || this.s[this.i] === ')') {
      throw new QuerySyntaxError(this.i, "expected a value after ':'", ['value', '(']);
    }
    const c = this.s[this.i];
    if (c === '(') {
      const open = this.i;
      this.enter(open);
      this.i++;
      const node = this.parseListOr(field, "'('");
      this.skipWs();
      this.closeParen(open, ['AND', 'OR', ...LIST_START]);
      this.depth--;
      return node;
    }
    if (c === '"') {
      const q = this.readQuoted();
      this.countTerm(pos);
      return { type: 'term', field, value: q.text, quoted: true, wildcard: false, pos };
    }
    if (c === '<' || c === '>') {
      const op = this.readRangeOp();
      return this.parseRangeValue(field, pos, op);
    }
    const w = this.readWord('value');
    const kw = keywordOf(w);
    if (kw) {
      throw new QuerySyntaxError(w.start, `expected a value after ':', found '${kw}' (quote it to search for the word)`, [
        'value',
        '(',
      ]);
    }
    return this.valueNode(field, w, pos);
  }

  private valueNode(field: string, w: Word, pos: number): QueryNode {
    this.countTerm(pos);
    if (w.onlyStars) return { type: 'exists', field, pos };
    return w.wildcard
      ? { type: 'term', field, value: w.pattern, quoted: false, wildcard: true, pos }
      : { type: 'term', field, value: w.text, quoted: false, wildcard: false, pos };
  }

  private parseRangeValue(field: string, pos: number, op: RangeOp): QueryNode {
    this.skipWs();
    const c = this.s[this.i];
    if (this.eof() || c === ')' || c === '(') {
      throw new QuerySyntaxError(this.i, `expected a value after '${op}'`, ['value']);
    }
    let value: string;
    if (c === '"') {
      value = this.readQuoted().text;
    } else {
      const w = this.readWord('value');
      const kw = keywordOf(w);
      if (kw) throw new QuerySyntaxError(w.start, `expected a value after '${op}', found '${kw}'`, ['value']);
      value = w.text;
    }
    this.countTerm(pos);
    return { type: 'range', field, op, value, pos };
  }

  // ---- value lists: field:(a or b and not c) ---------------------------------------------------

  private parseListOr(field: string, after: string): QueryNode {
    const parts = [this.parseListAnd(field, after)];
    while (this.peekKeyword('value') === 'OR') {
      this.skipWs();
      this.readWord('value');
      parts.push(this.parseListAnd(field, "'OR'"));
    }
    return andOr('or', parts);
  }

  private parseListAnd(field: string, after: string): QueryNode {
    const parts = [this.parseListUnary(field, after)];
    for (;;) {
      const kw = this.peekKeyword('value');
      if (this.eof() || this.s[this.i] === ')' || kw === 'OR') break;
      if (kw === 'AND') {
        this.readWord('value');
        parts.push(this.parseListUnary(field, "'AND'"));
      } else {
        parts.push(this.parseListUnary(field, null));
      }
    }
    return andOr('and', parts);
  }

  private parseListUnary(field: string, after: string | null): QueryNode {
    const nots: number[] = [];
    let label = after;
    while (this.peekKeyword('value') === 'NOT') {
      nots.push(this.i);
      this.enter(this.i);
      this.readWord('value');
      label = "'NOT'";
    }
    this.skipWs();
    const kw = this.peekKeyword('value');
    const c = this.s[this.i];
    if (this.eof() || c === ')' || kw === 'AND' || kw === 'OR') {
      const what = label === null ? 'a value' : `a value after ${label}`;
      if (this.eof()) throw new QuerySyntaxError(this.i, `expected ${what}`, LIST_START);
      throw new QuerySyntaxError(this.i, `expected ${what}, found ${kw ? `'${kw}'` : quoteForMessage(c)}`, LIST_START);
    }
    if (c === '<' || c === '>') {
      throw new QuerySyntaxError(this.i, 'ranges are not allowed in a value list; write field >= value', LIST_START);
    }
    let node: QueryNode;
    if (c === '(') {
      const open = this.i;
      this.enter(open);
      this.i++;
      node = this.parseListOr(field, "'('");
      this.skipWs();
      this.closeParen(open, ['AND', 'OR', ...LIST_START]);
      this.depth--;
    } else if (c === '"') {
      const q = this.readQuoted();
      this.countTerm(q.start);
      node = { type: 'term', field, value: q.text, quoted: true, wildcard: false, pos: q.start };
    } else {
      const w = this.readWord('value');
      node = this.valueNode(field, w, w.start);
    }
    for (let k = nots.length - 1; k >= 0; k--) node = { type: 'not', child: node };
    this.depth -= nots.length;
    return node;
  }
}

/**
 * Parses a query. Empty or blank text gives `{ type: 'all' }`. Throws QuerySyntaxError with the
 * 0-based offset (in UTF-16 code units) of the problem and what would have been valid there.
 */
export function parseQuery(text: string, limits?: QueryLimits): QueryNode {
  const l: Required<QueryLimits> = {
    maxLength: limits?.maxLength ?? DEFAULT_QUERY_LIMITS.maxLength,
    maxDepth: limits?.maxDepth ?? DEFAULT_QUERY_LIMITS.maxDepth,
    maxTerms: limits?.maxTerms ?? DEFAULT_QUERY_LIMITS.maxTerms,
  };
  if (typeof text !== 'string') throw new TypeError('parseQuery: text must be a string');
  if (text.length > l.maxLength) {
    throw new QuerySyntaxError(
      l.maxLength,
      `query is longer than the limit of ${l.maxLength} characters (maxLength)`,
      [],
      'maxLength',
    );
  }
  return new Parser(text, l).parse();
}
