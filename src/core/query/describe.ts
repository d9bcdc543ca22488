import type { QueryNode } from './ast.ts';

const FIELD_CHAR = /[\p{L}\p{N}_.@-]/u;
const WS = /\s/;
const SPECIAL_NO_STAR = new Set(['(', ')', ':', '<', '>', '"']);
const KEYWORD = /^(and|or|not)$/i;

function quote(s: string): string {
  return '"' + s.replace(/[\\"]/g, (m) => '\\' + m) + '"';
}

function fieldText(field: string): string {
  let out = '';
  for (const c of field) out += FIELD_CHAR.test(c) ? c : '\\' + c;
  return out;
}

/** Whether `c` at offset `i` must be escaped in an unquoted value (after `field:` when `afterField`). */
function needsEscape(c: string, i: number, afterField: boolean): boolean {
  if (c === '\\' || WS.test(c)) return true;
  if (afterField && (c === ':' || ((c === '<' || c === '>') && i > 0))) return false;
  return SPECIAL_NO_STAR.has(c);
}

function unquotedLiteral(value: string, afterField: boolean): string {
  if (value === '' || KEYWORD.test(value)) return quote(value);
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    out += c === '*' || needsEscape(c, i, afterField) ? '\\' + c : c;
  }
  return out;
}

function patternText(pattern: string, afterField: boolean): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) {
      out += c + pattern[++i];
    } else if (c !== '*' && needsEscape(c, i, afterField)) {
      out += '\\' + c;
    } else {
      out += c;
    }
  }
  return out;
}

function rangeValue(value: string): string {
  return /^[\p{L}\p{N}_.@:+\-/]+$/u.test(value) && !KEYWORD.test(value) ? value : quote(value);
}

/**
 * A normalised text form of a query, for logs and tests: upper-case keywords, explicit AND,
 * parentheses only where precedence needs them, value lists expanded (`f:(a or b)` → `f:a OR f:b`).
 * Parsing the result gives an equivalent tree.
 */
export function describeQuery(node: QueryNode): string {
  return describe(node, 'top', 0);
}

function describe(node: QueryNode, parent: 'top' | 'or' | 'and' | 'not', depth: number): string {
  if (depth > 10_000) throw new RangeError('describeQuery: tree too deep');
  switch (node.type) {
    case 'all':
      return '*';
    case 'or': {
      const s = node.children.map((c) => describe(c, 'or', depth + 1)).join(' OR ');
      return parent === 'and' || parent === 'not' ? `(${s})` : s;
    }
    case 'and': {
      const s = node.children.map((c) => describe(c, 'and', depth + 1)).join(' AND ');
      return parent === 'not' ? `(${s})` : s;
    }
    case 'not':
      return `NOT ${describe(node.child, 'not', depth + 1)}`;
    case 'term': {
      const f = node.field !== null;
      const v = node.quoted ? quote(node.value) : node.wildcard ? patternText(node.value, f) : unquotedLiteral(node.value, f);
      return node.field === null ? v : `${fieldText(node.field)}:${v}`;
    }
    case 'exists':
      return `${fieldText(node.field)}:*`;
    case 'range':
      // A field named like a keyword must touch its operator, or it reads as the keyword.
      return `${fieldText(node.field)}${KEYWORD.test(node.field) ? '' : ' '}${node.op} ${rangeValue(node.value)}`;
  }
}

/** The distinct field names a query refers to, in order of first appearance (bare words have none). */
export function queryFields(node: QueryNode): string[] {
  const seen = new Set<string>();
  const stack: QueryNode[] = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    switch (n.type) {
      case 'and':
      case 'or':
        for (let k = n.children.length - 1; k >= 0; k--) stack.push(n.children[k]);
        break;
      case 'not':
        stack.push(n.child);
        break;
      case 'term':
        if (n.field !== null) seen.add(n.field);
        break;
      case 'exists':
      case 'range':
        seen.add(n.field);
        break;
      case 'all':
        break;
    }
  }
  return [...seen];
}
