/**
 * The syntax tree of Vigil's search language (a KQL dialect). Produced by `parseQuery`, consumed by
 * the store compilers (SQLite, PostgreSQL) and by `describeQuery` / `queryFields`.
 *
 * Term values: when `wildcard` is false, `value` is the literal text to match. When `wildcard` is
 * true, `value` is a pattern in which an unescaped `*` matches any run of characters and a
 * backslash escapes `*` and `\` (so a literal star reads `\*`); use `wildcardSegments` to split it.
 */
export type QueryNode =
  | { type: 'all' }
  | { type: 'and' | 'or'; children: QueryNode[] }
  | { type: 'not'; child: QueryNode }
  | { type: 'term'; field: string | null; value: string; quoted: boolean; wildcard: boolean; pos: number }
  | { type: 'exists'; field: string; pos: number }
  | { type: 'range'; field: string; op: RangeOp; value: string; pos: number };

export type RangeOp = '>' | '>=' | '<' | '<=';

export type TermNode = Extract<QueryNode, { type: 'term' }>;
export type ExistsNode = Extract<QueryNode, { type: 'exists' }>;
export type RangeNode = Extract<QueryNode, { type: 'range' }>;

export interface QueryLimits {
  /** Longest accepted query text, in characters. Default 4096. */
  maxLength?: number;
  /** Deepest nesting of parentheses and NOT. Default 32 (clamped to at most 1000). */
  maxDepth?: number;
  /** Most field terms, ranges, exists checks and bare words in one query. Default 256. */
  maxTerms?: number;
}

export const DEFAULT_QUERY_LIMITS: Readonly<Required<QueryLimits>> = Object.freeze({
  maxLength: 4096,
  maxDepth: 32,
  maxTerms: 256,
});

/**
 * Splits a wildcard pattern (a term value with `wildcard: true`) into the literal pieces between
 * its wildcards: `web*` → ['web', ''], `*admin*` → ['', 'admin', ''], `a\*b*` → ['a*b', ''].
 * A value without wildcards gives one piece.
 */
export function wildcardSegments(pattern: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length && (pattern[i + 1] === '*' || pattern[i + 1] === '\\')) {
      cur += pattern[++i];
    } else if (c === '*') {
      out.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  out.push(cur);
  return out;
}
