/**
 * A loaded rule set: Sigma rules and filters compiled, routed and indexed; correlations on event
 * time; every detection turned into an alert with its ATT&CK context. Shared by `vigil hunt`
 * (offline) and `vigil serve` (live, after the store).
 */
import type { Alert, VigilEvent } from '../core/index.ts';
import { attackFromTags } from './attack/index.ts';
import { buildAlert } from './alert.ts';
import { checkSpecs, CorrelationEngine, type CorrelationAlert, type CorrelationSpec } from './correlation/index.ts';
import { DetectionEngine, type RoutingConfig } from './routing/index.ts';
import { applyFilters, compileFilter, compileRule, loadRules, type ParsedCorrelation } from './sigma/index.ts';
import type { CompiledRule, RuleMatch, RuleRejection, SigmaRuleMeta } from './types.ts';

export interface RuleSetOptions {
  paths: string[];
  placeholders?: Record<string, string[]>;
  routing?: RoutingConfig;
  /** How late (event time) a match may arrive and still count in correlation windows. */
  latenessMs?: number;
  maxGroupsPerRule?: number;
  maxEventsPerGroup?: number;
}

/** One detection: the alert and the events behind it (for hunt's file and line). */
export interface Detection {
  alert: Alert;
  events: VigilEvent[];
  correlation: boolean;
}

export interface RuleCost {
  rule_id: string;
  title: string;
  /** Value tests per evaluation. */
  cost: number;
  file: string;
}

export interface RuleInfo {
  id: string;
  title: string;
  level: string | null;
  status: string | null;
  kind: 'detection' | 'correlation' | 'filter';
  file: string;
  tags: string[];
  logsource: Record<string, string>;
}

/** Sigma's correlation document as the correlation engine takes it. */
export function correlationSpec(parsed: ParsedCorrelation): CorrelationSpec {
  const threshold = parsed.condition;
  const field = Array.isArray(threshold?.field) ? threshold?.field[0] : threshold?.field;
  // value_median is the 50th percentile.
  const median = parsed.type === 'value_median';
  const percentile = median ? 50 : threshold?.percentile;
  return {
    id: parsed.id,
    ...(parsed.name ? { name: parsed.name } : {}),
    title: parsed.title,
    ...(parsed.level ? { level: parsed.level } : {}),
    tags: parsed.tags,
    ...(parsed.status ? { status: parsed.status } : {}),
    ...(parsed.description ? { description: parsed.description } : {}),
    type: median ? 'value_percentile' : (parsed.type as CorrelationSpec['type']),
    rules: parsed.rules,
    group_by: parsed.groupBy,
    timespan_ms: parsed.timespanMs,
    ...(threshold
      ? {
          condition: {
            [threshold.op]: threshold.value,
            // Ranges (gt 100 and lte 200) come as further comparisons.
            ...Object.fromEntries((threshold.and ?? []).map((c) => [c.op, c.value])),
            ...(field ? { field } : {}),
            ...(percentile !== undefined ? { percentile } : {}),
          },
        }
      : {}),
    aliases: parsed.aliases,
    generate: parsed.generate,
    file: parsed.file,
    document: parsed.document,
  };
}

export class RuleSet {
  readonly rejections: RuleRejection[];
  readonly rules: RuleInfo[];
  readonly files: number;
  private readonly detection: DetectionEngine;
  private readonly correlation: CorrelationEngine | null;
  private readonly compiled: CompiledRule[];
  /** ATT&CK context per rule, resolved once. */
  private readonly attackCache = new Map<string, Alert['attack']>();

  private constructor(
    compiled: CompiledRule[],
    correlation: CorrelationEngine | null,
    rejections: RuleRejection[],
    rules: RuleInfo[],
    files: number,
    routing: RoutingConfig | undefined,
  ) {
    this.compiled = compiled;
    this.detection = new DetectionEngine(compiled, routing);
    this.correlation = correlation;
    this.rejections = [...rejections, ...this.detection.rejections];
    this.rules = rules;
    this.files = files;
  }

