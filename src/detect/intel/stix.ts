import { type AlertLevel, type IndicatorInput, type IndicatorType } from '../../core/index.ts';
import { isPlainObject } from '../../lib/index.ts';
import { checkConfidence, checkDate, emptyResult, FieldError, ImportFormatError, ipOrCidr, isAlertLevel, pushUnique, uniqueStrings, type ImportResult } from './import-result.ts';
import { severityOfConfidence } from './indicator.ts';
import { inferIndicatorType } from './lines.ts';

/* ------------------------------------------------------------------------------------------------
 * STIX 2.1 patterning (STIX 2.1 part 9): lexer and recursive-descent parser for the whole grammar
 * (observation expressions, qualifiers, comparison operators, literals), then a translation of the
 * subset Vigil can match value by value.
 * ---------------------------------------------------------------------------------------------- */

/** A pattern that does not follow the STIX patterning grammar. `position` is 1-based. */
export class StixPatternError extends Error {
  override readonly name = 'StixPatternError';
  constructor(
    readonly position: number,
    readonly detail: string,
  ) {
    super(`syntax error at character ${position}: ${detail}`);
  }
}

type TokenKind = 'ident' | 'string' | 'timestamp' | 'binary' | 'hex' | 'number' | 'op' | '[' | ']' | '(' | ')' | ':' | '.' | ',' | '*' | 'eof';
interface Token {
  kind: TokenKind;
  /** Decoded text: a string without its quotes and escapes, an operator, an identifier. */
  text: string;
  /** 0-based offset in the pattern. */
  pos: number;
}

function lex(pattern: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const quoted = (start: number): string => {
    // pattern[start] is the opening quote.
    let out = '';
    let j = start + 1;
    for (;;) {
      if (j >= pattern.length) throw new StixPatternError(start + 1, 'string not closed');
      const c = pattern[j]!;
      if (c === '\\') {
        const next = pattern[j + 1];
        if (next !== "'" && next !== '\\') throw new StixPatternError(j + 1, `unknown escape \\${next ?? ''} (only \\' and \\\\)`);
        out += next;
        j += 2;
      } else if (c === "'") {
        i = j + 1;
        return out;
      } else {
        out += c;
        j++;
      }
    }
  };
  while (i < pattern.length) {
    const c = pattern[i]!;
    const start = i;
    if (/\s/.test(c)) {
      i++;
    } else if ((c === 't' || c === 'b' || c === 'h') && pattern[i + 1] === "'") {
      const text = quoted(i + 1);
      tokens.push({ kind: c === 't' ? 'timestamp' : c === 'b' ? 'binary' : 'hex', text, pos: start });
    } else if (c === "'") {
      tokens.push({ kind: 'string', text: quoted(i), pos: start });
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(pattern.slice(i))!;
      tokens.push({ kind: 'ident', text: m[0], pos: start });
      i += m[0].length;
    } else if (/[0-9]/.test(c) || ((c === '-' || c === '+') && /[0-9]/.test(pattern[i + 1] ?? ''))) {
      const m = /^[+-]?[0-9]+(?:\.[0-9]+)?/.exec(pattern.slice(i))!;
      tokens.push({ kind: 'number', text: m[0], pos: start });
      i += m[0].length;
    } else {
      const two = pattern.slice(i, i + 2);
      if (two === '==' || two === '!=' || two === '<>' || two === '<=' || two === '>=') {
        tokens.push({ kind: 'op', text: two === '==' ? '=' : two === '<>' ? '!=' : two, pos: start });
        i += 2;
      } else if (c === '=' || c === '<' || c === '>') {
        tokens.push({ kind: 'op', text: c, pos: start });
        i++;
      } else if ('[]():.,*'.includes(c)) {
        tokens.push({ kind: c as TokenKind, text: c, pos: start });
        i++;
      } else {
        throw new StixPatternError(start + 1, `unexpected character ${JSON.stringify(c)}`);
      }
    }
  }
  tokens.push({ kind: 'eof', text: '', pos: pattern.length });
  return tokens;
}

export type PathStep = { kind: 'property'; name: string; quoted: boolean } | { kind: 'index'; index: number | '*' };
export interface ObjectPath {
  objectType: string;
  steps: PathStep[];
}

export type Literal =
  | { kind: 'string' | 'timestamp' | 'binary' | 'hex'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'set'; items: Literal[] };

