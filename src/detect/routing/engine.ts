/**
 * DetectionEngine: compiled Sigma rules + a routing configuration → matches per event.
 *
 *   evaluate(event)  = route (logsources of the event, each with its field mapping)
 *                      → per logsource, the candidate rules of its literal prefilter
 *                      → rule.match(view) for the candidates only.
 *   evaluateNaive(event) = route → every rule of those logsources (the benchmark's baseline;
 *                      it returns the same matches, in the same order).
 *
 * Rules whose logsource no mapping knows are not evaluated; they are listed in `rejections`
 * (kind 'unsupported', naming the logsource) and in `stats().unsupported`.
 * A rule whose `match` throws (the contract says it never does) counts as not matching; the
 * count is in `stats().errors`.
 */
import type { VigilEvent } from '../../core/index.ts';
import type { Anchor, CompiledRule, EventView, RuleMatch, RuleRejection } from '../types.ts';
import { CandidateIndex, type CandidateIndexStats } from './candidates.ts';
import { compileRouting, CompiledRouting, defaultCompiledRouting, logsourceKey } from './compile.ts';
import type { RoutingConfig } from './config.ts';
import { Router, type RouteTarget } from './router.ts';
import { EventContext } from './view.ts';

const ascending = (a: number, b: number): number => a - b;

interface Group {
  key: string;
  rules: CompiledRule[];
  index: CandidateIndex;
}

export interface LogsourceStats extends CandidateIndexStats {
  key: string;
}

export interface EngineStats {
  /** Rules given. */
  rules: number;
  /** Rules that can run (their logsource is mapped). */
  routed: number;
  logsources: LogsourceStats[];
  /** Rules on always-run lists (no literal prefilter), over all logsources. */
  alwaysRun: number;
  unsupported: Array<{ key: string; reason: string; rules: string[] }>;
  /** Counters since construction. */
  events: number;
  routedEvents: number;
  candidatesEvaluated: number;
  matches: number;
  errors: number;
}

export class DetectionEngine {
  readonly router: Router;
  readonly routing: CompiledRouting;
  /** Rules that cannot run here, and why. */
  readonly rejections: readonly RuleRejection[];
  private readonly groups: Group[];
  private readonly total: number;
  private readonly unsupportedRules = new Map<string, { reason: string; rules: string[] }>();
  private counters = { events: 0, routedEvents: 0, candidatesEvaluated: 0, matches: 0, errors: 0 };

  constructor(compiled: readonly CompiledRule[], routing: RoutingConfig | CompiledRouting = defaultCompiledRouting()) {
    this.routing = routing instanceof CompiledRouting ? routing : compileRouting(routing);
    this.total = compiled.length;
    this.router = new Router(this.routing, compiled.map((r) => r.meta.logsource));
    const slotOf = new Map(this.router.keys.map((k, i) => [k, i]));
    this.groups = this.router.keys.map((key) => ({ key, rules: [], index: null as unknown as CandidateIndex }));
    const reasons = new Map(this.router.unsupported.map((u) => [u.key, u.reason]));
    const rejections: RuleRejection[] = [];
    for (const rule of compiled) {
      const key = logsourceKey(rule.meta.logsource);
      const slot = slotOf.get(key);
      if (slot !== undefined) {
        this.groups[slot].rules.push(rule);
        continue;
      }
      const reason = reasons.get(key) ?? `logsource ${key} has no mapping`;
      let u = this.unsupportedRules.get(key);
      if (!u) this.unsupportedRules.set(key, (u = { reason, rules: [] }));
      u.rules.push(rule.meta.id);
      rejections.push({ file: rule.meta.file, rule_id: rule.meta.id, title: rule.meta.title, reason: `unsupported: ${reason}`, kind: 'unsupported' });
    }
    for (const g of this.groups) {
      const anchors = chooseAnchors(g.rules);
      g.index = new CandidateIndex(g.rules.map((_, i) => ({ rule: i, anchors: anchors[i]! })));
    }
    this.rejections = rejections;
  }

  /** Matches of `event`: routed, prefiltered, then the candidates' closures. */
  evaluate(event: VigilEvent): RuleMatch[] {
    this.counters.events++;
    const targets = this.router.targets(event);
    const out: RuleMatch[] = [];
    if (targets.length === 0) return out;
    this.counters.routedEvents++;
    const ctx = new EventContext(event);
    for (let t = 0; t < targets.length; t++) {
      const target = targets[t];
      const g = this.groups[target.slot];
      if (g.rules.length === 0) continue;
      const view = ctx.view(target.fields);
      const cands = g.index.candidates(view);
      this.counters.candidatesEvaluated += cands.length;
      let hits: number[] | null = null;
      for (let i = 0; i < cands.length; i++) {
        if (this.test(g.rules[cands[i]], view)) (hits ??= []).push(cands[i]);
      }
      if (hits === null) continue;
      // Candidates come in no particular order; matches (few) are put in rule order, as evaluateNaive has them.
      if (hits.length > 1) hits.sort(ascending);
      for (const i of hits) out.push({ rule: g.rules[i].meta, event: view, time: view.time() });
    }
    this.counters.matches += out.length;
    return out;
  }

