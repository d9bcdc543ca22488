/**
 * Types of the correlation engine: the input structure (`CorrelationSpec`, what the Sigma parser
 * produces from a correlation document), the engine options and what the engine answers.
 *
 * `CorrelationSpec` follows the YAML keys of Sigma correlation rules (sigma-specification 2.x,
 * including the metric types value_sum / value_avg / value_percentile of 2.1) so a parser only
 * renames `group-by` → `group_by` and turns `timespan` into milliseconds (see `parseTimespan` and
 * `correlationSpecFromSigma` in sigma.ts for a reference mapping).
 */
import type { RuleMatch, SigmaRuleMeta } from '../types.ts';

import { CORRELATION_TYPES as SIGMA_CORRELATION_TYPES, type CorrelationType as SigmaCorrelationType } from '../sigma/index.ts';

/** The correlation types the engine runs: Sigma's, with value_median given as value_percentile 50. */
export type CorrelationType = Exclude<SigmaCorrelationType, 'value_median'>;

export const CORRELATION_TYPES: readonly CorrelationType[] = [...SIGMA_CORRELATION_TYPES].filter(
  (type): type is CorrelationType => type !== 'value_median',
);

/**
 * Sigma `correlation.condition`. Every comparison present must hold (several make a range, e.g.
 * `{ gt: 100, lte: 200 }`); at least one is required except for temporal types.
 *
 * What is compared depends on the type: event_count → number of matches; value_count → number
 * of distinct values of `field`; temporal → number of distinct referenced rules matched;
 * temporal_ordered → length of the longest prefix of `rules` matched in order; value_sum /
 * value_avg / value_percentile → sum / mean / `percentile`-th percentile of `field`.
 */
export interface CorrelationCondition {
  /** value > gt */
  gt?: number;
  /** value >= gte */
  gte?: number;
  /** value < lt */
  lt?: number;
  /** value <= lte */
  lte?: number;
  /** value === eq */
  eq?: number;
  /** value !== neq (Sigma 2.1) */
  neq?: number;
  /**
   * The event field a value_* correlation reads. May be an alias name from `aliases`, resolved
   * per referenced rule like group-by fields. Required for value_count, value_sum, value_avg and
   * value_percentile; ignored otherwise.
   */
  field?: string;
  /** For value_percentile only (required there): the percentile, 0 < percentile <= 100. */
  percentile?: number;
}

/** One Sigma correlation rule, ready for the engine. */
export interface CorrelationSpec {
  /** Sigma `id`. Unique among correlations; a reference in `rules` may use it. */
  id: string;
  /** Sigma `name`: the human-readable handle other correlations and `aliases` refer to. */
  name?: string;
  /** Sigma `title`. */
  title: string;
  /** Sigma `level`: the severity of the correlation's alert. */
  level?: SigmaRuleMeta['level'];
  /** Sigma `tags` (ATT&CK and others), copied to the alert. */
  tags: string[];
  /** Sigma `status`, `description`, kept for output. */
  status?: string;
  description?: string;
  /** Sigma `correlation.type`. */
  type: CorrelationType;
  /**
   * Sigma `correlation.rules`: names or ids of the detection rules or of other correlations this
   * one consumes. A match of a detection rule is recognised by its `name` or its `id`; a
   * correlation by its `name` or `id`. Order matters for temporal_ordered. No duplicates.
   */
  rules: string[];
  /**
   * Sigma `correlation.group-by`: fields (or alias names) whose values separate the state. Empty
   * means one group for everything. A match lacking any of these fields (undefined or null) does
   * not take part in this correlation (as with a SIEM's `stats … by`), and is counted as
   * `ungrouped` in the stats.
   */
  group_by: string[];
  /** Sigma `correlation.timespan`, in milliseconds (see `parseTimespan`). */
  timespan_ms: number;
  /**
   * Sigma `correlation.condition`. Optional for temporal and temporal_ordered, where the default
   * is "all referenced rules" (`{ gte: rules.length }`).
   */
  condition?: CorrelationCondition;
  /**
   * Sigma `correlation.aliases`: alias field → (referenced rule name or id → event field). An
   * alias used in `group_by` (or as `condition.field`) reads, for a match of a rule listed under
   * it, that rule's event field; for a rule not listed, the field named like the alias.
   */
  aliases?: Record<string, Record<string, string>>;
  /**
   * Sigma `generate`: when true, the referenced rules (detection rules and correlations) also
   * raise their own alerts. When false (the Sigma default) they only feed this correlation;
   * see `CorrelationResult.suppressBase` and `CorrelationAlert.suppressed` for the exact rule.
   */
  generate: boolean;
  /** Where the correlation came from, for messages and for the alert's rule meta. */
  file?: string;
  document?: number;
}

