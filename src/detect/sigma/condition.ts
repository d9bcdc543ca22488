/**
 * Sigma conditions: lexer and recursive-descent parser to an AST, and resolution of identifiers
 * and `x of pattern` against the search identifiers of a detection.
 *
 * Grammar (precedence from loose to tight: or, and, not, `x of`, parentheses):
 *   expr    := and ('or' and)*
 *   and     := unary ('and' unary)*
 *   unary   := 'not' unary | primary
 *   primary := '(' expr ')' | quant 'of' (pattern | 'them') | identifier
 *   quant   := '1' | 'any' | 'all'
 * Keywords are case-insensitive. Errors carry 1-based character positions.
 */
import { invalid, unsupported, SigmaRuleError } from './errors.ts';
import type { ConditionNode } from './types.ts';

export const MAX_CONDITION_DEPTH = 64;
const MAX_CONDITION_LENGTH = 16384;

interface Token {
  kind: '(' | ')' | 'word' | 'end';
  text: string;
  /** 0-based offset in the condition. */
  pos: number;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'of', 'them']);

function lex(src: string, path: string): Token[] {
  const toks: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '(' || c === ')') {
      toks.push({ kind: c, text: c, pos: i });
      i++;
      continue;
    }
    if (c === '|') {
      throw unsupported(
        'aggregation',
        path,
        `old aggregation syntax '${src.slice(i).trim()}' at position ${i + 1} is not supported (Sigma replaced it with correlation rules)`,
      );
    }
    const start = i;
    while (i < src.length && !' \t\n\r()|'.includes(src[i]!)) i++;
    toks.push({ kind: 'word', text: src.slice(start, i), pos: start });
  }
  toks.push({ kind: 'end', text: '', pos: src.length });
  return toks;
}

/** Parse one condition string. Throws SigmaRuleError naming `path` and the position. */
export function parseCondition(src: string, path = 'detection.condition'): ConditionNode {
  if (typeof src !== 'string') throw invalid('condition', path, 'condition must be a string or a list of strings');
  if (src.length > MAX_CONDITION_LENGTH) throw invalid('condition', path, `condition longer than ${MAX_CONDITION_LENGTH} characters`);
  if (src.trim() === '') throw invalid('condition', path, 'empty condition');
  const toks = lex(src, path);
  for (const t of toks) {
    if (t.kind === 'word' && t.text.toLowerCase() === 'near') {
      throw unsupported('near', path, `old 'near' operator at position ${t.pos + 1} is not supported (use a temporal correlation rule)`);
    }
  }
  let k = 0;
  let depth = 0;
  const peek = (): Token => toks[k]!;
  const lower = (t: Token): string => (t.kind === 'word' ? t.text.toLowerCase() : t.kind);
  const fail = (t: Token, what: string): SigmaRuleError =>
    invalid('condition', path, `${what} at position ${t.pos + 1} in '${src}'`);
  const describe = (t: Token): string => (t.kind === 'end' ? 'end of condition' : `'${t.text}'`);

  const enter = (t: Token): void => {
    if (++depth > MAX_CONDITION_DEPTH) throw fail(t, `condition nested deeper than ${MAX_CONDITION_DEPTH} levels`);
  };

  function parseOr(): ConditionNode {
    const args = [parseAnd()];
    while (lower(peek()) === 'or') {
      k++;
      args.push(parseAnd());
    }
    return args.length === 1 ? args[0]! : { t: 'or', args };
  }
  function parseAnd(): ConditionNode {
    const args = [parseUnary()];
    while (lower(peek()) === 'and') {
      k++;
      args.push(parseUnary());
    }
    return args.length === 1 ? args[0]! : { t: 'and', args };
  }
  function parseUnary(): ConditionNode {
    const t = peek();
    if (lower(t) === 'not') {
      k++;
      enter(t);
      const arg = parseUnary();
      depth--;
      return { t: 'not', arg };
    }
    return parsePrimary();
  }
  function parsePrimary(): ConditionNode {
    const t = peek();
    if (t.kind === '(') {
      k++;
      enter(t);
      const e = parseOr();
      depth--;
      const close = peek();
      if (close.kind !== ')') throw fail(close, `expected ')' to close '(' at position ${t.pos + 1}, found ${describe(close)}`);
      k++;
      return e;
    }
    if (t.kind !== 'word') throw fail(t, `expected a search identifier, found ${describe(t)}`);
    const w = t.text.toLowerCase();
    const next = toks[k + 1]!;
    if (next.kind === 'word' && next.text.toLowerCase() === 'of') {
      let quant: 'any' | 'all';
      if (w === '1' || w === 'any') quant = 'any';
      else if (w === 'all') quant = 'all';
      else throw fail(t, `quantifier '${t.text}' is not valid Sigma (use '1 of', 'any of' or 'all of')`);
      k += 2;
      const p = peek();
      if (p.kind !== 'word' || (KEYWORDS.has(p.text.toLowerCase()) && p.text.toLowerCase() !== 'them')) {
        throw fail(p, `expected an identifier pattern or 'them' after '${t.text} of', found ${describe(p)}`);
      }
      k++;
      const them = p.text.toLowerCase() === 'them';
      if (!them && !/^[A-Za-z0-9_\-.*]+$/.test(p.text)) throw fail(p, `invalid identifier pattern '${p.text}'`);
      return { t: 'of', quant, pattern: them ? null : p.text, pos: t.pos + 1 };
    }
    if (KEYWORDS.has(w)) throw fail(t, `expected a search identifier, found keyword '${t.text}'`);
    if (!/^[A-Za-z0-9_\-.]+$/.test(t.text)) throw fail(t, `invalid search identifier '${t.text}'`);
    k++;
    return { t: 'id', name: t.text, pos: t.pos + 1 };
  }

  const ast = parseOr();
  const rest = peek();
  if (rest.kind !== 'end') {
    throw fail(rest, rest.kind === ')' ? `unbalanced ')'` : `unexpected ${describe(rest)} (missing 'and'/'or'?)`);
  }
  return ast;
}

