/**
 * Compiles a search-language tree (core/query) to a parameterised SQLite WHERE fragment.
 *
 * Nothing from the query text is ever spliced into SQL: values, JSON paths and FTS5 expressions
 * travel as `?` parameters, and the only identifiers written into SQL come from the QuerySchema
 * (checked against a strict identifier pattern).
 *
 * Semantics
 * - Values match case-insensitively (ASCII, SQLite NOCASE). Column-backed fields compile to
 *   `e.host = ?` / `e.host LIKE ? ESCAPE '\'` so their NOCASE indexes serve the query; binary
 *   columns (IPs, id) are matched with `IN (value, lower, upper)` to keep their index usable.
 * - Other fields are read from the JSON document with json_each, so an array matches when any
 *   element matches. A dotted name is tried as every split into nested keys and dotted keys
 *   (`a.b.c`: $.a.b.c, $.a."b.c", $."a.b".c, $."a.b.c"; bounded for long names), because records
 *   in `original` often carry keys such as "Event.System". Objects are not searched into:
 *   `user:alice` does not match `user.name: alice`.
 * - A value that reads as a number also matches JSON numbers (`10` matches 10, 10.0 and "10");
 *   `true` / `false` also match JSON booleans.
 * - `field:*` is true when the field holds a non-null value (for an array: a non-null element;
 *   for an object: a non-null member); for a column, when the column is not NULL.
 * - NOT is null-safe: `NOT host.name:x` includes events without a host.
 * - Ranges: time columns and time fields read the bound with parseTime (Elasticsearch rounding:
 *   `>` and `<=` round up, so `@timestamp <= 2024-01-31` includes that whole day); numeric
 *   fields need a number (else QueryCompileError); other fields compare numbers numerically
 *   (JSON numbers and numeric strings), values that read as a time (`now-1h`, ISO dates)
 *   against ISO-8601 strings, and anything else as case-insensitive strings.
 * - An equality on a time field (`@timestamp:2024-01-31`) is the range that value covers.
 * - Bare words and phrases use the FTS5 table: each is one quoted FTS phrase, a trailing `*`
 *   becomes a prefix query (`"foo" *`); a leading or inner wildcard, or a word with no letter or
 *   digit, falls back to a substring LIKE on the JSON document (which also sees key names).
 * - Full-text fields (`message`): the FTS5 phrase narrows the rows and a substring LIKE on the
 *   field confirms the words are in that field (a word elsewhere in the event does not count).
 */
import {
  badRequest,
  parseTime,
  QueryCompileError,
  wildcardSegments,
  type QueryNode,
  type RangeOp,
} from '../../core/index.ts';

export { QueryCompileError } from '../../core/index.ts';

export interface QueryColumn {
  column: string;
  kind: 'text' | 'time' | 'number';
  /**
   * The column's collation. 'nocase' (the default) lets `=` and the index compare
   * case-insensitively; a 'binary' column is matched against the value as written, lower- and
   * upper-cased.
   */
  collation?: 'nocase' | 'binary';
  /** The column holds the first of possibly several values; all of them are in the document. */
  firstOfArray?: boolean;
  /** The column is never NULL (simplifies sort cursors). */
  notNull?: boolean;
}

export interface QuerySchema {
  /** Alias of the main table in the SQL, e.g. 'e'. */
  table: string;
  /** Column holding the full JSON document. */
  docColumn: string;
  /** Integer primary key column. */
  rowid: string;
  /** Fields backed by a column. */
  columns: Record<string, QueryColumn>;
  /** Fields of the document (not columns) with a known type: numbers compare numerically, times as ISO strings. */
  docFields?: Record<string, { kind: 'number' | 'time' }>;
  /**
   * Contentless FTS5 table (rowid = main rowid, one column) used for bare words, and the fields
   * whose values are in it as text (e.g. message).
   */
  fullText?: { table: string; fields?: string[] };
  /**
   * Optional inverted index for exact values of column fields (an FTS5 table of "field=value"
   * keys). `match` returns an FTS5 MATCH expression for the value (or value prefix), or null
   * when the field is not indexed. The index only narrows rows; the column is still checked.
   */
  exactIndex?: { table: string; match: (field: string, value: string, prefix: boolean) => string | null };
}