export interface CorrelationEngineOptions {
  /**
   * How far behind the highest event time seen a match may arrive and still count. The
   * watermark is (highest event time seen) − allowedLatenessMs; a match older than the
   * watermark is late and dropped (`lateDropped`).
   */
  allowedLatenessMs: number;
  /** Most groups one correlation holds; beyond it the least recently updated group is evicted. */
  maxGroupsPerRule: number;
  /** Most matches one group holds; beyond it the oldest is dropped (`eventsDropped`). */
  maxEventsPerGroup: number;
  /**
   * The detection rules that exist. When given, every reference that is not a correlation must
   * name one of them (by name or id), and names must not collide with correlation names. When
   * omitted, such references are taken on trust.
   */
  knownRules?: ReadonlyArray<Pick<SigmaRuleMeta, 'id' | 'name'>>;
  /** Most matches copied into one alert's `matches` (default 50); `matchCount` has the total. */
  maxMatchesPerAlert?: number;
}

/** One firing of a correlation. */
export interface CorrelationAlert {
  /** The correlation as rule meta (id, title, level, tags, name…), like a detection rule's. */
  rule: SigmaRuleMeta;
  type: CorrelationType;
  /** group-by field (alias names as written in the rule) → value, from the group's first match. */
  group: Record<string, unknown>;
  /** The normalised group key (stable string), for fingerprints. */
  groupKey: string;
  /**
   * Event times (ms) of the first and last match of the window that met the condition
   * (end − start ≤ timespan). For temporal_ordered, the first and last match of the ordered chain.
   * A chained correlation receives this alert as a match at time `end`.
   */
  start: number;
  end: number;
  /** The value that met the condition (count, distinct count, rules matched, sum, mean, percentile). */
  value: number;
  /** Contributing matches in event-time order, at most maxMatchesPerAlert (temporal_ordered: the chain). */
  matches: RuleMatch[];
  /** How many matches the window held. */
  matchCount: number;
  /**
   * True when this correlation is itself referenced by other correlations and all of them have
   * `generate: false`: the alert fed them and should not be raised on its own.
   */
  suppressed: boolean;
}

export interface CorrelationResult {
  /** Alerts fired by this call, in the order they fired (chained correlations after their inputs). */
  fired: CorrelationAlert[];
  /**
   * True when the match's rule is referenced by at least one correlation and every correlation
   * referencing it has `generate: false`: the detection rule's own alert should be withheld.
   * False when the rule is referenced by no correlation, or by at least one with `generate: true`.
   */
  suppressBase: boolean;
  /** True when the match was older than the watermark and was dropped. */
  late: boolean;
}

export interface CorrelationStats {
  /** Groups held, all correlations together. */
  groupsHeld: number;
  /** Matches held in group state, all correlations together. */
  eventsHeld: number;
  /** Matches dropped because they were older than the watermark. */
  lateDropped: number;
  /** Alerts fired (including suppressed ones that only fed other correlations). */
  fired: number;
  /** Highest event time seen − allowed lateness (−Infinity before the first match). */
  watermark: number;
  /** Groups evicted because a correlation reached maxGroupsPerRule (state lost). */
  groupsEvicted: number;
  /** Matches dropped because a group reached maxEventsPerGroup. */
  eventsDropped: number;
  /** Matches that lacked a group-by field (per correlation). */
  ungrouped: number;
  /** Matches without a usable value for a value_* correlation (missing, or not a number). */
  valueless: number;
  /** Matches with a non-finite time, ignored. */
  invalid: number;
  /** Close timers queued for anchored windows (stale ones included until they come due). */
  closesPending: number;
  perCorrelation: Array<{ id: string; groups: number; events: number; fired: number }>;
}

/** The correlations could not be accepted; `errors` lists every problem, each naming its correlation. */
export class CorrelationConfigError extends Error {
  constructor(readonly errors: string[]) {
    super(`invalid correlation rules:\n  ${errors.join('\n  ')}`);
    this.name = 'CorrelationConfigError';
  }
}