  static load(options: RuleSetOptions): RuleSet {
    const loaded = loadRules(options.paths, { placeholders: options.placeholders });
    const rejections: RuleRejection[] = [...loaded.rejections];
    const filters = loaded.filters.map(compileFilter);
    const compiled: CompiledRule[] = [];
    for (const parsed of loaded.rules) {
      try {
        compiled.push(applyFilters(compileRule(parsed), filters));
      } catch (error) {
        rejections.push({ file: parsed.meta.file, rule_id: parsed.meta.id, title: parsed.meta.title, reason: (error as Error).message, kind: 'error' });
      }
    }
    // Correlations: each checked alone first so one bad one does not take the others down.
    const known = compiled.map((c) => ({ id: c.meta.id, name: c.meta.name }));
    const specs: CorrelationSpec[] = [];
    for (const parsed of loaded.correlations) {
      const spec = correlationSpec(parsed);
      if (Array.isArray(parsed.condition?.field) && parsed.condition.field.length > 1) {
        rejections.push({ file: parsed.file, rule_id: parsed.id, title: parsed.title, reason: 'correlation: distinct counts over several fields are not supported', kind: 'unsupported' });
        continue;
      }
      if (parsed.expression) {
        rejections.push({ file: parsed.file, rule_id: parsed.id, title: parsed.title, reason: 'correlation: extended temporal conditions are not supported', kind: 'unsupported' });
        continue;
      }
      specs.push(spec);
    }
    // Correlations with a problem (their own, or a reference or cycle) are set aside, each with
    // its reasons; the others run.
    const engineOptions = { allowedLatenessMs: options.latenessMs ?? 60_000, maxGroupsPerRule: options.maxGroupsPerRule ?? 100_000, maxEventsPerGroup: options.maxEventsPerGroup ?? 10_000, knownRules: known };
    let accepted = specs;
    for (let check = checkSpecs(accepted, engineOptions); check.invalid.size > 0; check = checkSpecs(accepted, engineOptions)) {
      for (const spec of accepted) {
        const reasons = check.invalid.get(spec.id);
        if (reasons) rejections.push({ file: spec.file ?? '', rule_id: spec.id, title: spec.title, reason: reasons.join('; '), kind: 'error' });
      }
      // Setting some aside can leave others referring to them: check again.
      accepted = accepted.filter((s) => !check.invalid.has(s.id));
    }
    const correlation = accepted.length > 0 ? new CorrelationEngine(accepted, engineOptions) : null;
    const rules: RuleInfo[] = [
      ...compiled.map((c) => info(c.meta, 'detection')),
      ...loaded.correlations.filter((c) => accepted.some((s) => s.id === c.id)).map((c) => ({
        id: c.id,
        title: c.title,
        level: c.level ?? null,
        status: c.status ?? null,
        kind: 'correlation' as const,
        file: c.file,
        tags: c.tags,
        logsource: {},
      })),
      ...loaded.filters.map((f) => ({ id: f.id, title: f.title, level: null, status: null, kind: 'filter' as const, file: f.file, tags: [], logsource: { ...f.logsource } as Record<string, string> })),
    ];
    return new RuleSet(compiled, correlation, rejections, rules, loaded.files, options.routing);
  }

  /** Rule matches of one event, without alerts or correlation (benchmarks compare the strategies). */
  matches(event: VigilEvent, strategy: 'indexed' | 'routed-naive' | 'naive' = 'indexed'): RuleMatch[] {
    if (strategy === 'naive') return this.detection.evaluateEveryRule(event);
    if (strategy === 'routed-naive') return this.detection.evaluateNaive(event);
    return this.detection.evaluate(event);
  }

