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

/** Request parameters as a checked search (events and alerts alike); every problem names its parameter. */
export function checkSearchParams(params: SearchParams, limits: SearchLimits, now: Date): CheckedSearch {
  let query: QueryNode;
  try {
    query = parseQuery(params.q ?? '');
  } catch (error) {
    if (error instanceof QuerySyntaxError) throw badRequest(`q: ${error.message}`, 'q', { position: error.position, expected: error.expected });
    throw error;
  }
  const time = (name: 'from' | 'to'): number | undefined => {
    const value = params[name];
    if (value === undefined || value === '') return undefined;
    try {
      return parseTime(value, now).getTime();
    } catch (error) {
      throw badRequest(`${name}: ${(error as Error).message}`, name);
    }
  };
  const from = time('from');
  const to = time('to');
  if (from !== undefined && to !== undefined && from > to) throw badRequest('from: must not be after to', 'from');
  const limit = params.limit ?? limits.defaultLimit;
  if (!Number.isInteger(limit) || limit < 1 || limit > limits.maxLimit) throw badRequest(`limit: must be an integer from 1 to ${limits.maxLimit}`, 'limit');
  return { query, from, to, sort: params.sort, limit, cursor: params.cursor };
}
