/**
 * Reference mapping from a parsed Sigma correlation document (the YAML object) to a
 * `CorrelationSpec`. The Sigma parser (detect/sigma/) owns the real reading of rule files; this
 * shows the mapping key by key and lets tests write correlations as Sigma YAML.
 */
import type { SigmaRuleMeta } from '../types.ts';
import { CORRELATION_TYPES, CorrelationConfigError, type CorrelationCondition, type CorrelationSpec, type CorrelationType } from './types.ts';

const UNIT_MS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Sigma `timespan` ("30s", "5m", "1h", "7d"; "w" for weeks as pySigma accepts) → milliseconds.
 * Months and years are rejected: they are not fixed durations. Returns null when invalid.
 */
export function parseTimespan(spec: unknown): number | null {
  if (typeof spec !== 'string') return null;
  const m = /^([1-9][0-9]*)([smhdw])$/.exec(spec.trim());
  if (!m) return null;
  return Number(m[1]) * UNIT_MS[m[2]];
}

const LEVELS = new Set(['informational', 'low', 'medium', 'high', 'critical']);

const asList = (v: unknown): unknown[] | null => (v === undefined || v === null ? [] : typeof v === 'string' ? [v] : Array.isArray(v) ? v : null);

/**
 * Maps one Sigma correlation document. Throws CorrelationConfigError listing every problem.
 * `id` falls back to `name` when the document has none (Sigma makes `id` optional).
 */
export function correlationSpecFromSigma(doc: unknown, where: { file?: string; document?: number } = {}): CorrelationSpec {
  const errors: string[] = [];
  const d = (doc ?? {}) as Record<string, unknown>;
  const c = (d.correlation ?? null) as Record<string, unknown> | null;
  const title = typeof d.title === 'string' ? d.title : '';
  const at = `correlation ${JSON.stringify(title || '?')}${where.file ? ` in ${where.file}` : ''}${where.document ? ` (document ${where.document})` : ''}`;
  const err = (msg: string) => errors.push(`${at}: ${msg}`);
  if (typeof d.title !== 'string') err('title is required');
  if (!c || typeof c !== 'object') {
    err('the correlation section is missing');
    throw new CorrelationConfigError(errors);
  }
  const name = typeof d.name === 'string' ? d.name : undefined;
  const id = typeof d.id === 'string' ? d.id : name;
  if (!id) err('an id or a name is required');

  const type = c.type as CorrelationType;
  if (!CORRELATION_TYPES.includes(type)) err(`type ${JSON.stringify(c.type)} is not one of ${CORRELATION_TYPES.join(', ')}`);

  const rules = asList(c.rules);
  if (!rules || !rules.every((r) => typeof r === 'string')) err('rules must be a name or a list of names');
  const groupBy = asList(c['group-by']);
  if (!groupBy || !groupBy.every((r) => typeof r === 'string')) err('group-by must be a field or a list of fields');

  const timespan = parseTimespan(c.timespan);
  if (timespan === null) err(`timespan ${JSON.stringify(c.timespan)} is not a number followed by s, m, h, d or w`);

  let condition: CorrelationCondition | undefined;
  if (c.condition !== undefined && c.condition !== null) {
    if (typeof c.condition !== 'object' || Array.isArray(c.condition)) err('condition must be a mapping (extended string conditions are not supported)');
    else condition = { ...(c.condition as CorrelationCondition) };
  }

  let aliases: Record<string, Record<string, string>> | undefined;
  if (c.aliases !== undefined && c.aliases !== null) {
    if (typeof c.aliases !== 'object' || Array.isArray(c.aliases)) err('aliases must be a mapping');
    else aliases = c.aliases as Record<string, Record<string, string>>;
  }

  // `generate` sits in the correlation section (pySigma); accept it at the top level too
  const generate = c.generate ?? d.generate ?? false;
  if (typeof generate !== 'boolean') err('generate must be true or false');

  const level = d.level;
  if (level !== undefined && !(typeof level === 'string' && LEVELS.has(level))) err(`level ${JSON.stringify(level)} is not a Sigma level`);
  const tags = asList(d.tags);
  if (!tags || !tags.every((t) => typeof t === 'string')) err('tags must be a list of strings');

  if (errors.length > 0) throw new CorrelationConfigError(errors);
  return {
    id: id!,
    name,
    title,
    level: level as SigmaRuleMeta['level'],
    tags: tags as string[],
    status: typeof d.status === 'string' ? d.status : undefined,
    description: typeof d.description === 'string' ? d.description : undefined,
    type,
    rules: rules as string[],
    group_by: groupBy as string[],
    timespan_ms: timespan!,
    condition,
    aliases,
    generate: generate as boolean,
    file: where.file,
    document: where.document,
  };
}