export type ComparisonExpression =
  | { kind: 'and' | 'or'; left: ComparisonExpression; right: ComparisonExpression }
  | {
      kind: 'test';
      path: ObjectPath;
      /** `=`, `!=`, `<`, `<=`, `>`, `>=`, `IN`, `LIKE`, `MATCHES`, `ISSUBSET`, `ISSUPERSET`, `EXISTS`. */
      operator: string;
      negated: boolean;
      value: Literal | null;
      /** 1-based. */
      position: number;
    };

export type Qualifier = { kind: 'WITHIN'; seconds: number } | { kind: 'REPEATS'; times: number } | { kind: 'START'; start: string; stop: string };

export type ObservationExpression =
  | { kind: 'observation'; comparison: ComparisonExpression }
  | { kind: 'and' | 'or' | 'followedby'; left: ObservationExpression; right: ObservationExpression }
  | { kind: 'qualified'; expression: ObservationExpression; qualifier: Qualifier };

const COMPARISON_KEYWORDS = ['LIKE', 'MATCHES', 'IN', 'ISSUBSET', 'ISSUPERSET'];

class Parser {
  private at = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  private peek(): Token {
    return this.tokens[this.at]!;
  }
  private next(): Token {
    const t = this.tokens[this.at]!;
    if (t.kind !== 'eof') this.at++;
    return t;
  }
  private isKeyword(word: string, t: Token = this.peek()): boolean {
    return t.kind === 'ident' && t.text.toUpperCase() === word;
  }
  private fail(expected: string, t: Token = this.peek()): never {
    const found = t.kind === 'eof' ? 'the end of the pattern' : JSON.stringify(this.source.slice(t.pos, t.pos + 20).split(/\s/)[0] || t.text);
    throw new StixPatternError(t.pos + 1, `expected ${expected}, found ${found}`);
  }
  private expect(kind: TokenKind, what: string): Token {
    if (this.peek().kind !== kind) this.fail(what);
    return this.next();
  }
  private expectKeyword(word: string): void {
    if (!this.isKeyword(word)) this.fail(word);
    this.next();
  }

  pattern(): ObservationExpression {
    const expression = this.followedBy();
    if (this.peek().kind !== 'eof') this.fail('AND, OR, FOLLOWEDBY, a qualifier or the end of the pattern');
    return expression;
  }

  private followedBy(): ObservationExpression {
    let left = this.observationOr();
    while (this.isKeyword('FOLLOWEDBY')) {
      this.next();
      left = { kind: 'followedby', left, right: this.observationOr() };
    }
    return left;
  }
  private observationOr(): ObservationExpression {
    let left = this.observationAnd();
    while (this.isKeyword('OR')) {
      this.next();
      left = { kind: 'or', left, right: this.observationAnd() };
    }
    return left;
  }
  private observationAnd(): ObservationExpression {
    let left = this.observation();
    while (this.isKeyword('AND')) {
      this.next();
      left = { kind: 'and', left, right: this.observation() };
    }
    return left;
  }
  private observation(): ObservationExpression {
    let expression: ObservationExpression;
    if (this.peek().kind === '[') {
      this.next();
      expression = { kind: 'observation', comparison: this.comparisonOr() };
      this.expect(']', "']' or AND/OR");
    } else if (this.peek().kind === '(') {
      this.next();
      expression = this.followedBy();
      this.expect(')', "')'");
    } else {
      this.fail("'[' starting an observation expression");
    }
    for (;;) {
      if (this.isKeyword('WITHIN')) {
        this.next();
        const n = this.expect('number', 'a number of seconds');
        this.expectKeyword('SECONDS');
        expression = { kind: 'qualified', expression, qualifier: { kind: 'WITHIN', seconds: Number(n.text) } };
      } else if (this.isKeyword('REPEATS')) {
        this.next();
        const n = this.expect('number', 'a number of times');
        this.expectKeyword('TIMES');
        expression = { kind: 'qualified', expression, qualifier: { kind: 'REPEATS', times: Number(n.text) } };
      } else if (this.isKeyword('START')) {
        this.next();
        const start = this.expect('timestamp', "a timestamp t'...'").text;
        this.expectKeyword('STOP');
        const stop = this.expect('timestamp', "a timestamp t'...'").text;
        expression = { kind: 'qualified', expression, qualifier: { kind: 'START', start, stop } };
      } else return expression;
    }
  }

