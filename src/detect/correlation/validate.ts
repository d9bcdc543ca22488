/**
 * Checks a set of correlations before the engine accepts them. Collects every problem (not only
 * the first), each message naming the correlation at fault.
 */
import type { SigmaRuleMeta } from '../types.ts';
import { CORRELATION_TYPES, type CorrelationEngineOptions, type CorrelationSpec } from './types.ts';
import { COMPARISONS, unsatisfiable } from './values.ts';

export function describe(spec: Partial<CorrelationSpec>): string {
  const handle = spec.name && spec.name !== spec.id ? `${spec.id}, name ${spec.name}` : spec.id;
  return `correlation ${JSON.stringify(spec.title ?? '?')} (${handle ?? 'no id'})`;
}

const VALUE_TYPES = new Set(['value_count', 'value_sum', 'value_avg', 'value_percentile']);
const TEMPORAL_TYPES = new Set(['temporal', 'temporal_ordered']);
const CONDITION_KEYS = new Set<string>([...COMPARISONS, 'field', 'percentile']);

const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

export function validateOptions(o: CorrelationEngineOptions): string[] {
  const errors: string[] = [];
  const check = (name: string, v: unknown, min: number, integer: boolean) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) {
      errors.push(`option ${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}, got ${String(v)}`);
    }
  };
  check('allowedLatenessMs', o?.allowedLatenessMs, 0, false);
  check('maxGroupsPerRule', o?.maxGroupsPerRule, 1, true);
  check('maxEventsPerGroup', o?.maxEventsPerGroup, 1, true);
  if (o?.maxMatchesPerAlert !== undefined) check('maxMatchesPerAlert', o.maxMatchesPerAlert, 1, true);
  return errors;
}

/** One spec on its own: shape, condition, aliases. */
function validateSpec(spec: CorrelationSpec, options: CorrelationEngineOptions): string[] {
  const errors: string[] = [];
  const who = describe(spec);
  const err = (msg: string) => errors.push(`${who}: ${msg}`);
  if (!isNonEmptyString(spec.id)) err('id must be a non-empty string');
  if (spec.name !== undefined && !isNonEmptyString(spec.name)) err('name must be a non-empty string when given');
  if (typeof spec.title !== 'string') err('title must be a string');
  if (!CORRELATION_TYPES.includes(spec.type)) {
    err(`type ${JSON.stringify(spec.type)} is not one of ${CORRELATION_TYPES.join(', ')}`);
    return errors;
  }
  if (!Array.isArray(spec.tags) || !spec.tags.every((t) => typeof t === 'string')) err('tags must be a list of strings');
  if (typeof spec.generate !== 'boolean') err('generate must be true or false');
  if (typeof spec.timespan_ms !== 'number' || !Number.isFinite(spec.timespan_ms) || spec.timespan_ms <= 0) {
    err(`timespan must be a positive duration, got ${String(spec.timespan_ms)} ms`);
  }
  if (!Array.isArray(spec.group_by) || !spec.group_by.every(isNonEmptyString)) err('group-by must be a list of field names');

  const rules = Array.isArray(spec.rules) ? spec.rules : [];
  if (!Array.isArray(spec.rules) || rules.length === 0) err('rules must list at least one rule');
  else if (!rules.every(isNonEmptyString)) err('rules must be names or ids (non-empty strings)');
  const seen = new Set<string>();
  for (const r of rules) {
    if (seen.has(r)) err(`rule ${JSON.stringify(r)} is listed twice`);
    seen.add(r);
  }

  const cond = spec.condition;
  const temporal = TEMPORAL_TYPES.has(spec.type);
  if (cond === undefined || cond === null) {
    if (!temporal) err(`condition is required for ${spec.type}`);
  } else if (typeof cond !== 'object') {
    err('condition must be a mapping');
  } else {
    for (const k of Object.keys(cond)) {
      if (!CONDITION_KEYS.has(k)) err(`condition has an unknown key ${JSON.stringify(k)}`);
    }
    const ops = COMPARISONS.filter((k) => cond[k] !== undefined);
    for (const k of ops) {
      const v = cond[k];
      if (typeof v !== 'number' || !Number.isFinite(v)) err(`condition ${k} must be a number, got ${JSON.stringify(v)}`);
    }
    if (ops.length === 0) err('condition needs at least one of gt, gte, lt, lte, eq, neq');
    else if (ops.every((k) => Number.isFinite(cond[k]))) {
      const countLike = spec.type !== 'value_sum' && spec.type !== 'value_avg' && spec.type !== 'value_percentile';
      const why = unsatisfiable(cond, countLike);
      if (why) err(`condition can never hold: ${why}`);
      else if (temporal) {
        // the value is a number of rules: 0..rules.length
        const max = rules.length;
        const canHold = Array.from({ length: max + 1 }, (_, v) => v).some((v) => testAll(cond, v));
        if (!canHold) err(`condition can never hold with ${max} rule(s)`);
      }
      if (!why && (spec.type === 'event_count' || spec.type === 'value_count')) {
        const need = minimumCount(cond);
        const cap = options?.maxEventsPerGroup;
        if (Number.isInteger(cap) && cap >= 1 && need > cap) {
          err(`condition needs ${need} matches in one group but maxEventsPerGroup is ${cap}`);
        }
      }
    }
    if (VALUE_TYPES.has(spec.type)) {
      if (!isNonEmptyString(cond.field)) err(`condition.field is required for ${spec.type}`);
    }
    if (spec.type === 'value_percentile') {
      const p = cond.percentile;
      if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 100) {
        err(`condition.percentile is required for value_percentile, a number from 0 to 100, got ${JSON.stringify(p)}`);
      }
    }
  }

  if (spec.aliases !== undefined) {
    if (spec.aliases === null || typeof spec.aliases !== 'object') err('aliases must be a mapping');
    else {
      for (const [alias, mapping] of Object.entries(spec.aliases)) {
        if (mapping === null || typeof mapping !== 'object') {
          err(`alias ${JSON.stringify(alias)} must map rule names to field names`);
          continue;
        }
        for (const [rule, field] of Object.entries(mapping)) {
          if (!seen.has(rule)) err(`alias ${JSON.stringify(alias)} names rule ${JSON.stringify(rule)}, which is not in rules`);
          if (!isNonEmptyString(field)) err(`alias ${JSON.stringify(alias)} for rule ${JSON.stringify(rule)} must be a field name`);
        }
      }
    }
  }
  return errors;
}

