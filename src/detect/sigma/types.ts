/**
 * Types of the Sigma engine core: what loading produces (parsed and checked rules, correlation
 * and filter documents) and the value model that modifiers transform and the compiler turns into
 * closures. The shared contract (CompiledRule, Anchor, SigmaRuleMeta, RuleRejection, EventView)
 * lives in ../types.ts; this file only adds what the Sigma side needs on top of it.
 */
import type { Logsource, RuleRejection, SigmaRuleMeta } from '../types.ts';

// ---------------------------------------------------------------------------------------------
// Loading

export interface LoadOptions {
  /**
   * Values for `%name%` placeholders used with the `expand` modifier. Each placeholder expands
   * to an OR of its values; values are Sigma strings (wildcards `*`/`?` and escapes apply).
   * A placeholder used by a rule but absent here makes the rule `unsupported`.
   */
  placeholders?: Record<string, string[]>;
}

/** What loading a set of files or one text produced. */
export interface LoadResult {
  rules: ParsedRule[];
  correlations: ParsedCorrelation[];
  filters: ParsedFilter[];
  rejections: SigmaRejection[];
  /** Files read (YAML files found under the given paths). */
  files: number;
  /** Rule, correlation and filter documents seen (collection templates `action: global` excluded). */
  documents: number;
}

/**
 * A rejection with a machine-readable feature class (e.g. `modifier`, `placeholder`,
 * `aggregation`, `regex-backtracking`) so reports can count reasons by class.
 * Structurally a RuleRejection.
 */
export interface SigmaRejection extends RuleRejection {
  feature: string;
  /** 1-based YAML document index in the file, when known. */
  document?: number;
}

/** Result of `lint()`, for `vigil rules lint` (the caller formats; `--json` prints files, rules, accepted, rejected). */
export interface LintResult {
  files: number;
  /** Documents examined: detection rules, correlations and filters. */
  rules: number;
  accepted: number;
  rejected: SigmaRejection[];
  /** How many of `rejected` are valid Sigma that Vigil cannot run. */
  unsupported: number;
  /** Accepted correlation documents. */
  correlations: number;
  /** Accepted filter documents. */
  filters: number;
}

// ---------------------------------------------------------------------------------------------
// Detection rules

/** A detection rule, parsed and checked: everything compileRule needs, nothing re-parsed later. */
export interface ParsedRule {
  meta: SigmaRuleMeta;
  /** Search identifiers in document order. */
  detection: ParsedDetection;
  /** The condition as written; a list of conditions is the OR of them. */
  conditionText: string[];
  /** The parsed condition (a list of conditions already combined with OR). */
  condition: ConditionNode;
  related?: { id: string; type: string }[];
  /** True when the document had no `id` and meta.id was derived from its content. */
  syntheticId?: boolean;
}

export interface ParsedDetection {
  identifiers: Map<string, DetectionNode>;
}

/** A search identifier's definition: maps are AND of items, lists are OR of their elements. */
export type DetectionNode =
  | { t: 'and'; items: DetectionNode[] }
  | { t: 'or'; items: DetectionNode[] }
  | { t: 'item'; item: DetectionItem };

/** One `field|mod1|mod2: value-or-list` (field null for keyword detections). */
export interface DetectionItem {
  /** Field name as written (spaces and dots kept); null for keyword (field-less) items. */
  field: string | null;
  modifiers: string[];
  /** Values after modifiers; OR-linked unless `all`. */
  values: SigmaValue[];
  /** `all` modifier: every value must match. */
  all: boolean;
  /** `neq` modifier: the field is present and none of the values match (see decisions in README of index.ts). */
  negated: boolean;
  /** Where in the document, for messages: `detection.selection.Image|endswith`. */
  path: string;
}

// ---------------------------------------------------------------------------------------------
// Values (what modifiers transform)

export interface Wildcard {
  readonly w: '*' | '?';
}
export interface Placeholder {
  readonly ph: string;
}
/** A piece of a Sigma string: literal text, a wildcard, or (before expansion) a placeholder. */
export type Part = string | Wildcard | Placeholder;

export type SigmaValue =
  | StrValue
  | NumValue
  | BoolValue
  | NullValue
  | RegexValue
  | CidrValue
  | CompareValue
  | ExistsValue
  | FieldRefValue
  | TimePartValue
  | Expansion;