  /** Detections for one event, in order: single-event alerts, then correlations that fired. */
  process(event: VigilEvent): Detection[] {
    const matches = this.detection.evaluate(event);
    const out: Detection[] = [];
    if (this.correlation) {
      const fired = this.correlation.advanceTo(Date.parse(event['@timestamp']));
      for (const alert of fired) out.push(this.fromCorrelation(alert));
    }
    for (const match of matches) {
      let suppress = false;
      if (this.correlation) {
        const result = this.correlation.onMatch(match);
        suppress = result.suppressBase;
        for (const alert of result.fired) if (!alert.suppressed) out.push(this.fromCorrelation(alert));
      }
      if (!suppress) out.push(this.fromMatch(match, event));
    }
    return out;
  }

  /** Closes the correlation windows still open (end of a replay). */
  flush(): Detection[] {
    return this.correlation ? this.correlation.flush().filter((a) => !a.suppressed).map((a) => this.fromCorrelation(a)) : [];
  }

  /** Compiled rules, for the benchmark's naive baseline and reports. */
  get size(): number {
    return this.compiled.length;
  }

  /**
   * What detection costs, per rule: the rules without a required literal (evaluated on every event
   * of their logsource) and the rules with the most value tests per evaluation.
   */
  costs(top = 10): { always_run: RuleCost[]; most_expensive: RuleCost[] } {
    const cost = (c: CompiledRule): RuleCost => ({ rule_id: c.meta.id, title: c.meta.title, cost: c.cost, file: c.meta.file });
    return {
      always_run: this.compiled.filter((c) => c.anchors === null).map(cost).sort((a, b) => b.cost - a.cost),
      most_expensive: this.compiled.map(cost).sort((a, b) => b.cost - a.cost).slice(0, top),
    };
  }

  stats() {
    return { detection: this.detection.stats(), correlation: this.correlation?.stats() ?? null };
  }

  private attack(meta: { id: string; tags: string[] }): Alert['attack'] {
    let attack = this.attackCache.get(meta.id);
    if (!attack) {
      const resolved = attackFromTags(meta.tags);
      attack = { tactics: resolved.tactics, techniques: resolved.techniques, kill_chain_phase: resolved.kill_chain_phase };
      this.attackCache.set(meta.id, attack);
    }
    return attack;
  }

  private fromMatch(match: RuleMatch, event: VigilEvent): Detection {
    return {
      alert: buildAlert({ source: 'sigma', rule: match.rule, events: [event], attack: this.attack(match.rule), first: match.time, last: match.time }),
      events: [event],
      correlation: false,
    };
  }

  private fromCorrelation(fired: CorrelationAlert): Detection {
    const events = collectEvents(fired.matches);
    return {
      alert: buildAlert({
        source: 'correlation',
        rule: fired.rule,
        events,
        attack: this.attack(fired.rule),
        first: fired.start,
        last: fired.end,
        correlation: { type: fired.type, group: fired.group, window: { start: new Date(fired.start).toISOString(), end: new Date(fired.end).toISOString() }, value: fired.value },
      }),
      events,
      correlation: true,
    };
  }
}

/** The events behind a correlation, through chained correlations, in time order. */
function collectEvents(matches: readonly RuleMatch[]): VigilEvent[] {
  const out: VigilEvent[] = [];
  const seen = new Set<unknown>();
  // Depth first, in order: a chained correlation's events come where it stands in the chain.
  const stack = [...matches].reverse();
  while (stack.length > 0) {
    const match = stack.pop()!;
    const record = match.event.record as VigilEvent | { matches?: RuleMatch[] } | undefined;
    if (record && typeof record === 'object' && 'id' in record && '@timestamp' in record) {
      if (!seen.has(record)) {
        seen.add(record);
        out.push(record as VigilEvent);
      }
    } else if (record && typeof record === 'object' && Array.isArray((record as { matches?: RuleMatch[] }).matches)) {
      stack.push(...[...(record as { matches: RuleMatch[] }).matches].reverse());
    }
  }
  return out;
}

function info(meta: SigmaRuleMeta, kind: RuleInfo['kind']): RuleInfo {
  return {
    id: meta.id,
    title: meta.title,
    level: meta.level ?? null,
    status: meta.status ?? null,
    kind,
    file: meta.file,
    tags: meta.tags,
    logsource: { ...meta.logsource } as Record<string, string>,
  };
}
