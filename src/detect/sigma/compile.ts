/**
 * Compile parsed rules to closures (once; evaluation never re-parses and never throws), compute
 * their anchors (DESIGN.md section 10) and apply Sigma filters as "rule and not filter".
 */
import type { CompiledRule, EventView, Logsource, SigmaRuleMeta } from '../types.ts';
import { andChoices, best, simplify, union } from './anchors.ts';
import { matchIdentifiers } from './condition.ts';
import { invalid } from './errors.ts';
import type { ConditionNode, DetectionNode, ParsedDetection, ParsedFilter, ParsedRule } from './types.ts';
import { andTests, compileItem, orTests, type Compiled, type Test } from './values.ts';

function compileNode(n: DetectionNode): Compiled {
  switch (n.t) {
    case 'item':
      return compileItem(n.item);
    case 'and': {
      const subs = n.items.map(compileNode).sort((a, b) => a.cost - b.cost);
      return { test: andTests(subs.map((s) => s.test)), anchors: best(subs.map((s) => s.anchors)), choices: andChoices(subs), cost: subs.reduce((k, s) => k + s.cost, 0) };
    }
    case 'or': {
      const subs = n.items.map(compileNode).sort((a, b) => a.cost - b.cost);
      return { test: orTests(subs.map((s) => s.test)), anchors: union(subs.map((s) => s.anchors)), cost: subs.reduce((k, s) => k + s.cost, 0) };
    }
  }
}

/** Compile a condition over a detection's identifiers (each identifier compiled once, when used). */
export function compileDetection(detection: ParsedDetection, condition: ConditionNode, path = 'detection.condition'): Compiled {
  const done = new Map<string, Compiled>();
  const ident = (name: string): Compiled => {
    let c = done.get(name);
    if (!c) {
      const node = detection.identifiers.get(name);
      if (!node) throw invalid('identifier', path, `condition names undefined search identifier '${name}'`);
      c = compileNode(node);
      done.set(name, c);
    }
    return c;
  };
  const walk = (n: ConditionNode): Compiled => {
    switch (n.t) {
      case 'id':
        return ident(n.name);
      case 'not': {
        const a = walk(n.arg);
        const t = a.test;
        return { test: (ev) => !t(ev), anchors: null, cost: a.cost };
      }
      case 'of': {
        const names = matchIdentifiers(n.pattern, detection.identifiers.keys());
        if (names.length === 0) throw invalid('identifier', path, `'${n.quant === 'all' ? 'all' : '1'} of ${n.pattern ?? 'them'}' matches no search identifier`);
        const subs = names.map(ident);
        return combine(n.quant === 'all' ? 'and' : 'or', subs);
      }
      case 'and':
      case 'or':
        return combine(n.t, n.args.map(walk));
    }
  };
  return walk(condition);
}

function combine(op: 'and' | 'or', subs: Compiled[]): Compiled {
  const sorted = subs.slice().sort((a, b) => a.cost - b.cost);
  const tests = sorted.map((s) => s.test);
  const cost = sorted.reduce((k, s) => k + s.cost, 0);
  return op === 'and'
    ? { test: andTests(tests), anchors: best(sorted.map((s) => s.anchors)), choices: andChoices(sorted), cost }
    : { test: orTests(tests), anchors: union(sorted.map((s) => s.anchors)), cost };
}

function guard(t: Test): (ev: EventView) => boolean {
  return (ev) => {
    try {
      return t(ev);
    } catch {
      return false;
    }
  };
}

export interface CompileOptions {
  /** Filters to apply (those that name the rule and agree on the logsource), as applyFilters does. */
  filters?: readonly CompiledFilter[];
}

/**
 * Compile a parsed rule into closures (built once here; match() never re-parses and never throws).
 * Throws SigmaRuleError only for problems loading should already have reported.
 */
export function compileRule(parsed: ParsedRule, options: CompileOptions = {}): CompiledRule {
  const c = compileDetection(parsed.detection, parsed.condition);
  const rule: CompiledRule = {
    meta: parsed.meta,
    match: guard(c.test),
    anchors: simplify(c.anchors),
    ...(c.choices ? { anchorChoices: c.choices.map((set) => simplify(set)!) } : {}),
    cost: c.cost,
  };
  return options.filters && options.filters.length > 0 ? applyFilters(rule, options.filters) : rule;
}

// ---------------------------------------------------------------------------------------------
// Filters

export interface CompiledFilter {
  filter: ParsedFilter;
  /** True when the event matches the filter's condition (so the rules it applies to must not fire). */
  match(event: EventView): boolean;
  cost: number;
  /** Does this filter apply to the rule (named by id or name, logsources agree)? */
  appliesTo(rule: SigmaRuleMeta): boolean;
}

function eq(a: string | undefined, b: string | undefined): boolean {
  return (a ?? '').toLowerCase() === (b ?? '').toLowerCase();
}

/** Every logsource attribute the filter sets (category, product, service) has the same value in the rule's logsource. */
export function logsourceCovers(filter: Logsource, rule: Logsource): boolean {
  for (const k of ['category', 'product', 'service'] as const) {
    if (filter[k] !== undefined && !eq(filter[k], rule[k])) return false;
  }
  return true;
}

export function compileFilter(f: ParsedFilter): CompiledFilter {
  const c = compileDetection(f.detection, f.condition, 'filter.condition');
  const refs = f.rules === 'any' ? null : new Set(f.rules);
  return {
    filter: f,
    match: guard(c.test),
    cost: c.cost,
    appliesTo(rule: SigmaRuleMeta): boolean {
      if (refs !== null && !refs.has(rule.id) && !(rule.name !== undefined && refs.has(rule.name))) return false;
      return logsourceCovers(f.logsource, rule.logsource);
    },
  };
}

/**
 * The rule with the filters that apply to it: it matches when the rule matches and no applicable
 * filter does. Anchors are the rule's (an AND with a negation keeps the rule's literals).
 * Returns the rule itself when no filter applies.
 */
export function applyFilters(rule: CompiledRule, filters: readonly CompiledFilter[]): CompiledRule {
  const mine = filters.filter((f) => f.appliesTo(rule.meta));
  if (mine.length === 0) return rule;
  const base = rule.match;
  const fs = mine.map((f) => f.match);
  const match =
    fs.length === 1
      ? (ev: EventView) => base(ev) && !fs[0]!(ev)
      : (ev: EventView) => {
          if (!base(ev)) return false;
          for (let i = 0; i < fs.length; i++) if (fs[i]!(ev)) return false;
          return true;
        };
  return { meta: rule.meta, match, anchors: rule.anchors, ...(rule.anchorChoices ? { anchorChoices: rule.anchorChoices } : {}), cost: rule.cost + mine.reduce((k, f) => k + f.cost, 0) };
}