/** A condition or list of conditions (the list is the OR of them). */
export function parseConditions(cond: unknown, path = 'detection.condition'): { text: string[]; ast: ConditionNode } {
  if (typeof cond === 'string') return { text: [cond], ast: parseCondition(cond, path) };
  if (Array.isArray(cond)) {
    if (cond.length === 0) throw invalid('condition', path, 'empty condition list');
    const text: string[] = [];
    const asts: ConditionNode[] = [];
    cond.forEach((c, i) => {
      if (typeof c !== 'string') throw invalid('condition', `${path}[${i}]`, 'condition must be a string');
      text.push(c);
      asts.push(parseCondition(c, `${path}[${i}]`));
    });
    return { text, ast: asts.length === 1 ? asts[0]! : { t: 'or', args: asts } };
  }
  if (cond === undefined || cond === null) throw invalid('missing-field', path, 'missing required field');
  throw invalid('condition', path, 'condition must be a string or a list of strings');
}

/** Identifiers an `x of pattern` refers to: `*` matches any run; `them` and patterns not starting with `_` skip `_` identifiers. */
export function matchIdentifiers(pattern: string | null, identifiers: Iterable<string>): string[] {
  const out: string[] = [];
  if (pattern === null) {
    for (const id of identifiers) if (!id.startsWith('_')) out.push(id);
    return out;
  }
  const re = new RegExp(`^${pattern.split('*').map(escapeRe).join('.*')}$`);
  const skipUnderscore = !pattern.startsWith('_');
  for (const id of identifiers) {
    if (skipUnderscore && id.startsWith('_')) continue;
    if (re.test(id)) out.push(id);
  }
  return out;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Check that every identifier exists and every pattern matches at least one identifier.
 * Throws the first problem, naming the position.
 */
export function checkCondition(ast: ConditionNode, identifiers: Set<string> | Map<string, unknown>, path = 'detection.condition'): void {
  const ids = identifiers instanceof Map ? new Set(identifiers.keys()) : identifiers;
  const walk = (n: ConditionNode): void => {
    switch (n.t) {
      case 'id':
        if (!ids.has(n.name)) throw invalid('identifier', path, `condition names undefined search identifier '${n.name}' (position ${n.pos})`);
        return;
      case 'of': {
        if (matchIdentifiers(n.pattern, ids).length === 0) {
          throw invalid(
            'identifier',
            path,
            `'${n.quant === 'all' ? 'all' : '1'} of ${n.pattern ?? 'them'}' (position ${n.pos}) matches no search identifier`,
          );
        }
        return;
      }
      case 'not':
        walk(n.arg);
        return;
      default:
        n.args.forEach(walk);
    }
  };
  walk(ast);
}

/** Printable form of a condition AST (for messages and tests). */
export function formatCondition(n: ConditionNode): string {
  switch (n.t) {
    case 'id':
      return n.name;
    case 'of':
      return `${n.quant === 'all' ? 'all' : '1'} of ${n.pattern ?? 'them'}`;
    case 'not':
      return `not ${wrap(n.arg)}`;
    case 'and':
      return n.args.map(wrap).join(' and ');
    case 'or':
      return n.args.map(wrap).join(' or ');
  }
}
function wrap(n: ConditionNode): string {
  return n.t === 'and' || n.t === 'or' ? `(${formatCondition(n)})` : formatCondition(n);
}
