/** Value handling shared by the engine: group keys, numbers, conditions, percentiles. */
import type { CorrelationCondition } from './types.ts';

/**
 * The comparable form of a field value for group keys and distinct counts: strings as they are
 * (case-sensitive), numbers and booleans as their string (so 443 and "443" are one value),
 * arrays and objects as JSON.
 */
export function valueKey(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(v);
    default:
      return JSON.stringify(v) ?? String(v);
  }
}

const NUMERIC = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A field value as a number for value_sum / value_avg / value_percentile: finite numbers, and
 * strings holding a decimal number (surrounding spaces allowed: " 12.5", "-3", "1e3"). Anything
 * else (missing, null, booleans, arrays, "0x10", "NaN", "") has no value and is ignored.
 */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string') {
    const s = v.trim();
    if (!NUMERIC.test(s)) return undefined;
    const n = Number(s);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

export const COMPARISONS = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'] as const;

export interface CompiledCondition {
  test(v: number): boolean;
  /** Only gt/gte: once true for a window, adding matches to it keeps it true (for counts). */
  lowerOnly: boolean;
}

export function compileCondition(c: CorrelationCondition): CompiledCondition {
  const { gt, gte, lt, lte, eq, neq } = c;
  const checks: Array<(v: number) => boolean> = [];
  if (gt !== undefined) checks.push((v) => v > gt);
  if (gte !== undefined) checks.push((v) => v >= gte);
  if (lt !== undefined) checks.push((v) => v < lt);
  if (lte !== undefined) checks.push((v) => v <= lte);
  if (eq !== undefined) checks.push((v) => v === eq);
  if (neq !== undefined) checks.push((v) => v !== neq);
  const lowerOnly = lt === undefined && lte === undefined && eq === undefined && neq === undefined;
  const test =
    checks.length === 1
      ? checks[0]
      : (v: number) => {
          for (const f of checks) if (!f(v)) return false;
          return true;
        };
  return { test, lowerOnly };
}

/**
 * Whether some value can satisfy the condition; returns the reason it cannot, or null.
 * `integer`: the value is a count (no value strictly between two integers).
 */
export function unsatisfiable(c: CorrelationCondition, integer: boolean): string | null {
  let lo = -Infinity;
  let loOpen = false;
  let hi = Infinity;
  let hiOpen = false;
  if (c.gt !== undefined && (c.gt > lo || (c.gt === lo && !loOpen))) [lo, loOpen] = [c.gt, true];
  if (c.gte !== undefined && c.gte > lo) [lo, loOpen] = [c.gte, false];
  if (c.lt !== undefined && (c.lt < hi || (c.lt === hi && !hiOpen))) [hi, hiOpen] = [c.lt, true];
  if (c.lte !== undefined && c.lte < hi) [hi, hiOpen] = [c.lte, false];
  if (integer) {
    if (Number.isFinite(lo)) [lo, loOpen] = [loOpen ? Math.floor(lo) + 1 : Math.ceil(lo), false];
    if (Number.isFinite(hi)) [hi, hiOpen] = [hiOpen ? Math.ceil(hi) - 1 : Math.floor(hi), false];
  }
  const inRange = (v: number) => (loOpen ? v > lo : v >= lo) && (hiOpen ? v < hi : v <= hi);
  if (lo > hi || (lo === hi && (loOpen || hiOpen))) return 'the range is empty';
  if (c.eq !== undefined) {
    if (!inRange(c.eq)) return `eq ${c.eq} is outside the range`;
    if (integer && !Number.isInteger(c.eq)) return `eq ${c.eq} is not a whole number`;
    if (c.neq === c.eq) return 'eq and neq are equal';
  }
  if (integer && lo === hi && c.neq === lo) return 'the only value allowed is excluded by neq';
  return null;
}

/**
 * The p-th percentile by the nearest-rank method: the smallest value such that at least p% of
 * the values are less than or equal to it (sorted[ceil(p/100 · n) − 1]; p = 0 gives the
 * minimum). Always one of the observed values. `values` is sorted in place.
 */
export function percentile(values: number[], p: number): number {
  values.sort((a, b) => a - b);
  const rank = Math.ceil((p * values.length) / 100);
  return values[Math.min(values.length, Math.max(rank, 1)) - 1];
}
