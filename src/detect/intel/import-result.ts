import { ALERT_LEVELS, type AlertLevel, type IndicatorInput, type IndicatorType } from '../../core/index.ts';

/**
 * What an importer made of one input: the indicators it could state, the entries it refused
 * because a field was wrong (the rest of the input still imports), and the entries that are
 * well formed but say something Vigil cannot match (another pattern language, an operator, a type).
 */
export interface ImportResult {
  indicators: IndicatorInput[];
  rejected: Array<{ where: string; reason: string }>;
  unsupported: Array<{ where: string; pattern?: string; reason: string }>;
}

/** The whole input is malformed: nothing of it is imported. The message says where and why. */
export class ImportFormatError extends Error {
  override readonly name = 'ImportFormatError';
  constructor(
    /** Where in the input, e.g. `bundle.objects[3]` or `line 1`. */
    readonly where: string,
    readonly reason: string,
  ) {
    super(`${where}: ${reason}`);
  }
}

export function emptyResult(): ImportResult {
  return { indicators: [], rejected: [], unsupported: [] };
}

/** A field that did not pass the shape checks: the entry goes to `rejected`. */
export class FieldError extends Error {
  override readonly name = 'FieldError';
}

export function isAlertLevel(value: unknown): value is AlertLevel {
  return typeof value === 'string' && (ALERT_LEVELS as readonly string[]).includes(value);
}

/** `ip` for a value with a prefix length is a `cidr`. */
export function ipOrCidr(value: string): IndicatorType {
  return value.includes('/') ? 'cidr' : 'ip';
}

/** A confidence 0-100 or a FieldError naming the field. */
export function checkConfidence(field: string, value: unknown): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n > 100) {
    throw new FieldError(`${field}: ${JSON.stringify(value)} is not a confidence 0-100`);
  }
  return n;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/** An ISO 8601 date or date-time, as given, or a FieldError naming the field. */
export function checkDate(field: string, value: string): string {
  const v = value.trim();
  if (!ISO_DATE.test(v) || Number.isNaN(Date.parse(v))) throw new FieldError(`${field}: ${JSON.stringify(value)} is not an ISO 8601 date`);
  return v;
}

/** Adds an indicator unless the same type and value is already there (one entry yielding it twice). */
export function pushUnique(list: IndicatorInput[], indicator: IndicatorInput, seen: Set<string>): void {
  const key = `${indicator.type}\u0000${indicator.value}`;
  if (seen.has(key)) return;
  seen.add(key);
  list.push(indicator);
}

export function uniqueStrings(values: Iterable<string>): string[] {
  const out: string[] = [];
  for (const v of values) {
    const t = v.trim();
    if (t !== '' && !out.includes(t)) out.push(t);
  }
  return out;
}
