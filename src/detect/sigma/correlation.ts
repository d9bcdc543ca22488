/**
 * Correlation documents (sigma-correlation-rules-specification 2.x) → ParsedCorrelation.
 * Only parsing and checking; the correlation engine (detect/correlation) evaluates them.
 */
import { parseCondition } from './condition.ts';
import { invalid, show } from './errors.ts';
import { checkId, checkLevel, checkStatus, optString, reqString, stringList, syntheticId } from './meta.ts';
import type { ConditionNode, CorrelationThreshold, CorrelationType, ParsedCorrelation } from './types.ts';
import { YNum, isObject } from './yaml.ts';

export const CORRELATION_TYPES = new Set<CorrelationType>([
  'event_count',
  'value_count',
  'temporal',
  'temporal_ordered',
  'value_sum',
  'value_avg',
  'value_percentile',
  'value_median',
]);
const TEMPORAL = new Set<CorrelationType>(['temporal', 'temporal_ordered']);
const NEEDS_FIELD = new Set<CorrelationType>(['value_count', 'value_sum', 'value_avg', 'value_percentile', 'value_median']);
const OPS = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'] as const;

/** Units as pySigma: s, m, h, d, w, M (30.436875 d), y (365.2425 d). */
const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  M: 2_629_746_000,
  y: 31_556_952_000,
};

/** `90m` → 5400000. Throws on anything but a positive count and one unit letter. */
export function parseTimespan(v: unknown, path = 'correlation.timespan'): { text: string; ms: number } {
  const s = v instanceof YNum ? v.raw : v;
  if (typeof s !== 'string') throw invalid('correlation', path, `must be a number and a unit like '5m', not ${show(s)}`);
  const m = /^(\d+)([smhdwMy])$/.exec(s.trim());
  if (!m) throw invalid('correlation', path, `invalid timespan ${show(s)} (a positive number and one of s, m, h, d, w, M, y)`);
  const n = Number(m[1]);
  if (n <= 0) throw invalid('correlation', path, `timespan ${show(s)} must be greater than zero`);
  return { text: s.trim(), ms: n * UNIT_MS[m[2]!]! };
}

function num(v: unknown, path: string): number {
  const n = v instanceof YNum ? v.n : typeof v === 'number' ? v : NaN;
  if (!Number.isFinite(n)) throw invalid('correlation', path, `must be a number, not ${show(v)}`);
  return n;
}

function threshold(v: Record<string, unknown>, path: string): CorrelationThreshold {
  const ops = OPS.filter((o) => v[o] !== undefined);
  if (ops.length === 0) throw invalid('correlation', path, `needs a comparison: one of ${OPS.join(', ')} (several make a range)`);
  const unknown = Object.keys(v).filter((k) => !(OPS as readonly string[]).includes(k) && k !== 'field' && k !== 'percentile');
  if (unknown.length > 0) throw invalid('correlation', path, `unknown key ${show(unknown[0])}`);
  const op = ops[0]!;
  const t: CorrelationThreshold = { op, value: num(v[op], `${path}.${op}`) };
  if (ops.length > 1) t.and = ops.slice(1).map((o) => ({ op: o, value: num(v[o], `${path}.${o}`) }));
  if (v.field !== undefined) {
    if (Array.isArray(v.field)) t.field = v.field.map((f, i) => reqString(f, `${path}.field[${i}]`));
    else t.field = reqString(v.field, `${path}.field`);
  }
  if (v.percentile !== undefined) {
    const p = num(v.percentile, `${path}.percentile`);
    if (p < 0 || p > 100) throw invalid('correlation', `${path}.percentile`, 'must be between 0 and 100');
    t.percentile = p;
  }
  return t;
}

function refsOf(ast: ConditionNode, out: string[], path: string): void {
  switch (ast.t) {
    case 'id':
      if (!out.includes(ast.name)) out.push(ast.name);
      return;
    case 'of':
      throw invalid('correlation', path, `'x of' is not allowed in a correlation condition`);
    case 'not':
      refsOf(ast.arg, out, path);
      return;
    default:
      ast.args.forEach((a) => refsOf(a, out, path));
  }
}