/** A string with wildcards. `binary` strings hold one byte per UTF-16 code unit (after wide/utf16*). */
export interface StrValue {
  t: 'str';
  parts: Part[];
  cased: boolean;
  binary?: boolean;
  /** The value as written in the rule (for `re`, `cidr` and messages). */
  orig: string;
}
/** A YAML number; `raw` is its source text (so `0x17`, `010`, `1.0` still compare as written). */
export interface NumValue {
  t: 'num';
  n: number;
  raw: string;
}
export interface BoolValue {
  t: 'bool';
  b: boolean;
}
/** `field: null` — the field is absent or null. */
export interface NullValue {
  t: 'null';
}
export interface RegexValue {
  t: 're';
  source: string;
  flags: { i: boolean; m: boolean; s: boolean };
}
export interface CidrValue {
  t: 'cidr';
  cidr: string;
  v6: boolean;
  /** Network address, 4 big-endian 32-bit words (IPv4 uses word 0 only). */
  net: Uint32Array;
  prefix: number;
}
export interface CompareValue {
  t: 'cmp';
  op: 'lt' | 'lte' | 'gt' | 'gte';
  n: number;
}
export interface ExistsValue {
  t: 'exists';
  b: boolean;
}
export interface FieldRefValue {
  t: 'fieldref';
  field: string;
  startsWith: boolean;
  endsWith: boolean;
  cased: boolean;
}
export type TimeUnit = 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';
export interface TimePartValue {
  t: 'time';
  unit: TimeUnit;
  n: number;
  op: 'eq' | 'lt' | 'lte' | 'gt' | 'gte';
}
/** One value that became several (windash, base64offset, placeholders): matches when any variant does. */
export interface Expansion {
  t: 'exp';
  values: SigmaValue[];
}

// ---------------------------------------------------------------------------------------------
// Conditions

export type ConditionNode =
  | { t: 'id'; name: string; pos: number }
  | { t: 'and'; args: ConditionNode[] }
  | { t: 'or'; args: ConditionNode[] }
  | { t: 'not'; arg: ConditionNode }
  /** `1 of X` / `any of X` (quant 'any') and `all of X`; pattern null means `them`. */
  | { t: 'of'; quant: 'any' | 'all'; pattern: string | null; pos: number };

// ---------------------------------------------------------------------------------------------
// Correlation rules (sigma-correlation-rules-specification 2.x). The correlation engine works on
// these; nothing here evaluates them.

export type CorrelationType =
  | 'event_count'
  | 'value_count'
  | 'temporal'
  | 'temporal_ordered'
  | 'value_sum'
  | 'value_avg'
  | 'value_percentile'
  | 'value_median';

export type ThresholdOp = 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'neq';

/**
 * The threshold of a correlation: a comparison (`gt`, `gte`, `lt`, `lte`, `eq`, `neq`) against
 * the count (event_count: events; value_count: distinct values of `field`; temporal*: distinct
 * referenced rules that matched; value_sum/avg/percentile/median: that metric of `field`).
 * A range (`gt: 100` and `lte: 200`, as the specification allows) puts the first comparison in
 * op/value (order gt, gte, lt, lte, eq, neq) and the others in `and`: all must hold.
 */
export interface CorrelationThreshold {
  op: ThresholdOp;
  value: number;
  /** Further comparisons that must hold too (ranges). Absent for a single comparison. */
  and?: { op: ThresholdOp; value: number }[];
  /** The field counted or measured (required for value_* types). A list for multi-field distinct counts. */
  field?: string | string[];
  /** For value_percentile: which percentile (0–100). */
  percentile?: number;
}

/**
 * A correlation document. References in `rules` are rule ids or names (resolved by the loader
 * when the referenced rules are loaded together; see ParsedCorrelation.resolved).
 */
export interface ParsedCorrelation {
  /** The rule id, or a derived one (syntheticId) when the document has none. */
  id: string;
  syntheticId?: boolean;
  title: string;
  name?: string;
  status?: string;
  level?: SigmaRuleMeta['level'];
  description?: string;
  author?: string;
  date?: string;
  modified?: string;
  references?: string[];
  falsepositives?: string[];
  tags: string[];
  type: CorrelationType;
  /** Referenced rules (ids or names), in order (the order matters for temporal_ordered). */
  rules: string[];
  /** Each reference resolved to the referenced rule's or correlation's id (filled by loadRules). */
  resolved?: string[];
  /** Fields whose values must be equal within a group (aliases resolved per rule, see `aliases`). Empty: one group. */
  groupBy: string[];
  /** As written (`5m`, `1h`, `2d`, `1w`, `1M`, `1y`). */
  timespan: string;
  /** Timespan in milliseconds (M = 30.436875 days, y = 365.2425 days, as pySigma). */
  timespanMs: number;
  /** Threshold; for temporal types without a condition: gte the number of rules. Null with `expression`. */
  condition: CorrelationThreshold | null;
  /**
   * temporal / temporal_ordered only: the extended condition (`rule_a and (rule_b or not rule_c)`)
   * over rule references, parsed with the Sigma condition grammar (identifiers are rule refs).
   */
  expression?: ConditionNode;
  /** alias → (rule name or id → field name in that rule's events). */
  aliases: Record<string, Record<string, string>>;
  /** When false (default), the referenced rules produce no alerts of their own. */
  generate: boolean;
  file: string;
  document: number;
}

// ---------------------------------------------------------------------------------------------
// Filters (sigma-filters-specification 2.x)

export interface ParsedFilter {
  id: string;
  syntheticId?: boolean;
  title: string;
  name?: string;
  description?: string;
  date?: string;
  modified?: string;
  /** Rule ids or names this filter applies to; 'any' applies to every rule whose logsource agrees. */
  rules: string[] | 'any';
  logsource: Logsource;
  detection: ParsedDetection;
  conditionText: string[];
  condition: ConditionNode;
  file: string;
  document: number;
}