  private comparisonOr(): ComparisonExpression {
    let left = this.comparisonAnd();
    while (this.isKeyword('OR')) {
      this.next();
      left = { kind: 'or', left, right: this.comparisonAnd() };
    }
    return left;
  }
  private comparisonAnd(): ComparisonExpression {
    let left = this.comparison();
    while (this.isKeyword('AND')) {
      this.next();
      left = { kind: 'and', left, right: this.comparison() };
    }
    return left;
  }
  private comparison(): ComparisonExpression {
    const first = this.peek();
    if (first.kind === '(') {
      this.next();
      const inner = this.comparisonOr();
      this.expect(')', "')' or AND/OR");
      return inner;
    }
    if (this.isKeyword('EXISTS')) {
      this.next();
      return { kind: 'test', path: this.objectPath(), operator: 'EXISTS', negated: false, value: null, position: first.pos + 1 };
    }
    const path = this.objectPath();
    let negated = false;
    const notToken = this.peek();
    if (this.isKeyword('NOT')) {
      this.next();
      negated = true;
    }
    const opToken = this.peek();
    let operator: string;
    if (opToken.kind === 'op') operator = opToken.text;
    else if (opToken.kind === 'ident' && COMPARISON_KEYWORDS.includes(opToken.text.toUpperCase())) operator = opToken.text.toUpperCase();
    else this.fail('a comparison operator (=, !=, <, >, LIKE, MATCHES, IN, ...)');
    this.next();
    const value = operator === 'IN' ? this.set() : this.literal();
    return { kind: 'test', path, operator, negated, value, position: (negated ? notToken : opToken).pos + 1 };
  }

  private objectPath(): ObjectPath {
    const type = this.peek();
    if (type.kind !== 'ident' || !/^[a-z0-9-]+$/i.test(type.text)) this.fail('an object path (object-type:property)');
    this.next();
    this.expect(':', "':' after the object type");
    const steps: PathStep[] = [this.property()];
    for (;;) {
      const t = this.peek();
      if (t.kind === '.') {
        this.next();
        steps.push(this.property());
      } else if (t.kind === '[') {
        this.next();
        const index = this.peek();
        if (index.kind === '*') steps.push({ kind: 'index', index: '*' });
        else if (index.kind === 'number' && /^\d+$/.test(index.text)) steps.push({ kind: 'index', index: Number(index.text) });
        else this.fail("a list index ('*' or a number)");
        this.next();
        this.expect(']', "']' closing the list index");
      } else return { objectType: type.text, steps };
    }
  }
  private property(): PathStep {
    const t = this.peek();
    if (t.kind === 'ident') {
      this.next();
      return { kind: 'property', name: t.text, quoted: false };
    }
    if (t.kind === 'string') {
      this.next();
      return { kind: 'property', name: t.text, quoted: true };
    }
    return this.fail('a property name');
  }

  private literal(): Literal {
    const t = this.peek();
    switch (t.kind) {
      case 'string':
      case 'timestamp':
      case 'binary':
      case 'hex':
        this.next();
        return { kind: t.kind, value: t.text };
      case 'number':
        this.next();
        return { kind: 'number', value: Number(t.text) };
      case 'ident':
        if (t.text === 'true' || t.text === 'false') {
          this.next();
          return { kind: 'boolean', value: t.text === 'true' };
        }
        break;
      default:
        break;
    }
    return this.fail('a literal value');
  }
  private set(): Literal {
    this.expect('(', "'(' starting a set");
    const items: Literal[] = [this.literal()];
    while (this.peek().kind === ',') {
      this.next();
      items.push(this.literal());
    }
    this.expect(')', "',' or ')' closing the set");
    return { kind: 'set', items };
  }
}

/** The syntax tree of a STIX 2.1 pattern; throws StixPatternError (with the position) on bad syntax. */
export function parseStixPattern(pattern: string): ObservationExpression {
  return new Parser(lex(pattern), pattern).pattern();
}

/* ---------------------------------------------------------------------------------------------- */

function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function objectPathText(path: ObjectPath): string {
  let out = `${path.objectType}:`;
  path.steps.forEach((step, i) => {
    if (step.kind === 'index') out += `[${step.index}]`;
    else out += (i === 0 ? '' : '.') + (step.quoted ? quote(step.name) : step.name);
  });
  return out;
}

const HASHES: Record<string, IndicatorType> = { MD5: 'md5', SHA1: 'sha1', SHA256: 'sha256' };
const HASH_TYPES: ReadonlySet<IndicatorType> = new Set(['md5', 'sha1', 'sha256']);

