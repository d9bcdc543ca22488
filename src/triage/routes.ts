/**
 * The triage route tree, Alertmanager-style: an alert walks down from the root into the first
 * child whose matchers all match, as deep as it goes; the route it stops at decides its grouping
 * and timings. `continue` is accepted but has no effect: an alert joins one incident.
 */
import type { RouteConfig } from '../config/index.ts';
import { VigilError } from '../core/index.ts';
import { parseDuration } from '../lib/index.ts';
import { compileMatcherStrings, LABEL_NAME, labelValue, type LabelPredicate, type Labels } from './matchers.ts';

export interface ResolvedRoute {
  /** The route's name, or its path in the tree (`root/1/0`) when it has none. Part of every group key. */
  id: string;
  name: string;
  /** Labels whose values make a group; 'all' for `...`. */
  groupBy: string[] | 'all';
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
  groupWindowMs: number;
  correlateEntities: boolean;
}

export interface GroupKey {
  key: string;
  /** The group_by labels the alert has (an empty value counts as missing). */
  labels: Labels;
}

interface Node {
  route: ResolvedRoute;
  matches: LabelPredicate;
  children: Node[];
}

/** What the root uses when the configuration leaves it out (the schema's defaults). */
const ROOT_DEFAULTS: ResolvedRoute = {
  id: 'root',
  name: 'root',
  groupBy: ['rule_id'],
  groupWaitMs: 30_000,
  groupIntervalMs: 300_000,
  repeatIntervalMs: 4 * 3_600_000,
  groupWindowMs: 4 * 3_600_000,
  correlateEntities: true,
};

const invalid = (field: string, message: string) => new VigilError('invalid_config', `${field}: ${message}`, 400, field);

const always: LabelPredicate = () => true;

export class RouteTree {
  readonly root: ResolvedRoute;
  private readonly top: Node;
  private readonly all: ResolvedRoute[] = [];

  constructor(config: RouteConfig = {}, field = 'triage.route') {
    if (config.matchers?.length) throw invalid(`${field}.matchers`, 'the root route takes every alert and cannot have matchers');
    this.top = this.build(config, ROOT_DEFAULTS, 'root', field, new Set());
    this.root = this.top.route;
  }

  private build(cfg: RouteConfig, parent: ResolvedRoute, path: string, field: string, ids: Set<string>): Node {
    const id = cfg.name || path;
    if (ids.has(id)) throw invalid(cfg.name ? `${field}.name` : field, `route id '${id}' is used by another route; route names must be unique`);
    ids.add(id);
    const duration = (key: 'group_wait' | 'group_interval' | 'repeat_interval' | 'group_window', inherited: number): number => {
      const text = cfg[key];
      if (text === undefined) return inherited;
      try {
        return parseDuration(text);
      } catch (e) {
        throw invalid(`${field}.${key}`, (e as Error).message);
      }
    };
    const route: ResolvedRoute = {
      id,
      name: cfg.name || path,
      groupBy: cfg.group_by === undefined ? parent.groupBy : groupByOf(cfg.group_by, `${field}.group_by`),
      groupWaitMs: duration('group_wait', parent.groupWaitMs),
      groupIntervalMs: duration('group_interval', parent.groupIntervalMs),
      repeatIntervalMs: duration('repeat_interval', parent.repeatIntervalMs),
      groupWindowMs: duration('group_window', parent.groupWindowMs),
      correlateEntities: cfg.correlate_entities ?? parent.correlateEntities,
    };
    this.all.push(route);
    const matches = cfg.matchers?.length ? compileMatcherStrings(cfg.matchers, `${field}.matchers`) : always;
    const children = (cfg.routes ?? []).map((child, i) => this.build(child, route, `${path}/${i}`, `${field}.routes[${i}]`, ids));
    return { route, matches, children };
  }

  /** The deepest route reached by taking, at each level, the first child that matches. */
  resolve(labels: Labels): ResolvedRoute {
    let node = this.top;
    descend: for (;;) {
      for (const child of node.children) {
        if (child.matches(labels)) {
          node = child;
          continue descend;
        }
      }
      return node.route;
    }
  }

  groupKey(route: ResolvedRoute, labels: Labels): GroupKey {
    return groupKey(route, labels);
  }

  /** Every route, depth-first in configuration order. */
  routes(): readonly ResolvedRoute[] {
    return this.all;
  }
}

function groupByOf(list: string[], field: string): string[] | 'all' {
  if (list.includes('...')) {
    if (list.length > 1) throw invalid(field, "'...' groups by every label and cannot be combined with other labels");
    return 'all';
  }
  const seen = new Set<string>();
  list.forEach((name, i) => {
    if (!LABEL_NAME.test(name)) throw invalid(`${field}[${i}]`, `'${name}' is not a label name (${LABEL_NAME.source})`);
    if (seen.has(name)) throw invalid(`${field}[${i}]`, `label '${name}' is listed twice`);
    seen.add(name);
  });
  return list;
}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The group an alert falls in on `route`: the route id plus the sorted group_by labels,
 * e.g. `root/1:{host="web1",rule_id="x"}`. Values are JSON-quoted so no value can forge a key;
 * an empty value counts as missing, so `{foo: ""}` and `{}` group together.
 */
export function groupKey(route: ResolvedRoute, labels: Labels): GroupKey {
  const names = route.groupBy === 'all' ? Object.keys(labels) : route.groupBy;
  const picked: [string, string][] = [];
  const parts: string[] = [];
  for (const name of [...names].sort(byCodeUnit)) {
    const value = labelValue(labels, name);
    if (value === '') continue;
    picked.push([name, value]);
    // Names from `...` are the alert's own and may hold any character: quote the odd ones.
    parts.push(`${LABEL_NAME.test(name) ? name : JSON.stringify(name)}=${JSON.stringify(value)}`);
  }
  // fromEntries defines own properties, so even a label named __proto__ stays a label.
  return { key: `${route.id}:{${parts.join(',')}}`, labels: Object.fromEntries(picked) };
}
