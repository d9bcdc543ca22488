/**
 * Checked reading of metadata fields shared by rule, correlation and filter documents.
 */
import { createHash } from 'node:crypto';
import type { Logsource, SigmaRuleMeta } from '../types.ts';
import { invalid, show } from './errors.ts';
import { YNum, isObject, plain } from './yaml.ts';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const LEVELS = new Set(['informational', 'low', 'medium', 'high', 'critical']);
export const STATUSES = new Set(['stable', 'test', 'experimental', 'deprecated', 'unsupported']);

export function optString(v: unknown, path: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (v instanceof YNum) return v.raw;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw invalid('metadata', path, `must be a string, not ${show(plain(v))}`);
}

export function reqString(v: unknown, path: string): string {
  const s = optString(v, path);
  if (s === undefined || s.trim() === '') throw invalid('missing-field', path, 'missing required field');
  return s;
}

/** A string or a list of strings, as a list. */
export function stringList(v: unknown, path: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.map((x, i) => reqString(x, `${path}[${i}]`));
  return [reqString(v, path)];
}

/** The document's `id`: a UUID for rules (strict), any token for correlations and filters. */
export function checkId(v: unknown, strict: boolean): string | undefined {
  if (v === undefined || v === null) return undefined;
  const s = optString(v, 'id');
  if (s === undefined) return undefined;
  if (strict ? !UUID.test(s) : !/^[^\s]{1,200}$/.test(s)) {
    throw invalid('id', 'id', `invalid id format ${show(s)}${strict ? ' (must be a UUID)' : ''}`);
  }
  return s;
}

export function checkLevel(v: unknown): SigmaRuleMeta['level'] {
  const s = optString(v, 'level');
  if (s === undefined) return undefined;
  if (!LEVELS.has(s)) throw invalid('level', 'level', `invalid level ${show(s)} (one of ${[...LEVELS].join(', ')})`);
  return s as SigmaRuleMeta['level'];
}

export function checkStatus(v: unknown): string | undefined {
  const s = optString(v, 'status');
  if (s === undefined) return undefined;
  if (!STATUSES.has(s)) throw invalid('status', 'status', `invalid status ${show(s)} (one of ${[...STATUSES].join(', ')})`);
  return s;
}

export function checkLogsource(v: unknown): Logsource {
  if (v === undefined || v === null) throw invalid('missing-field', 'logsource', 'missing required field');
  if (!isObject(v)) throw invalid('logsource', 'logsource', 'must be a map');
  const ls: Logsource = {};
  for (const k of ['category', 'product', 'service', 'definition'] as const) {
    const s = optString(v[k], `logsource.${k}`);
    if (s !== undefined) ls[k] = s;
  }
  if (ls.category === undefined && ls.product === undefined && ls.service === undefined) {
    throw invalid('logsource', 'logsource', 'needs at least one of category, product, service');
  }
  return ls;
}

/** A stable id for a document without one: a UUID-shaped hash of its title and content. */
export function syntheticId(doc: Record<string, unknown>): string {
  const h = createHash('sha256').update(JSON.stringify(plain(doc))).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