  /** Baseline: every rule of the event's logsources, no prefilter. Same matches as `evaluate`. */
  evaluateNaive(event: VigilEvent): RuleMatch[] {
    const targets = this.router.targets(event);
    const out: RuleMatch[] = [];
    if (targets.length === 0) return out;
    const ctx = new EventContext(event);
    for (const target of targets) {
      const g = this.groups[target.slot];
      if (g.rules.length === 0) continue;
      const view = ctx.view(target.fields);
      for (const rule of g.rules) if (this.test(rule, view)) out.push({ rule: rule.meta, event: view, time: view.time() });
    }
    return out;
  }

  /**
   * The benchmark's naive baseline: every compiled rule's closure runs on every event, whatever
   * its logsource (as an engine without routing or prefilter would); only matches of the event's
   * own logsources count, so the result equals `evaluate`.
   */
  evaluateEveryRule(event: VigilEvent): RuleMatch[] {
    const targets = this.router.targets(event);
    const ctx = new EventContext(event);
    const fallback = ctx.view(this.routing.fieldMapping(undefined));
    const out: RuleMatch[] = [];
    for (let slot = 0; slot < this.groups.length; slot++) {
      const target = targets.find((t) => t.slot === slot);
      const view = target ? ctx.view(target.fields) : fallback;
      for (const rule of this.groups[slot].rules) {
        if (this.test(rule, view) && target) out.push({ rule: rule.meta, event: view, time: view.time() });
      }
    }
    return out;
  }

  /**
   * Route + views + candidate lists, without running any closure: the prefilter's whole cost per
   * event (benchmarks). Returns the number of candidates.
   */
  candidateCount(event: VigilEvent): number {
    const targets = this.router.targets(event);
    if (targets.length === 0) return 0;
    const ctx = new EventContext(event);
    let n = 0;
    for (const t of targets) {
      const g = this.groups[t.slot];
      if (g.rules.length > 0) n += g.index.candidates(ctx.view(t.fields)).length;
    }
    return n;
  }

  /** The logsources an event is routed to (for tools and tests). */
  targets(event: VigilEvent): readonly RouteTarget[] {
    return this.router.targets(event);
  }

  private test(rule: CompiledRule, view: EventView): boolean {
    try {
      return rule.match(view) === true;
    } catch {
      this.counters.errors++;
      return false;
    }
  }

  stats(): EngineStats {
    const logsources = this.groups.map((g) => ({ key: g.key, ...g.index.stats() }));
    return {
      rules: this.total,
      routed: this.groups.reduce((n, g) => n + g.rules.length, 0),
      logsources,
      alwaysRun: logsources.reduce((n, l) => n + l.alwaysRun, 0),
      unsupported: [...this.unsupportedRules].map(([key, u]) => ({ key, reason: u.reason, rules: u.rules.slice() })),
      ...this.counters,
    };
  }
}


/**
 * Per rule, the anchor set to index: among its valid choices, the one whose literals the fewest
 * other rules of the logsource also rely on (a literal every rule shares, like a common
 * `event.action`, makes every rule a candidate for every such event). Ties: the rule's own pick.
 */
/** Rules sharing one literal before another choice is considered. */
const MIN_SHARED_TO_RECHOOSE = 16;

export function chooseAnchors(rules: readonly CompiledRule[]): Array<Anchor[] | null> {
  const key = (a: Anchor) => `${a.field ?? ''}\u0001${a.literal}`;
  const shared = new Map<string, number>();
  for (const rule of rules) {
    for (const a of rule.anchors ?? []) shared.set(key(a), (shared.get(key(a)) ?? 0) + 1);
  }
  const score = (set: Anchor[]) => set.reduce((worst, a) => Math.max(worst, shared.get(key(a)) ?? 0), 0);
  const shortest = (set: Anchor[]) => set.reduce((min, a) => Math.min(min, a.literal.length), Infinity);
  return rules.map((rule) => {
    if (!rule.anchorChoices || rule.anchorChoices.length < 2 || rule.anchors === null) return rule.anchors;
    let best = rule.anchors;
    let bestScore = score(best);
    // Only worth it when the rule's own pick is widely shared; a short literal occurs in many
    // events, so an alternative must be far less shared and not too short.
    if (bestScore < MIN_SHARED_TO_RECHOOSE) return best;
    for (const choice of rule.anchorChoices) {
      const s = score(choice);
      if (s * 4 <= bestScore && shortest(choice) >= 4 && s < bestScore) {
        best = choice;
        bestScore = s;
      }
    }
    return best;
  });
}
