/**
 * Vigil's search language: a KQL dialect (see parse.ts for the grammar and the departures from
 * KQL), its syntax tree, a normalised text form, and time bounds with date math.
 */
export type { QueryNode, RangeOp, TermNode, ExistsNode, RangeNode, QueryLimits } from './ast.ts';
export { DEFAULT_QUERY_LIMITS, wildcardSegments } from './ast.ts';
export { QuerySyntaxError, QueryCompileError } from './errors.ts';
export { parseQuery } from './parse.ts';
export { describeQuery, queryFields } from './describe.ts';
export { parseTime, TimeParseError, type ParseTimeOptions } from './time.ts';