function testAll(c: NonNullable<CorrelationSpec['condition']>, v: number): boolean {
  if (c.gt !== undefined && !(v > c.gt)) return false;
  if (c.gte !== undefined && !(v >= c.gte)) return false;
  if (c.lt !== undefined && !(v < c.lt)) return false;
  if (c.lte !== undefined && !(v <= c.lte)) return false;
  if (c.eq !== undefined && v !== c.eq) return false;
  if (c.neq !== undefined && v === c.neq) return false;
  return true;
}

/** The smallest count a condition accepts (used to check it fits in maxEventsPerGroup). */
function minimumCount(c: NonNullable<CorrelationSpec['condition']>): number {
  let lo = 0;
  if (c.gt !== undefined) lo = Math.max(lo, Math.floor(c.gt) + 1);
  if (c.gte !== undefined) lo = Math.max(lo, Math.ceil(c.gte));
  if (c.eq !== undefined) lo = Math.max(lo, c.eq);
  return lo;
}

/**
 * Validates all correlations together: each spec, unique handles, references (to correlations,
 * or to known detection rules when `knownRules` is given) and cycles among chained correlations.
 * Returns the list of problems (empty when all is well).
 */
export function validateSpecs(specs: readonly CorrelationSpec[], options: CorrelationEngineOptions): string[] {
  return checkSpecs(specs, options).errors;
}

/** The problems, and each troubled correlation's own (by id), so a caller can set just those aside. */
export function checkSpecs(specs: readonly CorrelationSpec[], options: CorrelationEngineOptions): { errors: string[]; invalid: Map<string, string[]> } {
  const errors = validateOptions(options);
  const invalid = new Map<string, string[]>();
  if (!Array.isArray(specs)) return { errors: [...errors, 'correlations must be a list'], invalid };
  const note = (spec: CorrelationSpec, full: string) => {
    const list = invalid.get(spec.id);
    if (list) list.push(full);
    else invalid.set(spec.id, [full]);
  };
  /** A problem of one correlation. */
  const fault = (spec: CorrelationSpec, message: string) => {
    errors.push(`${describe(spec)}: ${message}`);
    note(spec, `${describe(spec)}: ${message}`);
  };
  for (const s of specs) {
    const own = validateSpec(s, options);
    errors.push(...own);
    for (const message of own) note(s, message);
  }

  // handles: id and name of every correlation, unique across all
  const byHandle = new Map<string, number>();
  specs.forEach((s, i) => {
    for (const h of new Set([s.id, s.name].filter(isNonEmptyString))) {
      const other = byHandle.get(h);
      if (other !== undefined && other !== i) {
        fault(s, `${JSON.stringify(h)} is also the id or name of ${describe(specs[other])}`);
      } else byHandle.set(h, i);
    }
  });

  const known: Set<string> | null = options.knownRules ? new Set() : null;
  for (const r of options.knownRules ?? []) {
    for (const h of [r.id, r.name] as Array<SigmaRuleMeta['name']>) {
      if (!isNonEmptyString(h)) continue;
      known!.add(h);
      const corr = byHandle.get(h);
      if (corr !== undefined) {
        fault(specs[corr], `${JSON.stringify(h)} is also the id or name of a detection rule`);
      }
    }
  }

  // references
  const edges: number[][] = specs.map(() => []);
  specs.forEach((s, i) => {
    if (!Array.isArray(s.rules)) return;
    for (const ref of s.rules) {
      const target = byHandle.get(ref);
      if (target !== undefined) edges[i].push(target);
      else if (known && !known.has(ref)) fault(s, `unknown rule ${JSON.stringify(ref)}`);
    }
  });

  // cycles (a correlation that, through chains, consumes its own alerts)
  const state = new Uint8Array(specs.length); // 0 new, 1 on stack, 2 done
  const stack: number[] = [];
  const reported = new Set<string>();
  const visit = (i: number) => {
    state[i] = 1;
    stack.push(i);
    for (const j of edges[i]) {
      if (state[j] === 1) {
        const cycle = stack.slice(stack.indexOf(j));
        const sig = [...cycle].sort((a, b) => a - b).join(',');
        if (!reported.has(sig)) {
          reported.add(sig);
          const path = [...cycle, j].map((k) => specs[k].name ?? specs[k].id).join(' → ');
          const message = `${describe(specs[j])}: chained correlations form a cycle: ${path}`;
          errors.push(message);
          for (const k of cycle) note(specs[k], message);
        }
      } else if (state[j] === 0) visit(j);
    }
    stack.pop();
    state[i] = 2;
  };
  for (let i = 0; i < specs.length; i++) if (state[i] === 0) visit(i);
  return { errors, invalid };
}
