/**
 * Contracts shared by the detection modules: the Sigma engine (sigma/), logsource routing, field
 * mapping and the literal prefilter (routing/), correlation (correlation/) and ATT&CK mapping
 * (attack/). Each module implements its side; none imports another module's internals.
 */

/** Sigma's logsource: which events a rule is written for. */
export interface Logsource {
  product?: string;
  category?: string;
  service?: string;
  definition?: string;
}

/**
 * How the engine reads an event: by Sigma field name, after field mapping. Returns undefined
 * when the field is absent, null when it is present and null, else the value (a string,
 * number, boolean, or an array of them; objects are returned as is).
 */
export interface EventView {
  get(field: string): unknown;
  /** Every string value of the event, for keyword (field-less) detections. */
  keywords(): readonly string[];
  /** Event time, ms since epoch. */
  time(): number;
  /** The underlying record (for output). */
  readonly record: unknown;
}

/**
 * A literal that must occur, lower-cased, as a substring of the named field's value (or, for
 * field null, of one of the event's keyword strings) whenever a rule can match.
 * A rule's anchor set is a disjunction: if the rule matches, at least one anchor occurs.
 */
export interface Anchor {
  field: string | null;
  literal: string;
}

/** A Sigma rule as parsed and checked (detection rules, not correlations or filters). */
export interface SigmaRuleMeta {
  id: string;
  title: string;
  status?: string;
  level?: 'informational' | 'low' | 'medium' | 'high' | 'critical';
  description?: string;
  tags: string[];
  logsource: Logsource;
  author?: string;
  date?: string;
  modified?: string;
  references?: string[];
  falsepositives?: string[];
  fields?: string[];
  /** Names of this rule usable by correlations (`name:`). */
  name?: string;
  /** Where it came from, for messages. */
  file: string;
  /** 1-based index of the YAML document in its file. */
  document: number;
}

/** A detection rule compiled once to closures. */
export interface CompiledRule {
  meta: SigmaRuleMeta;
  /** True when the event matches the rule's condition. Never throws; bounded time. */
  match(event: EventView): boolean;
  /**
   * The anchors the rule cannot match without, or null when no literal is required
   * (the rule must always be evaluated for events of its logsource).
   */
  anchors: Anchor[] | null;
  /**
   * Other anchor sets that are equally valid (e.g. each part of an AND), when there are several:
   * the engine may pick the one least shared with the other rules of a logsource.
   */
  anchorChoices?: Anchor[][];
  /** Rough relative cost of one evaluation (number of value tests), for reports. */
  cost: number;
}

/** One rule's match on one event. */
export interface RuleMatch {
  rule: SigmaRuleMeta;
  event: EventView;
  time: number;
}

/** A rule that could not be accepted, and why (naming the feature or field at fault). */
export interface RuleRejection {
  file: string;
  rule_id: string | null;
  title?: string;
  reason: string;
  /** 'error' for invalid rules; 'unsupported' for valid Sigma Vigil cannot run. */
  kind: 'error' | 'unsupported';
}
