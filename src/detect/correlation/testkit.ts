/** Helpers for the correlation tests: rule metas, event views over plain objects, specs. */
import type { EventView, RuleMatch, SigmaRuleMeta } from '../types.ts';
import type { CorrelationEngineOptions, CorrelationSpec } from './types.ts';

const rules = new Map<string, SigmaRuleMeta>();

/** One meta object per rule name (the engine caches routes per meta object, as with compiled rules). */
export function ruleMeta(name: string, id = `id-${name}`): SigmaRuleMeta {
  let r = rules.get(`${name}\u0000${id}`);
  if (!r) {
    r = { id, name, title: name, tags: [], logsource: { product: 'test' }, file: 'test.yml', document: 1, level: 'low' };
    rules.set(`${name}\u0000${id}`, r);
  }
  return r;
}

/** An event over a plain object; dotted names read nested objects, flat dotted keys win. */
export class ObjectView implements EventView {
  constructor(
    readonly record: Record<string, unknown>,
    private readonly t: number,
  ) {}
  get(field: string): unknown {
    if (Object.hasOwn(this.record, field)) return this.record[field];
    let cur: unknown = this.record;
    for (const part of field.split('.')) {
      if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, part)) return undefined;
      cur = (cur as Record<string, unknown>)[part];
    }
    return cur;
  }
  keywords(): readonly string[] {
    return Object.values(this.record).filter((v): v is string => typeof v === 'string');
  }
  time(): number {
    return this.t;
  }
}

export function match(rule: string | SigmaRuleMeta, time: number, fields: Record<string, unknown> = {}): RuleMatch {
  const meta = typeof rule === 'string' ? ruleMeta(rule) : rule;
  return { rule: meta, event: new ObjectView(fields, time), time };
}

export function spec(s: Partial<CorrelationSpec> & Pick<CorrelationSpec, 'type' | 'rules'>): CorrelationSpec {
  const id = s.id ?? s.name ?? `corr-${s.type}`;
  return {
    id,
    title: s.title ?? `title of ${id}`,
    tags: [],
    group_by: [],
    timespan_ms: 60_000,
    generate: false,
    level: 'high',
    ...s,
  };
}

export const options = (o: Partial<CorrelationEngineOptions> = {}): CorrelationEngineOptions => ({
  allowedLatenessMs: 0,
  maxGroupsPerRule: 1_000,
  maxEventsPerGroup: 1_000,
  ...o,
});

export const S = 1_000;
export const M = 60_000;
/** An arbitrary epoch so times look real: 2024-05-01T12:00:00Z. */
export const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);
