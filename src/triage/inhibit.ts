/**
 * Alertmanager inhibition: while an alert matching a rule's source matchers fires, alerts matching
 * its target matchers with the same values of the `equal` labels are muted. Source alerts are
 * indexed per rule by their `equal` values, so a lookup is a Map get rather than a scan of every
 * alert. Times are event times: a source counts from when it was noted firing until it was noted
 * resolved, so a late target is judged by when it happened.
 */
import { VigilError } from '../core/index.ts';
import { compileMatcherStrings, LABEL_NAME, labelValue, type LabelPredicate, type Labels } from './matchers.ts';

export interface InhibitRuleConfig {
  name?: string;
  source_matchers: string[];
  target_matchers: string[];
  equal?: string[];
}

export interface Inhibition {
  rule: string;
  sourceAlertId: string;
}

interface Source {
  id: string;
  labels: Labels;
  since: number;
  /** Infinity while firing. */
  until: number;
  /** Where this source is filed, to unfile it without a scan. */
  filed: { rule: Rule; key: string }[];
}

interface Entry {
  source: Source;
  /** The source also matches the rule's target side (see inhibitedBy). */
  alsoTarget: boolean;
}

interface Bucket {
  firing: Map<string, Entry>;
  resolved: Map<string, Entry>;
  /** Upper bound of the resolved entries' `until`: targets at or after it skip them. */
  latestUntil: number;
}

interface Rule {
  name: string;
  source: LabelPredicate;
  target: LabelPredicate;
  equal: string[];
  buckets: Map<string, Bucket>;
}

const invalid = (field: string, message: string) => new VigilError('invalid_config', `${field}: ${message}`, 400, field);

function sameLabels(a: Labels, b: Labels): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}

export class Inhibitor {
  private readonly rules: Rule[];
  private readonly sources = new Map<string, Source>();

  constructor(rules: InhibitRuleConfig[] = [], field = 'triage.inhibit_rules') {
    this.rules = rules.map((r, i) => {
      const at = `${field}[${i}]`;
      for (const side of ['source_matchers', 'target_matchers'] as const) {
        if (!Array.isArray(r[side]) || r[side].length === 0) throw invalid(`${at}.${side}`, 'expected at least one matcher');
      }
      const equal = r.equal ?? [];
      equal.forEach((name, j) => {
        if (!LABEL_NAME.test(name)) throw invalid(`${at}.equal[${j}]`, `'${name}' is not a label name (${LABEL_NAME.source})`);
      });
      return {
        name: r.name || `inhibit_rules[${i}]`,
        source: compileMatcherStrings(r.source_matchers, `${at}.source_matchers`),
        target: compileMatcherStrings(r.target_matchers, `${at}.target_matchers`),
        equal,
        buckets: new Map(),
      };
    });
  }

  get ruleNames(): string[] {
    return this.rules.map((r) => r.name);
  }

  /** Source alerts tracked (firing, or resolved and not yet pruned). */
  get size(): number {
    return this.sources.size;
  }

  /** An alert fires at event time `atMs` (again: later calls for the same episode keep the earliest start). */
  noteFiring(alertId: string, labels: Labels, atMs: number): void {
    if (this.rules.length === 0) return;
    const known = this.sources.get(alertId);
    if (known && atMs < known.until) {
      // Same episode (or a late copy of its firing): widen it, refile only if the labels changed.
      known.since = Math.min(known.since, atMs);
      if (!sameLabels(known.labels, labels)) {
        this.unfile(known);
        known.labels = { ...labels };
        if (!this.file(known)) this.sources.delete(alertId);
      }
      return;
    }
    if (known) this.unfile(known);
    const source: Source = { id: alertId, labels: { ...labels }, since: atMs, until: Infinity, filed: [] };
    if (this.file(source)) this.sources.set(alertId, source);
    else this.sources.delete(alertId); // matches no source side: nothing to remember
  }

  /** The alert stopped firing at event time `atMs`. A resolve older than the firing we know is stale and ignored. */
  noteResolved(alertId: string, atMs: number): void {
    const source = this.sources.get(alertId);
    if (!source || atMs < source.since) return;
    if (source.until !== Infinity) {
      source.until = Math.min(source.until, atMs);
      return;
    }
    source.until = atMs;
    for (const { rule, key } of source.filed) {
      const bucket = rule.buckets.get(key)!;
      const entry = bucket.firing.get(alertId)!;
      bucket.firing.delete(alertId);
      bucket.resolved.set(alertId, entry);
      bucket.latestUntil = Math.max(bucket.latestUntil, atMs);
    }
  }

  /** Stop tracking an alert altogether (deleted or archived). */
  forget(alertId: string): void {
    const source = this.sources.get(alertId);
    if (!source) return;
    this.unfile(source);
    this.sources.delete(alertId);
  }

  /** Forget sources resolved at or before event time `beforeMs` (they can only mute older targets). Returns how many. */
  prune(beforeMs: number): number {
    let n = 0;
    for (const source of this.sources.values()) {
      if (source.until <= beforeMs) {
        this.forget(source.id);
        n++;
      }
    }
    return n;
  }

  /**
   * The first rule (in configuration order) and source alert muting an alert with `labels` at
   * event time `atMs`, or null. `selfId` is the alert's own id: an alert never mutes itself.
   */
  inhibitedBy(labels: Labels, atMs: number, selfId?: string): Inhibition | null {
    for (const rule of this.rules) {
      if (!rule.target(labels)) continue;
      const bucket = rule.buckets.get(keyOf(rule, labels));
      if (!bucket) continue;
      // Alertmanager: when the target also matches the source side, alerts matching both sides
      // cannot mute it, or two such alerts would mute each other.
      const twoSided = rule.source(labels);
      const mutes = (e: Entry) => e.source.id !== selfId && !(twoSided && e.alsoTarget) && e.source.since <= atMs && atMs < e.source.until;
      for (const e of bucket.firing.values()) if (mutes(e)) return { rule: rule.name, sourceAlertId: e.source.id };
      if (atMs < bucket.latestUntil) {
        for (const e of bucket.resolved.values()) if (mutes(e)) return { rule: rule.name, sourceAlertId: e.source.id };
      }
    }
    return null;
  }

  /** File a source under every rule whose source side it matches; false when none. */
  private file(source: Source): boolean {
    for (const rule of this.rules) {
      if (!rule.source(source.labels)) continue;
      const key = keyOf(rule, source.labels);
      let bucket = rule.buckets.get(key);
      if (!bucket) rule.buckets.set(key, (bucket = { firing: new Map(), resolved: new Map(), latestUntil: -Infinity }));
      const entry: Entry = { source, alsoTarget: rule.target(source.labels) };
      if (source.until === Infinity) bucket.firing.set(source.id, entry);
      else {
        bucket.resolved.set(source.id, entry);
        bucket.latestUntil = Math.max(bucket.latestUntil, source.until);
      }
      source.filed.push({ rule, key });
    }
    return source.filed.length > 0;
  }

  private unfile(source: Source): void {
    for (const { rule, key } of source.filed) {
      const bucket = rule.buckets.get(key)!;
      bucket.firing.delete(source.id);
      bucket.resolved.delete(source.id);
      if (bucket.firing.size === 0 && bucket.resolved.size === 0) rule.buckets.delete(key);
    }
    source.filed = [];
  }
}

/** The bucket of an alert under a rule: its `equal` label values (missing = ''). */
function keyOf(rule: Rule, labels: Labels): string {
  return rule.equal.length === 0 ? '' : JSON.stringify(rule.equal.map((n) => labelValue(labels, n)));
}