type Target = IndicatorType | 'ip-or-cidr' | 'address-ref';

/** The indicator type an object path's value is, or null when Vigil does not match that path. */
function targetOf(path: ObjectPath): Target | null {
  if (path.steps.some((s) => s.kind === 'index')) return null;
  const props = path.steps.map((s) => (s.kind === 'property' ? s.name : ''));
  const key = `${path.objectType.toLowerCase()}:${props.join('.')}`;
  if (path.objectType.toLowerCase() === 'file' && props.length === 2 && props[0] === 'hashes') {
    return HASHES[props[1]!.toUpperCase().replace(/[-_]/g, '')] ?? null;
  }
  switch (key) {
    case 'ipv4-addr:value':
    case 'ipv6-addr:value':
      return 'ip-or-cidr';
    case 'domain-name:value':
      return 'domain';
    case 'url:value':
      return 'url';
    case 'file:name':
      return 'filename';
    case 'email-addr:value':
    case 'email-message:from_ref.value':
    case 'email-message:sender_ref.value':
      return 'email';
    case 'user-account:account_login':
    case 'user-account:user_id':
      return 'user';
    case 'network-traffic:dst_ref.value':
    case 'network-traffic:src_ref.value':
      return 'address-ref';
    default:
      return null;
  }
}

class Unsupported extends Error {}

interface Test {
  path: ObjectPath;
  value: Literal;
}
type Conjunction = Test[];
const MAX_ALTERNATIVES = 256;

function cross(a: Conjunction[], b: Conjunction[]): Conjunction[] {
  if (a.length * b.length > MAX_ALTERNATIVES) throw new Unsupported(`pattern too complex: more than ${MAX_ALTERNATIVES} alternatives`);
  return a.flatMap((x) => b.map((y) => [...x, ...y]));
}

/** The comparison as alternatives (OR) of conjunctions (AND) of `=` tests. */
function comparisonAlternatives(e: ComparisonExpression): Conjunction[] {
  if (e.kind !== 'test') {
    const left = comparisonAlternatives(e.left);
    const right = comparisonAlternatives(e.right);
    return e.kind === 'or' ? [...left, ...right] : cross(left, right);
  }
  if (e.operator !== '=' || e.negated) {
    const op = `${e.negated ? 'NOT ' : ''}${e.operator}`;
    throw new Unsupported(`operator ${op} (at character ${e.position}) is not supported: only = comparisons can be matched`);
  }
  return [[{ path: e.path, value: e.value! }]];
}

function observationAlternatives(e: ObservationExpression): Conjunction[] {
  switch (e.kind) {
    case 'observation':
      return comparisonAlternatives(e.comparison);
    case 'or':
      return [...observationAlternatives(e.left), ...observationAlternatives(e.right)];
    case 'and':
      return cross(observationAlternatives(e.left), observationAlternatives(e.right));
    case 'followedby':
      throw new Unsupported('FOLLOWEDBY (a sequence of observations) is not supported');
    case 'qualified':
      throw new Unsupported(`qualifier ${e.qualifier.kind === 'START' ? 'START/STOP' : e.qualifier.kind} is not supported: it needs observations counted or timed together`);
  }
}

function testText(t: Test): string {
  const v = t.value;
  const value = v.kind === 'string' ? quote(v.value) : v.kind === 'set' ? '(...)' : String(v.value);
  return `${objectPathText(t.path)} = ${value}`;
}

/** A test's indicator, or why it cannot be one. */
function testIndicator(t: Test): { type: IndicatorType; value: string } | string {
  const target = targetOf(t.path);
  if (target === null) return `object path ${objectPathText(t.path)} is not supported`;
  if (t.value.kind !== 'string') return `${objectPathText(t.path)} is compared with a ${t.value.kind}, not a string`;
  const value = t.value.value.trim();
  if (value === '') return `${objectPathText(t.path)} is compared with an empty string`;
  if (target === 'ip-or-cidr') return { type: ipOrCidr(value), value };
  if (target === 'address-ref') return { type: inferIndicatorType(value) === 'domain' ? 'domain' : ipOrCidr(value), value };
  return { type: target, value };
}

export interface PatternTranslation {
  values: Array<{ type: IndicatorType; value: string }>;
  /** Comparisons left out of an AND (the hash alone identifies the file). */
  dropped: string[];
}

