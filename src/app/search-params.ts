import { badRequest, parseQuery, parseTime, QuerySyntaxError, type QueryNode } from '../core/index.ts';
import type { SearchParams } from '../api/index.ts';

export interface SearchLimits {
  defaultLimit: number;
  maxLimit: number;
}

export interface CheckedSearch {
  query: QueryNode;
  from?: number;
  to?: number;
  sort?: string;
  limit: number;
  cursor?: string;
}

/** A time parameter (ISO 8601, or relative like now-7d) in ms; absent or empty gives `fallback`; a bad one is a 400 naming it. */
export function timeParam(value: string | undefined, name: string, now: Date): number | undefined;
export function timeParam(value: string | undefined, name: string, now: Date, fallback: number): number;
export function timeParam(value: string | undefined, name: string, now: Date, fallback?: number): number | undefined {
  if (value === undefined || value === '') return fallback;
  try {
    return parseTime(value, now).getTime();
  } catch (error) {
    throw badRequest(`${name}: ${(error as Error).message}`, name);
  }
}

/** Request parameters as a checked search (events and alerts alike); every problem names its parameter. */
export function checkSearchParams(params: SearchParams, limits: SearchLimits, now: Date): CheckedSearch {
  let query: QueryNode;
  try {
    query = parseQuery(params.q ?? '');
  } catch (error) {
    if (error instanceof QuerySyntaxError) throw badRequest(`q: ${error.message}`, 'q', { position: error.position, expected: error.expected });
    throw error;
  }
  const from = timeParam(params.from, 'from', now);
  const to = timeParam(params.to, 'to', now);
  if (from !== undefined && to !== undefined && from > to) throw badRequest('from: must not be after to', 'from');
  const limit = params.limit ?? limits.defaultLimit;
  if (!Number.isInteger(limit) || limit < 1 || limit > limits.maxLimit) throw badRequest(`limit: must be an integer from 1 to ${limits.maxLimit}`, 'limit');
  return { query, from, to, sort: params.sort, limit, cursor: params.cursor };
}