/** Parse one correlation document (a YAML map with a `correlation` section). */
export function parseCorrelationDoc(doc: Record<string, unknown>, file: string, document: number): ParsedCorrelation {
  const title = reqString(doc.title, 'title');
  const id = checkId(doc.id, false);
  const c = doc.correlation;
  if (!isObject(c)) throw invalid('correlation', 'correlation', 'must be a map');
  const typeText = reqString(c.type, 'correlation.type');
  if (!CORRELATION_TYPES.has(typeText as CorrelationType)) {
    throw invalid('correlation', 'correlation.type', `unknown correlation type ${show(typeText)} (one of ${[...CORRELATION_TYPES].join(', ')})`);
  }
  const type = typeText as CorrelationType;
  let rules = c.rules === undefined || c.rules === null ? undefined : stringList(c.rules, 'correlation.rules');
  const groupBy = stringList(c['group-by'], 'correlation.group-by') ?? [];
  const span = c.timespan === undefined ? null : parseTimespan(c.timespan);
  if (span === null) throw invalid('missing-field', 'correlation.timespan', 'missing required field');

  let condition: CorrelationThreshold | null = null;
  let expression: ConditionNode | undefined;
  if (typeof c.condition === 'string') {
    if (!TEMPORAL.has(type)) throw invalid('correlation', 'correlation.condition', `a condition expression is only allowed for temporal correlations, not ${type}`);
    expression = parseCondition(c.condition, 'correlation.condition');
    const refs: string[] = [];
    refsOf(expression, refs, 'correlation.condition');
    if (rules === undefined) rules = refs;
    else {
      const missing = rules.filter((r) => !refs.includes(r));
      const extra = refs.filter((r) => !rules!.includes(r));
      if (missing.length) throw invalid('correlation', 'correlation.condition', `rules not used in the condition: ${missing.join(', ')}`);
      if (extra.length) throw invalid('correlation', 'correlation.condition', `condition names rules not in correlation.rules: ${extra.join(', ')}`);
    }
  } else if (isObject(c.condition)) {
    condition = threshold(c.condition, 'correlation.condition');
  } else if (c.condition !== undefined && c.condition !== null) {
    throw invalid('correlation', 'correlation.condition', 'must be a map (gte: 10) or, for temporal types, an expression');
  }
  if (rules === undefined || rules.length === 0) throw invalid('missing-field', 'correlation.rules', 'missing required field');
  if (condition === null && expression === undefined) {
    if (!TEMPORAL.has(type)) throw invalid('missing-field', 'correlation.condition', 'missing required field');
    condition = { op: 'gte', value: rules.length };
  }
  if (NEEDS_FIELD.has(type) && (condition === null || condition.field === undefined)) {
    throw invalid('correlation', 'correlation.condition.field', `a ${type} correlation needs condition.field`);
  }

  const aliases: Record<string, Record<string, string>> = {};
  if (c.aliases !== undefined && c.aliases !== null) {
    if (!isObject(c.aliases)) throw invalid('correlation', 'correlation.aliases', 'must be a map of alias → (rule → field)');
    for (const [alias, mapping] of Object.entries(c.aliases)) {
      if (!isObject(mapping)) throw invalid('correlation', `correlation.aliases.${alias}`, 'must be a map of rule name → field');
      aliases[alias] = {};
      for (const [rule, field] of Object.entries(mapping)) aliases[alias]![rule] = reqString(field, `correlation.aliases.${alias}.${rule}`);
    }
  }
  let generate = false;
  if (c.generate !== undefined && c.generate !== null) {
    if (typeof c.generate !== 'boolean') throw invalid('correlation', 'correlation.generate', 'must be true or false');
    generate = c.generate;
  }

  const out: ParsedCorrelation = {
    id: id ?? syntheticId(doc),
    title,
    tags: stringList(doc.tags, 'tags') ?? [],
    type,
    rules,
    groupBy,
    timespan: span.text,
    timespanMs: span.ms,
    condition,
    aliases,
    generate,
    file,
    document,
  };
  if (id === undefined) out.syntheticId = true;
  if (expression) out.expression = expression;
  const name = optString(doc.name, 'name');
  if (name !== undefined) out.name = name;
  const status = checkStatus(doc.status);
  if (status !== undefined) out.status = status;
  const level = checkLevel(doc.level);
  if (level !== undefined) out.level = level;
  for (const k of ['description', 'author', 'date', 'modified'] as const) {
    const s = optString(doc[k], k);
    if (s !== undefined) out[k] = s;
  }
  const refs = stringList(doc.references, 'references');
  if (refs) out.references = refs;
  const fps = stringList(doc.falsepositives, 'falsepositives');
  if (fps) out.falsepositives = fps;
  return out;
}