export interface CompiledWhere {
  sql: string;
  params: unknown[];
}

/** The events table (see the store's migrations). */
export const EVENTS_QUERY_SCHEMA: QuerySchema = Object.freeze({
  table: 'e',
  docColumn: 'doc',
  rowid: 'rid',
  columns: Object.freeze({
    '@timestamp': { column: 'ts', kind: 'time', notNull: true },
    'event.ingested': { column: 'ingested', kind: 'time', notNull: true },
    id: { column: 'id', kind: 'text', collation: 'binary', notNull: true },
    'input.type': { column: 'input_type', kind: 'text', notNull: true },
    'input.name': { column: 'input_name', kind: 'text', notNull: true },
    'host.name': { column: 'host', kind: 'text' },
    'user.name': { column: 'user_name', kind: 'text' },
    'source.ip': { column: 'source_ip', kind: 'text', collation: 'binary' },
    'destination.ip': { column: 'destination_ip', kind: 'text', collation: 'binary' },
    'event.category': { column: 'category', kind: 'text', firstOfArray: true },
    'event.action': { column: 'action', kind: 'text' },
    'event.outcome': { column: 'outcome', kind: 'text' },
  }) as Record<string, QueryColumn>,
  docFields: Object.freeze({
    'event.severity': { kind: 'number' },
    'event.risk_score': { kind: 'number' },
    'event.duration': { kind: 'number' },
    'event.sequence': { kind: 'number' },
    'event.created': { kind: 'time' },
    'event.start': { kind: 'time' },
    'event.end': { kind: 'time' },
    'source.port': { kind: 'number' },
    'destination.port': { kind: 'number' },
    'source.bytes': { kind: 'number' },
    'destination.bytes': { kind: 'number' },
    'process.pid': { kind: 'number' },
    'process.parent.pid': { kind: 'number' },
    'http.response.status_code': { kind: 'number' },
  }) as Record<string, { kind: 'number' | 'time' }>,
  fullText: Object.freeze({ table: 'events_fts', fields: ['message'] }),
}) as QuerySchema;

// ---- helpers -----------------------------------------------------------------------------------

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Aliases used inside the generated subqueries; the schema's table alias must differ. */
const JV = 'qv_j';
const JP = 'qv_p';
const MAX_COMPILE_DEPTH = 200;
/** Above this many dot-separated parts, only nested+flat-rest and flat-head+nested splits are tried. */
const FULL_SPLIT_PARTS = 4;

function ident(name: string, what: string): string {
  if (!IDENT.test(name)) throw new Error(`query schema: ${what} ${JSON.stringify(name)} is not a plain SQL identifier`);
  return name;
}

interface Ctx {
  schema: QuerySchema;
  now: Date;
  t: string;
  doc: string;
  rid: string;
}

function context(schema: QuerySchema, now: Date): Ctx {
  const t = ident(schema.table, 'table alias');
  if (t === JV || t === JP) throw new Error(`query schema: table alias ${t} is reserved`);
  for (const c of Object.values(schema.columns)) ident(c.column, 'column');
  if (schema.fullText) ident(schema.fullText.table, 'full-text table');
  if (schema.exactIndex) ident(schema.exactIndex.table, 'exact index table');
  return {
    schema,
    now,
    t,
    doc: `${t}.${ident(schema.docColumn, 'document column')}`,
    rid: `${t}.${ident(schema.rowid, 'rowid column')}`,
  };
}

interface Frag {
  sql: string;
  params: unknown[];
}

const frag = (sql: string, ...params: unknown[]): Frag => ({ sql, params });

function join(parts: Frag[], op: 'AND' | 'OR'): Frag {
  if (parts.length === 1) return parts[0];
  return { sql: `(${parts.map((p) => p.sql).join(` ${op} `)})`, params: parts.flatMap((p) => p.params) };
}

