import { VigilError } from '../errors.ts';

/** A query that does not follow the grammar, or exceeds a limit. `position` is a 0-based offset. */
export class QuerySyntaxError extends VigilError {
  readonly position: number;
  /** What would have been valid at `position`, e.g. ["value", "("]. Empty for limit errors. */
  readonly expected: string[];
  /** Set when a limit was exceeded. */
  readonly limit?: 'maxLength' | 'maxDepth' | 'maxTerms';

  constructor(position: number, message: string, expected: string[] = [], limit?: 'maxLength' | 'maxDepth' | 'maxTerms') {
    super('invalid_query', `at ${position}: ${message}`, 400, undefined, { position, expected, ...(limit ? { limit } : {}) });
    this.name = 'QuerySyntaxError';
    this.position = position;
    this.expected = expected;
    if (limit) this.limit = limit;
  }
}

/**
 * A well-formed query that a store cannot run as written (e.g. `event.severity > high` on a numeric
 * field, a wildcard on a time field). `field` is the query field at fault, `position` the offset of
 * the clause in the query text.
 */
export class QueryCompileError extends VigilError {
  readonly position: number;

  constructor(position: number, field: string | undefined, message: string) {
    super('invalid_query', `at ${position}: ${message}`, 400, field, { position, ...(field !== undefined ? { field } : {}) });
    this.name = 'QueryCompileError';
    this.position = position;
  }
}