/**
 * What Vigil can match of a STIX pattern: one value per `=` comparison an OR offers; of an AND,
 * only the hashes (the other constraints are reported in `dropped`). Throws StixPatternError on
 * bad syntax; returns a string (the reason) when the pattern is valid but cannot be matched.
 */
export function translateStixPattern(pattern: string): PatternTranslation | string {
  const tree = parseStixPattern(pattern);
  let alternatives: Conjunction[];
  try {
    alternatives = observationAlternatives(tree);
  } catch (err) {
    if (err instanceof Unsupported) return err.message;
    throw err;
  }
  const out: PatternTranslation = { values: [], dropped: [] };
  const seen = new Set<string>();
  const add = (v: { type: IndicatorType; value: string }): void => {
    const key = `${v.type}\u0000${v.value}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.values.push(v);
    }
  };
  for (const conjunction of alternatives) {
    const mapped = conjunction.map((t) => ({ test: t, indicator: testIndicator(t) }));
    if (mapped.length === 1) {
      const only = mapped[0]!.indicator;
      if (typeof only === 'string') return only;
      add(only);
      continue;
    }
    const hashes = mapped.filter((m) => typeof m.indicator !== 'string' && HASH_TYPES.has(m.indicator.type));
    if (hashes.length === 0) return 'AND of non-hash comparisons cannot be matched per field';
    for (const m of mapped) {
      if (hashes.includes(m)) add(m.indicator as { type: IndicatorType; value: string });
      else if (!out.dropped.includes(testText(m.test))) out.dropped.push(testText(m.test));
    }
  }
  return out;
}

/* ------------------------------------------------------------------------------------------------
 * Bundles
 * ---------------------------------------------------------------------------------------------- */

type Rec = Record<string, unknown>;

/** Custom properties that state a severity (ours first). */
function customSeverity(o: Rec): AlertLevel | undefined {
  const keys = ['x_vigil_severity', ...Object.keys(o).filter((k) => k !== 'x_vigil_severity' && /^x_(?:[a-z0-9]+_)*severity$/i.test(k))];
  for (const key of keys) {
    const v = o[key];
    if (v === undefined || v === null) continue;
    const level = typeof v === 'string' ? v.trim().toLowerCase() : v;
    if (!isAlertLevel(level)) throw new FieldError(`${key}: ${JSON.stringify(v)} is not an alert level`);
    return level;
  }
  return undefined;
}

function checkIndicatorShape(o: Rec, where: string): void {
  const fail = (field: string, why: string): never => {
    throw new ImportFormatError(`${where}.${field}`, why);
  };
  if (typeof o.id !== 'string' || !/^indicator--\S+$/.test(o.id)) fail('id', o.id === undefined ? 'missing' : `${JSON.stringify(o.id)} is not an indicator id (indicator--<uuid>)`);
  if (typeof o.pattern !== 'string' || o.pattern.trim() === '') fail('pattern', o.pattern === undefined ? 'missing' : 'must be a non-empty string');
  for (const field of ['pattern_type', 'name', 'description', 'valid_from', 'valid_until', 'spec_version']) {
    if (o[field] !== undefined && typeof o[field] !== 'string') fail(field, `must be a string, got ${JSON.stringify(o[field])}`);
  }
  if (o.revoked !== undefined && typeof o.revoked !== 'boolean') fail('revoked', `must be a boolean, got ${JSON.stringify(o.revoked)}`);
  if (o.confidence !== undefined && (typeof o.confidence !== 'number' || !Number.isFinite(o.confidence))) fail('confidence', `must be an integer, got ${JSON.stringify(o.confidence)}`);
  for (const field of ['labels', 'indicator_types']) {
    const v = o[field];
    if (v !== undefined && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) fail(field, 'must be a list of strings');
  }
}

/**
 * Indicators from a list of STIX objects (a bundle's `objects`, a TAXII envelope's, or a bare
 * list); `where` names the list in messages (`bundle.objects`). Only `indicator` objects count.
 */
export function indicatorsFromStixObjects(objects: unknown[], source: string, where: string): ImportResult {
  if (!Array.isArray(objects)) throw new ImportFormatError(where, 'must be an array of STIX objects');
  objects.forEach((o, i) => {
    if (!isPlainObject(o)) throw new ImportFormatError(`${where}[${i}]`, 'a STIX object must be a JSON object');
    if (typeof o.type !== 'string' || o.type === '') throw new ImportFormatError(`${where}[${i}].type`, 'missing or not a string');
    if (o.type === 'indicator') checkIndicatorShape(o, `${where}[${i}]`);
  });

  const result = emptyResult();
  objects.forEach((item, i) => {
    const o = item as Rec;
    if (o.type !== 'indicator' || o.revoked === true) return;
    const at = `${where}[${i}]`;
    const pattern = o.pattern as string;
    const patternType = (o.pattern_type as string | undefined) ?? 'stix';
    if (patternType !== 'stix') {
      result.unsupported.push({ where: at, pattern, reason: `pattern_type ${JSON.stringify(patternType)} is not supported (only stix)` });
      return;
    }
    let translation: PatternTranslation | string;
    try {
      translation = translateStixPattern(pattern);
    } catch (err) {
      if (!(err instanceof StixPatternError)) throw err;
      result.unsupported.push({ where: at, pattern, reason: `pattern ${err.message}` });
      return;
    }
    if (typeof translation === 'string') {
      result.unsupported.push({ where: at, pattern, reason: translation });
      return;
    }
    try {
      const base: Omit<IndicatorInput, 'type' | 'value'> = { source, external_id: o.id as string };
      if (o.confidence !== undefined) base.confidence = checkConfidence('confidence', o.confidence);
      const severity = customSeverity(o) ?? (base.confidence === undefined ? undefined : severityOfConfidence(base.confidence));
      if (severity) base.severity = severity;
      const tags = uniqueStrings([...((o.labels as string[] | undefined) ?? []), ...((o.indicator_types as string[] | undefined) ?? [])]);
      if (tags.length > 0) base.tags = tags;
      if (o.valid_from !== undefined) base.valid_from = checkDate('valid_from', o.valid_from as string);
      if (o.valid_until !== undefined) base.valid_until = checkDate('valid_until', o.valid_until as string);
      const text = [o.name, o.description].filter((s): s is string => typeof s === 'string' && s.trim() !== '').map((s) => s.trim());
      const note = translation.dropped.length > 0 ? `(pattern constraints dropped, only the hash is matched: ${translation.dropped.join(' AND ')})` : '';
      const description = [text.join(': '), note].filter((s) => s !== '').join(' ');
      if (description !== '') base.description = description;
      const seen = new Set<string>();
      for (const v of translation.values) pushUnique(result.indicators, { ...base, ...v }, seen);
    } catch (err) {
      if (!(err instanceof FieldError)) throw err;
      result.rejected.push({ where: at, reason: err.message });
    }
  });
  return result;
}

/**
 * A STIX 2.1 bundle (`{"type":"bundle","objects":[...]}`), a TAXII envelope (`{"objects":[...]}`)
 * or a bare list of objects, as JSON text or parsed. A structurally malformed input throws
 * ImportFormatError and imports nothing; an indicator whose pattern cannot be matched goes to
 * `unsupported`, one with a bad field value (confidence, date) to `rejected`.
 */
export function parseStixBundle(text: string | unknown, source: string): ImportResult {
  let data: unknown = text;
  if (typeof text === 'string') {
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new ImportFormatError('bundle', `not JSON: ${(err as Error).message}`);
    }
  }
  if (Array.isArray(data)) return indicatorsFromStixObjects(data, source, 'objects');
  if (!isPlainObject(data)) throw new ImportFormatError('bundle', 'expected a STIX bundle object');
  if (data.type === undefined) {
    if (!('objects' in data)) throw new ImportFormatError('bundle', 'neither a STIX bundle nor a TAXII envelope (no "type", no "objects")');
    if (!Array.isArray(data.objects)) throw new ImportFormatError('envelope.objects', 'must be an array');
    return indicatorsFromStixObjects(data.objects, source, 'envelope.objects');
  }
  if (data.type !== 'bundle') throw new ImportFormatError('bundle.type', `${JSON.stringify(data.type)} is not "bundle"`);
  if (data.id !== undefined && (typeof data.id !== 'string' || !data.id.startsWith('bundle--'))) {
    throw new ImportFormatError('bundle.id', `${JSON.stringify(data.id)} is not a bundle id (bundle--<uuid>)`);
  }
  if (data.objects === undefined) return emptyResult();
  if (!Array.isArray(data.objects)) throw new ImportFormatError('bundle.objects', 'must be an array');
  return indicatorsFromStixObjects(data.objects, source, 'bundle.objects');
}