/** Escapes user text for LIKE … ESCAPE '\'. */
function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (m) => '\\' + m);
}

/** LIKE pattern for a term: wildcards become %, everything else is literal. */
function likePattern(segments: string[], map: (s: string) => string = (s) => s): string {
  return segments.map((s) => likeEscape(map(s))).join('%');
}

/** A quoted JSON path label (SQLite accepts \" and \\ inside quoted labels). */
function label(key: string): string {
  return '"' + key.replace(/[\\"]/g, (m) => '\\' + m) + '"';
}

function pathOf(groups: string[][]): string {
  return '$' + groups.map((g) => '.' + label(g.join('.'))).join('');
}

/**
 * JSON paths a dotted field name may denote, fully nested first. Every split of the name into
 * nested keys and dotted keys up to FULL_SPLIT_PARTS parts; beyond that, splits with one dotted
 * group at the head or the tail.
 */
export function candidatePaths(field: string): string[] {
  const parts = field.split('.');
  const n = parts.length;
  const out = new Set<string>();
  if (n <= FULL_SPLIT_PARTS) {
    // Each of the n-1 gaps between parts is either a nesting step or a literal dot.
    // Mask bit set = nesting step; start with all-nested.
    const gaps = n - 1;
    for (let k = (1 << gaps) - 1; k >= 0; k--) {
      const groups: string[][] = [[parts[0]]];
      for (let g = 0; g < gaps; g++) {
        if (k & (1 << (gaps - 1 - g))) groups.push([parts[g + 1]]);
        else groups[groups.length - 1].push(parts[g + 1]);
      }
      out.add(pathOf(groups));
    }
  } else {
    out.add(pathOf(parts.map((p) => [p])));
    for (let i = n - 1; i >= 1; i--) {
      out.add(pathOf([...parts.slice(0, i).map((p) => [p]), parts.slice(i)]));
      out.add(pathOf([parts.slice(0, i), ...parts.slice(i).map((p) => [p])]));
    }
    out.add(pathOf([parts]));
  }
  return [...out];
}

/** `cond` is evaluated over json_each rows aliased qv_j; true when any value at the field's path matches. */
function jsonAny(ctx: Ctx, field: string, cond: Frag, intoObjects = false): Frag {
  const paths = candidatePaths(field);
  // typeof(key) = 'text' means a member of an object at the path: not a value of the field.
  const where = intoObjects ? cond.sql : `typeof(${JV}.key) <> 'text' AND ${cond.sql}`;
  if (paths.length === 1) {
    return {
      sql: `EXISTS (SELECT 1 FROM json_each(${ctx.doc}, ?) AS ${JV} WHERE ${where})`,
      params: [paths[0], ...cond.params],
    };
  }
  return {
    sql: `EXISTS (SELECT 1 FROM json_each(?) AS ${JP}, json_each(${ctx.doc}, ${JP}.value) AS ${JV} WHERE ${where})`,
    params: [JSON.stringify(paths), ...cond.params],
  };
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** The number a query value denotes, or null. Large integers stay exact as bigint. */
function asNumber(v: string): number | bigint | null {
  const s = v.trim();
  if (!NUMBER.test(s)) return null;
  if (/^[+-]?\d+$/.test(s)) {
    const n = Number(s);
    if (Number.isSafeInteger(n)) return n;
    const b = BigInt(s);
    if (b >= INT64_MIN && b <= INT64_MAX) return b;
    return n;
  }
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

const SQL_OP: Record<RangeOp, string> = { '>': '>', '>=': '>=', '<': '<', '<=': '<=' };
const roundsUp = (op: RangeOp) => op === '>' || op === '<=';

function timeBound(node: { field: string; pos: number }, value: string, now: Date, roundUp: boolean): number {
  try {
    return parseTime(value, now, { roundUp }).getTime();
  } catch (e) {
    throw new QueryCompileError(node.pos, node.field, `${node.field} is a time field: ${(e as Error).message}`);
  }
}

/** Time as stored in documents: ISO 8601 UTC with milliseconds. */
const iso = (ms: number) => new Date(ms).toISOString();

function numberOrFail(node: { field: string; pos: number }, value: string): number | bigint {
  const n = asNumber(value);
  if (n === null) {
    throw new QueryCompileError(node.pos, node.field, `${node.field} is a numeric field: ${JSON.stringify(value)} is not a number`);
  }
  return n;
}

function noWildcard(node: { field: string; pos: number; wildcard: boolean }, kind: string): void {
  if (node.wildcard) {
    throw new QueryCompileError(node.pos, node.field, `wildcards are not supported on ${kind} field ${node.field}`);
  }
}

// ---- JSON value conditions (over qv_j rows) --------------------------------------------------

function jsonEquals(value: string): Frag {
  const parts: Frag[] = [frag(`(${JV}.type = 'text' AND ${JV}.value = ? COLLATE NOCASE)`, value)];
  const n = asNumber(value);
  if (n !== null) parts.push(frag(`(${JV}.type IN ('integer', 'real') AND ${JV}.value = ?)`, n));
  const lower = value.trim().toLowerCase();
  if (lower === 'true' || lower === 'false') parts.push(frag(`${JV}.type = '${lower}'`));
  return join(parts, 'OR');
}

function jsonLike(pattern: string): Frag {
  return frag(`(${JV}.type IN ('text', 'integer', 'real') AND ${JV}.value LIKE ? ESCAPE '\\')`, pattern);
}

function jsonNumericRange(op: RangeOp, n: number | bigint): Frag {
  return frag(
    `((${JV}.type IN ('integer', 'real') AND ${JV}.value ${SQL_OP[op]} ?) OR ` +
      `(${JV}.type = 'text' AND ${JV}.value GLOB '[0-9+.-]*' AND ${JV}.value NOT GLOB '*[^0-9eE+.-]*' ` +
      `AND CAST(${JV}.value AS REAL) ${SQL_OP[op]} ?))`,
    n,
    n,
  );
}

function jsonTextRange(op: RangeOp, s: string): Frag {
  return frag(`(${JV}.type = 'text' AND ${JV}.value ${SQL_OP[op]} ? COLLATE NOCASE)`, s);
}

// ---- nodes -------------------------------------------------------------------------------------

type Term = Extract<QueryNode, { type: 'term' }>;
type FieldTerm = Term & { field: string };
type Range = Extract<QueryNode, { type: 'range' }>;
type Exists = Extract<QueryNode, { type: 'exists' }>;

function compileNode(node: QueryNode, ctx: Ctx, depth: number): Frag {
  if (depth > MAX_COMPILE_DEPTH) throw new QueryCompileError(0, undefined, 'query nests too deeply to compile');
  switch (node.type) {
    case 'all':
      return frag('1');
    case 'and':
    case 'or':
      if (node.children.length === 0) return frag(node.type === 'and' ? '1' : '0');
      return join(
        node.children.map((c) => compileNode(c, ctx, depth + 1)),
        node.type === 'and' ? 'AND' : 'OR',
      );
    case 'not': {
      // IS NOT TRUE: a NULL (missing column value) counts as "does not match".
      const inner = compileNode(node.child, ctx, depth + 1);
      return { sql: `(${inner.sql}) IS NOT TRUE`, params: inner.params };
    }
    case 'term':
      return node.field === null ? compileBare(node, ctx) : compileFieldTerm(node as FieldTerm, ctx);
    case 'exists':
      return compileExists(node, ctx);
    case 'range':
      return compileRange(node, ctx);
    default:
      throw new QueryCompileError(0, undefined, `unknown query node ${JSON.stringify((node as { type?: unknown }).type)}`);
  }
}

function ftsPhrase(text: string): string {
  return '"' + text.replace(/"/g, '""') + '"';
}

const HAS_WORD = /[\p{L}\p{N}]/u;

/** The FTS5 expression for a term, or null when FTS cannot express it. */
function ftsQuery(node: Term): string | null {
  if (!node.wildcard) return HAS_WORD.test(node.value) ? ftsPhrase(node.value) : null;
  const segs = wildcardSegments(node.value);
  const head = segs[0];
  if (segs.slice(1).every((s) => s === '') && HAS_WORD.test(head)) return `${ftsPhrase(head)} *`;
  return null;
}

function ftsMatch(ctx: Ctx, query: string): Frag {
  const fts = ctx.schema.fullText!.table;
  return frag(`${ctx.rid} IN (SELECT rowid FROM ${fts} WHERE ${fts} MATCH ?)`, query);
}

/** Substring pattern for a term: `%a%b%` (wildcards are gaps). */
function substringPattern(node: Term, map?: (s: string) => string): string {
  const segs = node.wildcard ? wildcardSegments(node.value) : [node.value];
  return `%${likePattern(segs, map)}%`;
}

/** JSON string escaping, so a LIKE over the document text finds `"` and `\` as stored. */
const jsonText = (s: string) => JSON.stringify(s).slice(1, -1);

function compileBare(node: Term, ctx: Ctx): Frag {
  if (node.value === '' || (node.wildcard && wildcardSegments(node.value).every((s) => s === ''))) {
    // "" has no words to find; a pattern of only stars cannot come from the parser but matches all.
    return frag(node.value === '' ? '0' : '1');
  }
  const q = ctx.schema.fullText ? ftsQuery(node) : null;
  if (q !== null) return ftsMatch(ctx, q);
  return frag(`${ctx.doc} LIKE ? ESCAPE '\\'`, substringPattern(node, jsonText));
}

function exactNarrowing(ctx: Ctx, field: string, value: string, prefix: boolean): Frag | null {
  const ix = ctx.schema.exactIndex;
  if (!ix) return null;
  const m = ix.match(field, value, prefix);
  if (m === null) return null;
  return frag(`${ctx.rid} IN (SELECT rowid FROM ${ix.table} WHERE ${ix.table} MATCH ?)`, m);
}

function compileFieldTerm(node: FieldTerm, ctx: Ctx): Frag {
  const { schema } = ctx;
  const col = schema.columns[node.field];
  if (col) return compileColumnTerm(node, col, ctx);

  if (schema.fullText?.fields?.includes(node.field)) {
    const like = jsonAny(ctx, node.field, jsonLike(substringPattern(node)));
    const q = node.value === '' ? null : ftsQuery(node);
    return q === null ? like : join([ftsMatch(ctx, q), like], 'AND');
  }

  const kind = schema.docFields?.[node.field]?.kind;
  if (kind === 'number') {
    noWildcard(node, 'numeric');
    return jsonAny(ctx, node.field, jsonNumericEquals(numberOrFail(node, node.value)));
  }
  if (kind === 'time') {
    noWildcard(node, 'time');
    const lo = timeBound(node, node.value, ctx.now, false);
    const hi = timeBound(node, node.value, ctx.now, true);
    return jsonAny(
      ctx,
      node.field,
      frag(`(${JV}.type = 'text' AND ${JV}.value >= ? AND ${JV}.value <= ?)`, iso(lo), iso(hi)),
    );
  }
  if (node.wildcard) return jsonAny(ctx, node.field, jsonLike(likePattern(wildcardSegments(node.value))));
  return jsonAny(ctx, node.field, jsonEquals(node.value));
}

/** Numeric equality on a numeric document field: numbers and numeric strings. */
function jsonNumericEquals(n: number | bigint): Frag {
  return frag(
    `((${JV}.type IN ('integer', 'real') AND ${JV}.value = ?) OR ` +
      `(${JV}.type = 'text' AND ${JV}.value GLOB '[0-9+.-]*' AND ${JV}.value NOT GLOB '*[^0-9eE+.-]*' ` +
      `AND CAST(${JV}.value AS REAL) = ?))`,
    n,
    n,
  );
}

function binaryVariants(value: string): string[] {
  return [...new Set([value, value.toLowerCase(), value.toUpperCase()])];
}

function compileColumnTerm(node: FieldTerm, col: QueryColumn, ctx: Ctx): Frag {
  const c = `${ctx.t}.${col.column}`;
  if (col.kind === 'time') {
    noWildcard(node, 'time');
    return frag(
      `${c} BETWEEN ? AND ?`,
      timeBound(node, node.value, ctx.now, false),
      timeBound(node, node.value, ctx.now, true),
    );
  }
  if (col.kind === 'number') {
    noWildcard(node, 'numeric');
    return frag(`${c} = ?`, numberOrFail(node, node.value));
  }

  let direct: Frag;
  let narrow: Frag | null;
  let docCond: Frag;
  if (node.wildcard) {
    const segs = wildcardSegments(node.value);
    const pattern = likePattern(segs);
    direct = frag(`${c} LIKE ? ESCAPE '\\'`, pattern);
    const prefixOnly = segs.length === 2 && segs[1] === '' && segs[0] !== '';
    narrow = prefixOnly ? exactNarrowing(ctx, node.field, segs[0], true) : null;
    docCond = jsonLike(pattern);
  } else {
    if (col.collation === 'binary') {
      const vs = binaryVariants(node.value);
      direct = vs.length === 1 ? frag(`${c} = ?`, vs[0]) : frag(`${c} IN (${vs.map(() => '?').join(', ')})`, ...vs);
    } else {
      direct = frag(`${c} = ?`, node.value);
    }
    narrow = exactNarrowing(ctx, node.field, node.value, false);
    docCond = jsonEquals(node.value);
  }
  if (col.firstOfArray) direct = join([direct, laterArrayValues(ctx, node.field, docCond)], 'OR');
  return narrow ? join([narrow, direct], 'AND') : direct;
}

/** For a firstOfArray column: the document holds an array whose other values may match. */
function laterArrayValues(ctx: Ctx, field: string, cond: Frag): Frag {
  const nested = pathOf(field.split('.').map((p) => [p]));
  return join([frag(`json_type(${ctx.doc}, ?) = 'array'`, nested), jsonAny(ctx, field, cond)], 'AND');
}

function compileExists(node: Exists, ctx: Ctx): Frag {
  const col = ctx.schema.columns[node.field];
  if (col) return frag(`${ctx.t}.${col.column} IS NOT NULL`);
  // An object counts when one of its members is non-null.
  return jsonAny(ctx, node.field, frag(`${JV}.type <> 'null'`), true);
}

function compileRange(node: Range, ctx: Ctx): Frag {
  const op = SQL_OP[node.op];
  const col = ctx.schema.columns[node.field];
  if (col) {
    const c = `${ctx.t}.${col.column}`;
    if (col.kind === 'time') return frag(`${c} ${op} ?`, timeBound(node, node.value, ctx.now, roundsUp(node.op)));
    if (col.kind === 'number') return frag(`${c} ${op} ?`, numberOrFail(node, node.value));
    const direct =
      col.collation === 'binary' ? frag(`${c} ${op} ? COLLATE NOCASE`, node.value) : frag(`${c} ${op} ?`, node.value);
    return col.firstOfArray
      ? join([direct, laterArrayValues(ctx, node.field, jsonTextRange(node.op, node.value))], 'OR')
      : direct;
  }
  const kind = ctx.schema.docFields?.[node.field]?.kind;
  if (kind === 'number') return jsonAny(ctx, node.field, jsonNumericRange(node.op, numberOrFail(node, node.value)));
  if (kind === 'time') {
    const t = timeBound(node, node.value, ctx.now, roundsUp(node.op));
    return jsonAny(ctx, node.field, frag(`(${JV}.type = 'text' AND ${JV}.value ${op} ?)`, iso(t)));
  }
  const n = asNumber(node.value);
  if (n !== null) return jsonAny(ctx, node.field, jsonNumericRange(node.op, n));
  let t: number | null = null;
  try {
    t = parseTime(node.value, ctx.now, { roundUp: roundsUp(node.op) }).getTime();
  } catch {
    t = null;
  }
  return jsonAny(ctx, node.field, jsonTextRange(node.op, t === null ? node.value : iso(t)));
}

// ---- public API --------------------------------------------------------------------------------

/**
 * Compiles a query to a WHERE fragment over `schema.table` (use it as
 * `SELECT … FROM events AS e WHERE ${sql}` with `params`). Throws QueryCompileError for a query
 * the schema cannot run (a non-number against a numeric field, a bad time, a wildcard on a time).
 */
export function compileWhere(node: QueryNode, schema: QuerySchema, now: Date = new Date()): CompiledWhere {
  const ctx = context(schema, now);
  const f = compileNode(node, ctx, 0);
  return { sql: f.sql, params: f.params };
}

/**
 * An SQL expression for a field's value, for facets, top values and sorting. Column fields give
 * the column (`column: true`, indexable); other fields give json_extract over the candidate
 * paths (an array field yields its JSON array text).
 */
export function fieldExpression(field: string, schema: QuerySchema): { sql: string; params: unknown[]; column: boolean } {
  if (typeof field !== 'string' || field === '') throw badRequest('field name is empty', 'field');
  const ctx = context(schema, new Date(0));
  const col = schema.columns[field];
  if (col) return { sql: `${ctx.t}.${col.column}`, params: [], column: true };
  const paths = candidatePaths(field);
  if (paths.length === 1) return { sql: `json_extract(${ctx.doc}, ?)`, params: paths, column: false };
  return {
    sql: `COALESCE(${paths.map(() => `json_extract(${ctx.doc}, ?)`).join(', ')})`,
    params: paths,
    column: false,
  };
}

// ---- sort and keyset cursors -------------------------------------------------------------------

export interface CompiledSort {
  /** Normalised spec, e.g. '-@timestamp'; cursors remember it. */
  spec: string;
  field: string;
  direction: 'asc' | 'desc';
  /** SQL expression of the sort key, e.g. 'e.ts'. */
  expression: string;
  /** Name of the sort column in a row selected with `e.*` (read by encodeCursor). */
  column: string;
  /** Name of the rowid column in such a row. */
  rowidColumn: string;
  /** SQL expression of the rowid, the tie-breaker. */
  rowidExpression: string;
  kind: QueryColumn['kind'];
  nullable: boolean;
  /** The ORDER BY list (without the keywords), e.g. 'e.ts DESC, e.rid DESC'. */
  orderBy: string;
}

export const DEFAULT_SORT = '-@timestamp';

/**
 * Reads a sort spec: a column-backed field, ascending, or descending with a leading '-'
 * ('+' is accepted for ascending). Without a spec: '-@timestamp' (newest first). Ties are
 * broken by the rowid in the same direction, so pages are stable.
 */
export function compileSort(sort: string | undefined, schema: QuerySchema): CompiledSort {
  const ctx = context(schema, new Date(0));
  let s = (sort ?? '').trim();
  if (s === '') s = DEFAULT_SORT;
  let direction: 'asc' | 'desc' = 'asc';
  if (s.startsWith('-')) {
    direction = 'desc';
    s = s.slice(1).trim();
  } else if (s.startsWith('+')) {
    s = s.slice(1).trim();
  }
  const col = schema.columns[s];
  if (!col) {
    const sortable = Object.keys(schema.columns).join(', ');
    throw new QueryCompileError(0, s, `cannot sort by ${JSON.stringify(s)}: sortable fields are ${sortable}`);
  }
  const expression = `${ctx.t}.${col.column}`;
  const dir = direction.toUpperCase();
  return {
    spec: `${direction === 'desc' ? '-' : ''}${s}`,
    field: s,
    direction,
    expression,
    column: col.column,
    rowidColumn: schema.rowid,
    rowidExpression: ctx.rid,
    kind: col.kind,
    nullable: col.notNull !== true,
    orderBy: `${expression} ${dir}, ${ctx.rid} ${dir}`,
  };
}

/** The position after a row in a sorted listing. */
export interface Cursor {
  /** The sort spec the cursor belongs to. */
  sort: string;
  /** The row's sort value. */
  value: string | number | null;
  /** The row's rowid. */
  rid: number;
}

const MAX_CURSOR_LENGTH = 2048;

/** An opaque cursor (base64url JSON) for the position after `row`, a row selected with the sort column and rowid. */
export function encodeCursor(row: Record<string, unknown>, sort: CompiledSort): string {
  if (!(sort.column in row) || !(sort.rowidColumn in row)) {
    throw new Error(`encodeCursor: the row lacks ${sort.column} or ${sort.rowidColumn}`);
  }
  let value = row[sort.column];
  let rid = row[sort.rowidColumn];
  if (typeof value === 'bigint') value = Number(value);
  if (typeof rid === 'bigint') rid = Number(rid);
  if (!(value === null || typeof value === 'string' || typeof value === 'number')) {
    throw new Error(`encodeCursor: sort value of ${sort.column} is a ${typeof value}`);
  }
  if (typeof rid !== 'number' || !Number.isSafeInteger(rid)) throw new Error('encodeCursor: rowid is not an integer');
  return Buffer.from(JSON.stringify({ s: sort.spec, v: value, r: rid }), 'utf8').toString('base64url');
}

/** Reads a cursor; a malformed one is a VigilError (400) naming `cursor`. */
export function decodeCursor(text: string): Cursor {
  const bad = (why: string) => badRequest(`invalid cursor: ${why}`, 'cursor');
  if (typeof text !== 'string' || text === '') throw bad('empty');
  if (text.length > MAX_CURSOR_LENGTH) throw bad('too long');
  if (!/^[A-Za-z0-9_-]+$/.test(text)) throw bad('not base64url');
  let data: unknown;
  try {
    data = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw bad('not a cursor from this server');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw bad('not a cursor from this server');
  const { s, v, r } = data as Record<string, unknown>;
  if (typeof s !== 'string') throw bad('missing sort');
  if (!(v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)))) throw bad('bad sort value');
  if (typeof r !== 'number' || !Number.isSafeInteger(r)) throw bad('bad row id');
  return { sort: s, value: v, rid: r };
}

/**
 * The WHERE fragment selecting rows after the cursor in the sort's order (sort value, then
 * rowid). NULL sort values sort first ascending and last descending, as SQLite orders them.
 */
export function cursorWhere(cursor: string | Cursor, sort: CompiledSort): CompiledWhere {
  const c = typeof cursor === 'string' ? decodeCursor(cursor) : cursor;
  if (c.sort !== sort.spec) {
    throw badRequest(`invalid cursor: it belongs to sort ${JSON.stringify(c.sort)}, not ${JSON.stringify(sort.spec)}`, 'cursor');
  }
  if ((sort.kind === 'time' || sort.kind === 'number') && c.value !== null && typeof c.value !== 'number') {
    throw badRequest('invalid cursor: bad sort value', 'cursor');
  }
  if (c.value === null && !sort.nullable) throw badRequest('invalid cursor: bad sort value', 'cursor');
  const x = sort.expression;
  const r = sort.rowidExpression;
  const cmp = sort.direction === 'desc' ? '<' : '>';
  if (c.value !== null) {
    const after = `(${x}, ${r}) ${cmp} (?, ?)`;
    if (sort.nullable && sort.direction === 'desc') return { sql: `(${after} OR ${x} IS NULL)`, params: [c.value, c.rid] };
    return { sql: after, params: [c.value, c.rid] };
  }
  if (sort.direction === 'desc') return { sql: `(${x} IS NULL AND ${r} < ?)`, params: [c.rid] };
  return { sql: `((${x} IS NULL AND ${r} > ?) OR ${x} IS NOT NULL)`, params: [c.rid] };
}
