/**
 * Sigma correlation rules (sigma-specification 2.x: event_count, value_count, temporal,
 * temporal_ordered, and the 2.1 metrics value_sum, value_avg, value_percentile) evaluated on
 * EVENT time, with a watermark and bounded state (DESIGN.md §5, §10).
 *
 * Semantics, precisely:
 *
 * - Time. Only `RuleMatch.time` (event time, ms) counts; arrival order and the wall clock never
 *   do. The watermark is (highest event time seen) − allowedLatenessMs, over every match given to
 *   `onMatch` and every time given to `advanceTo`. A match whose time is below the watermark is
 *   late: it is dropped and counted (`lateDropped`). A match at exactly the watermark is accepted.
 *
 * - Window edge: INCLUSIVE. Matches at times a <= b can share a window iff b − a <= timespan:
 *   a window ending at e covers [e − timespan, e], both ends included. With a 5m timespan, matches
 *   at 12:00:00.000 and 12:05:00.000 are in one window; at 12:05:00.001 they are not.
 *
 * - Groups: the group-by values (read through aliases, per referenced rule) separate state.
 *   Values compare as strings, case-sensitively (443 and "443" are one group). A match missing a
 *   group-by field does not take part (`ungrouped`).
 *
 * - Two evaluation modes, chosen per correlation from its type and condition:
 *
 *   Sliding (fires as early as possible). For event_count, value_count, temporal,
 *   temporal_ordered and value_sum when the condition has only lower bounds (gt / gte; temporal
 *   types default to "all rules"). The windows are the sliding windows of length timespan: every
 *   arriving match evaluates the windows that contain it (for an in-order match, the window
 *   [t − timespan, t]; for an out-of-order one, the windows ending at the matches already held
 *   between t and t + timespan, oldest first), and the first that meets the condition fires at
 *   once. Since the value only grows as matches are added, this finds every window that meets
 *   the condition, whatever the arrival order within the lateness.
 *
 *   Anchored (fires when the window closes). For value_avg and value_percentile, and for every
 *   condition with an upper bound or equality (lt, lte, eq, neq, ranges): such a value can fall
 *   again when more matches arrive, and over sliding windows "some window has fewer than 5" is
 *   almost always true. So the window opens at a group's earliest held match s, covers
 *   [s, s + timespan], and is evaluated once, when the watermark passes s + timespan (no match
 *   of it can still arrive). Met or not, its matches are then consumed and the next window opens
 *   at the next held match. Alerts therefore wait for the watermark; `advanceTo` (any event
 *   time seen) and `flush` (end of a replay) close windows when matches stop coming.
 *
 * - Re-arm: each match is consumed by at most one alert of a correlation. When a window fires,
 *   every match it covers is removed from the group's state (the state resets, like a SIEM
 *   threshold rule), so a burst fires once per crossing of the threshold, and fires again only
 *   when new matches cross it again: 25 failed logins against `gte: 10` give two alerts (10, 10)
 *   and 5 matches waiting for more, not sixteen.
 *
 * - temporal: the value is the number of distinct referenced rules with a match in the window;
 *   default condition: all of them. temporal_ordered: the value is the length of the longest
 *   prefix of `rules` matched in order in the window — rule i+1's match at the same time or
 *   later than rule i's (ties count as ordered, so the order is decided by event time alone,
 *   never by arrival); default condition: all of them. One event matching several rules can
 *   fill several places, as in pySigma.
 *
 * - Values: value_count counts distinct values of `condition.field` (compared as strings; a
 *   match without the field is ignored). value_sum / value_avg / value_percentile read numbers:
 *   finite numbers and strings holding a decimal number ("12", " 3.5", "1e3"); any other value
 *   (missing, null, boolean, array, "0x10", "n/a") is ignored and the match does not count
 *   (`valueless`). value_percentile uses the nearest-rank method (always an observed value).
 *
 * - generate (Sigma): a detection rule referenced by correlations raises its own alert only if
 *   at least one correlation referencing it has `generate: true`; when every one has
 *   `generate: false` (the default), `onMatch` answers `suppressBase: true` — the alert is
 *   withheld. (pySigma disables output as soon as one referencing correlation has
 *   generate: false; here an explicit `generate: true` wins.) The same rule applies to a
 *   correlation referenced by other correlations: its alerts still feed them but carry
 *   `suppressed: true`.
 *
 * - Chaining: a correlation may list other correlations (by name or id) in `rules`. When one
 *   fires, each correlation referring to it receives a match of it at time = the alert's `end`,
 *   whose event reads a field from the alert's group values, else from the latest contributing
 *   match that has it. Chained matches are derived from accepted matches and are never late.
 *   An anchored correlation's alert is raised when its window closes but carries the event
 *   time of its last match, so an outer temporal_ordered sees it where its evidence lies.
 *
 * - Bounded state: at most maxEventsPerGroup matches per group (oldest dropped, `eventsDropped`)
 *   and maxGroupsPerRule groups per correlation (least recently advanced in event time evicted,
 *   `groupsEvicted` — exact up to the allowed lateness). Matches older than watermark − timespan
 *   can be in no future window and are discarded; a group with nothing left is deleted. Memory
 *   therefore follows the event rate within one timespan, not the length of a replay.
 */
import type { EventView, RuleMatch, SigmaRuleMeta } from '../types.ts';
import { IndexedHeap, TimeDeque } from './deque.ts';
import {
  CorrelationConfigError,
  type CorrelationAlert,
  type CorrelationEngineOptions,
  type CorrelationResult,
  type CorrelationSpec,
  type CorrelationStats,
  type CorrelationType,
} from './types.ts';
import { validateSpecs } from './validate.ts';
import { compileCondition, percentile, toNumber, valueKey } from './values.ts';

const COUNT = 0;
const DISTINCT = 1;
const RULES = 2;
const ORDERED = 3;
const SUM = 4;
const AVG = 5;
const PCT = 6;
type Kind = typeof COUNT | typeof DISTINCT | typeof RULES | typeof ORDERED | typeof SUM | typeof AVG | typeof PCT;

const KINDS: Record<CorrelationType, Kind> = {
  event_count: COUNT,
  value_count: DISTINCT,
  temporal: RULES,
  temporal_ordered: ORDERED,
  value_sum: SUM,
  value_avg: AVG,
  value_percentile: PCT,
};

/** The value held with a match: distinct key (value_count), number (metrics), or null. */
type Val = string | number | null;

/** Running aggregate over the window that ends at a group's newest match. */
interface Acc {
  add(v: Val): void;
  remove(v: Val): void;
  value(): number;
}

class DistinctAcc implements Acc {
  private counts = new Map<string, number>();
  add(v: Val): void {
    const k = v as string;
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
  }
  remove(v: Val): void {
    const k = v as string;
    const n = this.counts.get(k) ?? 0;
    if (n <= 1) this.counts.delete(k);
    else this.counts.set(k, n - 1);
  }
  value(): number {
    return this.counts.size;
  }
}

class SumAcc implements Acc {
  private sum = 0;
  private n = 0;
  add(v: Val): void {
    this.sum += v as number;
    this.n++;
  }
  remove(v: Val): void {
    this.n--;
    // no drift left behind once the window empties
    this.sum = this.n === 0 ? 0 : this.sum - (v as number);
  }
  value(): number {
    return this.sum;
  }
}

interface Group {
  c: Corr;
  key: string;
  raw: unknown[];
  /** Held matches and their values, sorted by event time; tag = index of the referenced rule. */
  d: TimeDeque<RuleMatch, Val>;
  /** Per referenced rule, the times of its held matches (temporal types only). */
  lanes: TimeDeque[] | null;
  /** Highest event time of a match given to this group. */
  lastTime: number;
  /** Sliding mode, value_count / value_sum: aggregate over entries accLo..end. */
  acc: Acc | null;
  accLo: number;
  /** Anchored mode: when the window at the earliest held match closes (its slot in the timer heap). */
  heapAt: number;
  heapIdx: number;
  alive: boolean;
  /** Recency list (least recently advanced in event time first). */
  prev: Group | null;
  next: Group | null;
}

interface Corr {
  spec: CorrelationSpec;
  meta: SigmaRuleMeta;
  kind: Kind;
  sliding: boolean;
  T: number;
  test: (v: number) => boolean;
  pct: number;
  ruleCount: number;
  /** Per referenced rule: the event fields holding the group-by values (aliases applied). */
  groupFields: string[][];
  /** Per referenced rule: the event field holding the value (value_* types), aliases applied. */
  valueFields: string[] | null;
  groups: Map<string, Group>;
  /** Head (least recently advanced) and tail of the recency list over `groups`. */
  lruHead: Group | null;
  lruTail: Group | null;
  /** Deleted groups kept for reuse (same shape), so churn through many groups allocates little. */
  spare: Group[];
  referrers: Array<{ c: Corr; r: number }>;
  suppressed: boolean;
  nextSweep: number;
  events: number;
  fired: number;
}

interface Route {
  targets: Array<{ c: Corr; r: number }>;
  suppressBase: boolean;
}

const NO_RAW: unknown[] = [];
const MAX_SPARE = 64;

function append(c: Corr, g: Group): void {
  g.prev = c.lruTail;
  g.next = null;
  if (c.lruTail) c.lruTail.next = g;
  else c.lruHead = g;
  c.lruTail = g;
}

function unlink(c: Corr, g: Group): void {
  if (g.prev) g.prev.next = g.next;
  else c.lruHead = g.next;
  if (g.next) g.next.prev = g.prev;
  else c.lruTail = g.prev;
  g.prev = g.next = null;
}

/** The event of a chained match: a fired correlation seen by the correlations that refer to it. */
class AlertEventView implements EventView {
  constructor(readonly record: CorrelationAlert) {}
  get(field: string): unknown {
    if (Object.hasOwn(this.record.group, field)) return this.record.group[field];
    const ms = this.record.matches;
    for (let i = ms.length - 1; i >= 0; i--) {
      const v = ms[i].event.get(field);
      if (v !== undefined) return v;
    }
    return undefined;
  }
  keywords(): readonly string[] {
    return [];
  }
  time(): number {
    return this.record.end;
  }
}

export class CorrelationEngine {
  private readonly corrs: Corr[];
  private readonly sliding: Corr[];
  private readonly byId = new Map<string, Corr>();
  private readonly routes = new Map<string, Array<{ c: Corr; r: number }>>();
  private readonly routeCache = new WeakMap<SigmaRuleMeta, Route>();
  private readonly timers = new IndexedHeap<Group>();
  private readonly maxGroups: number;
  private readonly maxEvents: number;
  private readonly maxMatches: number;
  private readonly lateness: number;
  private maxSeen = -Infinity;
  private wm = -Infinity;
  private flushing = false;
  private n = { events: 0, late: 0, fired: 0, groupsEvicted: 0, eventsDropped: 0, ungrouped: 0, valueless: 0, invalid: 0 };

  /** Throws CorrelationConfigError listing every problem when the specs or options are invalid. */
  constructor(specs: readonly CorrelationSpec[], options: CorrelationEngineOptions) {
    const errors = validateSpecs(specs, options);
    if (errors.length > 0) throw new CorrelationConfigError(errors);
    this.lateness = options.allowedLatenessMs;
    this.maxGroups = options.maxGroupsPerRule;
    this.maxEvents = options.maxEventsPerGroup;
    this.maxMatches = options.maxMatchesPerAlert ?? 50;

    const handles = new Map<string, Corr>();
    this.corrs = specs.map((spec) => {
      const kind = KINDS[spec.type];
      const temporal = kind === RULES || kind === ORDERED;
      const cond = spec.condition ?? (temporal ? { gte: spec.rules.length } : {});
      const compiled = compileCondition(cond);
      const sliding = compiled.lowerOnly && kind !== AVG && kind !== PCT;
      const alias = (field: string, ref: string) => spec.aliases?.[field]?.[ref] ?? field;
      const valueField = kind === DISTINCT || kind === SUM || kind === AVG || kind === PCT ? cond.field! : null;
      const c: Corr = {
        spec,
        meta: {
          id: spec.id,
          name: spec.name,
          title: spec.title,
          level: spec.level,
          status: spec.status,
          description: spec.description,
          tags: spec.tags,
          logsource: {},
          file: spec.file ?? '',
          document: spec.document ?? 0,
        },
        kind,
        sliding,
        T: spec.timespan_ms,
        test: compiled.test,
        pct: cond.percentile ?? 0,
        ruleCount: spec.rules.length,
        groupFields: spec.rules.map((ref) => spec.group_by.map((f) => alias(f, ref))),
        valueFields: valueField === null ? null : spec.rules.map((ref) => alias(valueField, ref)),
        groups: new Map(),
        lruHead: null,
        lruTail: null,
        spare: [],
        referrers: [],
        suppressed: false,
        nextSweep: Infinity,
        events: 0,
        fired: 0,
      };
      this.byId.set(spec.id, c);
      for (const h of [spec.id, spec.name]) if (h) handles.set(h, c);
      return c;
    });
    this.sliding = this.corrs.filter((c) => c.sliding);

    for (const c of this.corrs) {
      c.spec.rules.forEach((ref, r) => {
        const inner = handles.get(ref);
        if (inner) inner.referrers.push({ c, r });
        else {
          const list = this.routes.get(ref) ?? [];
          list.push({ c, r });
          this.routes.set(ref, list);
        }
      });
    }
    for (const c of this.corrs) {
      c.suppressed = c.referrers.length > 0 && c.referrers.every((x) => !x.c.spec.generate);
    }
  }

  /** The current watermark: highest event time seen − allowed lateness. */
  get watermark(): number {
    return this.wm;
  }

  /** Feeds one detection-rule match; returns the alerts it completed and whether to withhold the rule's own alert. */
  onMatch(match: RuleMatch): CorrelationResult {
    const route = this.route(match.rule);
    const t = match.time;
    if (typeof t !== 'number' || !Number.isFinite(t)) {
      this.n.invalid++;
      return { fired: [], suppressBase: route.suppressBase, late: false };
    }
    if (t < this.wm) {
      if (route.targets.length > 0) this.n.late++;
      return { fired: [], suppressBase: route.suppressBase, late: true };
    }
    this.observe(t);
    const fired: CorrelationAlert[] = [];
    for (const { c, r } of route.targets) this.ingest(c, r, match, t, fired);
    this.settle(fired);
    this.sweep();
    return { fired, suppressBase: route.suppressBase, late: false };
  }

  /**
   * Tells the engine that an event with this time was seen (matched by no rule, a heartbeat, a
   * replay cursor…): the watermark moves on, and anchored windows it passes close.
   */
  advanceTo(eventTime: number): CorrelationAlert[] {
    const fired: CorrelationAlert[] = [];
    if (typeof eventTime === 'number' && Number.isFinite(eventTime)) this.observe(eventTime);
    this.settle(fired);
    this.sweep();
    return fired;
  }

  /**
   * Closes every anchored window now, as if no more matches could arrive (end of a replay,
   * shutdown). Sliding windows need no flush: they fire as soon as they meet their condition.
   */
  flush(): CorrelationAlert[] {
    const fired: CorrelationAlert[] = [];
    this.flushing = true;
    try {
      this.settle(fired);
    } finally {
      this.flushing = false;
    }
    return fired;
  }

  stats(): CorrelationStats {
    let groups = 0;
    for (const c of this.corrs) groups += c.groups.size;
    return {
      groupsHeld: groups,
      eventsHeld: this.n.events,
      lateDropped: this.n.late,
      fired: this.n.fired,
      watermark: this.wm,
      groupsEvicted: this.n.groupsEvicted,
      eventsDropped: this.n.eventsDropped,
      ungrouped: this.n.ungrouped,
      valueless: this.n.valueless,
      invalid: this.n.invalid,
      closesPending: this.timers.size,
      perCorrelation: this.corrs.map((c) => ({ id: c.spec.id, groups: c.groups.size, events: c.events, fired: c.fired })),
    };
  }

  // ---- routing -------------------------------------------------------------------------------

  private route(rule: SigmaRuleMeta): Route {
    let route = this.routeCache.get(rule);
    if (route) return route;
    const targets: Route['targets'] = [];
    for (const h of [rule.name, rule.id]) {
      if (!h) continue;
      for (const t of this.routes.get(h) ?? []) {
        if (!targets.some((x) => x.c === t.c)) targets.push(t);
      }
    }
    route = { targets, suppressBase: targets.length > 0 && targets.every((x) => !x.c.spec.generate) };
    this.routeCache.set(rule, route);
    return route;
  }

  private observe(t: number): void {
    if (t > this.maxSeen) {
      this.maxSeen = t;
      this.wm = t - this.lateness;
    }
  }

  // ---- state ---------------------------------------------------------------------------------

  private ingest(c: Corr, r: number, m: RuleMatch, t: number, fired: CorrelationAlert[]): void {
    const ev = m.event;
    const fields = c.groupFields[r];
    let key = '';
    if (fields.length === 1) {
      const v = ev.get(fields[0]);
      if (v === undefined || v === null) {
        this.n.ungrouped++;
        return;
      }
      key = valueKey(v);
    } else if (fields.length > 1) {
      // length-prefixed parts: unambiguous whatever the values contain
      for (let i = 0; i < fields.length; i++) {
        const v = ev.get(fields[i]);
        if (v === undefined || v === null) {
          this.n.ungrouped++;
          return;
        }
        const part = valueKey(v);
        key += `${part.length}:${part}`;
      }
    }

    let value: Val = null;
    if (c.valueFields) {
      const x = ev.get(c.valueFields[r]);
      if (c.kind === DISTINCT) {
        if (x === undefined || x === null) {
          this.n.valueless++;
          return;
        }
        value = valueKey(x);
      } else {
        const num = toNumber(x);
        if (num === undefined) {
          this.n.valueless++;
          return;
        }
        value = num;
      }
    }

    let g = c.groups.get(key);
    if (!g) g = this.newGroup(c, key, fields.length === 0 ? NO_RAW : fields.map((f) => ev.get(f)), t);
    else if (t >= g.lastTime) {
      // the recency list stays in order of event time advanced: its head is the eviction candidate
      g.lastTime = t;
      if (g !== c.lruTail) {
        unlink(c, g);
        append(c, g);
      }
    }
    if (c.sliding) this.expireEntries(c, g);

    let anchorMoved = false;
    if (g.d.length >= this.maxEvents) {
      this.n.eventsDropped++;
      if (t < g.d.first()) return; // the new match is the oldest: it is the one dropped
      this.popFront(c, g);
      anchorMoved = true;
    }
    const p = g.d.insert(t, r, m, value);
    if (g.lanes) g.lanes[r].insert(t);
    c.events++;
    this.n.events++;

    if (c.sliding) {
      this.accInsert(c, g, p, t, value);
      this.evaluateSliding(c, g, p, t, fired);
      if (g.d.length === 0) this.deleteGroup(c, g);
    } else if (p === 0 || anchorMoved) {
      this.schedule(c, g);
    }
  }

  private newGroup(c: Corr, key: string, raw: unknown[], t: number): Group {
    if (c.groups.size >= this.maxGroups) {
      if (c.sliding) this.sweepCorr(c);
      if (c.groups.size >= this.maxGroups) {
        this.deleteGroup(c, c.lruHead!);
        this.n.groupsEvicted++;
      }
    }
    let g = c.spare.pop();
    if (g) {
      g.key = key;
      g.raw = raw;
      g.lastTime = t;
      g.d.clear();
      if (g.lanes) for (const lane of g.lanes) lane.clear();
      if (g.acc) g.acc = c.kind === DISTINCT ? new DistinctAcc() : new SumAcc();
      g.accLo = 0;
      g.alive = true;
    } else {
      const temporal = c.kind === RULES || c.kind === ORDERED;
      g = {
        c,
        key,
        raw,
        d: new TimeDeque<RuleMatch, Val>(true, 4),
        lanes: temporal ? Array.from({ length: c.ruleCount }, () => new TimeDeque(false, 2)) : null,
        lastTime: t,
        acc: c.sliding && c.kind === DISTINCT ? new DistinctAcc() : c.sliding && c.kind === SUM ? new SumAcc() : null,
        accLo: 0,
        heapAt: 0,
        heapIdx: -1,
        alive: true,
        prev: null,
        next: null,
      };
    }
    if (c.groups.size === 0) c.nextSweep = t + c.T;
    c.groups.set(key, g);
    append(c, g);
    return g;
  }

  private deleteGroup(c: Corr, g: Group): void {
    if (!g.alive) return;
    g.alive = false;
    c.groups.delete(g.key);
    unlink(c, g);
    this.timers.remove(g);
    c.events -= g.d.length;
    this.n.events -= g.d.length;
    g.d.clear();
    g.raw = NO_RAW;
    if (c.spare.length < MAX_SPARE) c.spare.push(g);
  }

  /** Sliding mode: drops matches no future window can hold (older than watermark − timespan). */
  private expireEntries(c: Corr, g: Group): void {
    const horizon = this.wm - c.T;
    while (g.d.length > 0 && g.d.first() < horizon) this.popFront(c, g);
  }

  private popFront(c: Corr, g: Group): void {
    if (g.acc) {
      if (g.accLo === 0) g.acc.remove(g.d.val(0));
      else g.accLo--;
    }
    if (g.lanes) g.lanes[g.d.tag(0)].shift();
    g.d.shift();
    c.events--;
    this.n.events--;
  }

  /** Removes entries lo..hi (a time range) from the group: they were consumed by a window. */
  private consume(c: Corr, g: Group, lo: number, hi: number): void {
    const d = g.d;
    if (g.lanes) {
      const from = d.time(lo);
      const to = d.time(hi);
      for (const lane of g.lanes) lane.removeTimes(from, to);
    }
    d.removeRange(lo, hi);
    const n = hi - lo + 1;
    c.events -= n;
    this.n.events -= n;
    if (g.acc) this.rebuildAcc(c, g);
  }

  /** Keeps `acc` = aggregate over the window ending at the newest entry, after inserting at p. */
  private accInsert(c: Corr, g: Group, p: number, t: number, v: Val): void {
    const acc = g.acc;
    if (!acc) return;
    const d = g.d;
    if (p === d.length - 1) {
      acc.add(v);
      const lo = t - c.T;
      while (d.time(g.accLo) < lo) acc.remove(d.val(g.accLo++));
    } else if (t >= d.last() - c.T) {
      acc.add(v);
    } else {
      g.accLo++;
    }
  }

  private rebuildAcc(c: Corr, g: Group): void {
    g.acc = c.kind === DISTINCT ? new DistinctAcc() : new SumAcc();
    const d = g.d;
    g.accLo = d.length === 0 ? 0 : d.lowerBound(d.last() - c.T);
    for (let i = g.accLo; i < d.length; i++) g.acc.add(d.val(i));
  }

  // ---- evaluation ----------------------------------------------------------------------------

  /** Sliding mode: evaluates the windows that contain the match just inserted at index p. */
  private evaluateSliding(c: Corr, g: Group, p: number, t: number, fired: CorrelationAlert[]): void {
    const d = g.d;
    const T = c.T;
    if (p === d.length - 1) {
      // in order: the only new window is the one ending at t
      const lo = d.lowerBound(t - T);
      const hi = d.length - 1;
      const v = g.acc ? g.acc.value() : this.rangeValue(c, g, lo, hi, t - T, t);
      if (c.test(v)) this.fire(c, g, lo, hi, v, t - T, fired);
      return;
    }
    // out of order: every window ending at a held match in [t, t + T] now also holds this one
    const ends: number[] = [];
    for (let i = p; i < d.length; i++) {
      const e = d.time(i);
      if (e > t + T) break;
      if (ends.length === 0 || ends[ends.length - 1] !== e) ends.push(e);
    }
    let sweep: Acc | null = null;
    let lo = 0;
    let hi = -1;
    for (const e of ends) {
      if (d.length === 0) break;
      const eHi = d.upperBound(e) - 1;
      if (eHi < 0 || d.time(eHi) !== e) continue; // consumed by a window that fired
      const eLo = d.lowerBound(e - T);
      let v: number;
      if (g.acc) {
        // slide one running aggregate across the candidate windows: O(window) in all
        if (!sweep) {
          sweep = c.kind === DISTINCT ? new DistinctAcc() : new SumAcc();
          lo = eLo;
          hi = eLo - 1;
        }
        while (hi < eHi) sweep.add(d.val(++hi));
        while (lo < eLo) sweep.remove(d.val(lo++));
        v = sweep.value();
      } else {
        v = this.rangeValue(c, g, eLo, eHi, e - T, e);
      }
      if (c.test(v)) {
        this.fire(c, g, eLo, eHi, v, e - T, fired);
        sweep = null;
      }
    }
  }

  /** Anchored mode: the window [s, s + T] at the group's earliest match is final; evaluate and consume it. */
  private closeWindow(c: Corr, g: Group, fired: CorrelationAlert[]): void {
    const d = g.d;
    if (d.length === 0) {
      this.deleteGroup(c, g);
      return;
    }
    const s = d.first();
    const hi = d.upperBound(s + c.T) - 1;
    const v = this.rangeValue(c, g, 0, hi, s, s + c.T);
    if (c.test(v)) this.fire(c, g, 0, hi, v, s, fired);
    else this.consume(c, g, 0, hi);
    if (d.length > 0) this.schedule(c, g);
    else this.deleteGroup(c, g);
  }

  private schedule(c: Corr, g: Group): void {
    this.timers.set(g, g.d.first() + c.T);
  }

  /**
   * The correlation's value over entries lo..hi, which are the matches within [from, to].
   * (Sliding value_count / value_sum use the running aggregate instead.)
   */
  private rangeValue(c: Corr, g: Group, lo: number, hi: number, from: number, to: number): number {
    const d = g.d;
    switch (c.kind) {
      case COUNT:
        return hi - lo + 1;
      case RULES: {
        let n = 0;
        for (const lane of g.lanes!) {
          const j = lane.lowerBound(from);
          if (j < lane.length && lane.time(j) <= to) n++;
        }
        return n;
      }
      case ORDERED:
        return this.orderedChain(g, from, to).length;
      case DISTINCT: {
        const seen = new Set<Val>();
        for (let i = lo; i <= hi; i++) seen.add(d.val(i));
        return seen.size;
      }
      case SUM:
      case AVG: {
        let sum = 0;
        for (let i = lo; i <= hi; i++) sum += d.val(i) as number;
        return c.kind === SUM ? sum : sum / (hi - lo + 1);
      }
      case PCT: {
        const vals = new Array<number>(hi - lo + 1);
        for (let i = lo; i <= hi; i++) vals[i - lo] = d.val(i) as number;
        return percentile(vals, c.pct);
      }
    }
  }

  /**
   * temporal_ordered: the times of the longest in-order prefix of the rules within [from, to],
   * choosing for each rule its earliest match not before the previous rule's (greedy, optimal).
   */
  private orderedChain(g: Group, from: number, to: number): number[] {
    const chain: number[] = [];
    let cur = from;
    for (const lane of g.lanes!) {
      const j = lane.lowerBound(cur);
      if (j >= lane.length || lane.time(j) > to) break;
      cur = lane.time(j);
      chain.push(cur);
    }
    return chain;
  }

  private fire(c: Corr, g: Group, lo: number, hi: number, value: number, from: number, fired: CorrelationAlert[]): void {
    const d = g.d;
    let matches: RuleMatch[];
    let start = d.time(lo);
    const end = d.time(hi);
    if (c.kind === ORDERED) {
      const chain = this.orderedChain(g, from, end);
      matches = chain.map((time, rule) => {
        for (let i = d.lowerBound(time); i < d.length && d.time(i) === time; i++) {
          if (d.tag(i) === rule) return d.item(i);
        }
        throw new Error('correlation: ordered chain lost its match'); // unreachable: lanes mirror d
      });
      if (chain.length > 0) start = chain[0];
    } else {
      const n = Math.min(hi - lo + 1, this.maxMatches);
      matches = new Array<RuleMatch>(n);
      for (let i = 0; i < n; i++) matches[i] = d.item(lo + i);
    }
    const group: Record<string, unknown> = {};
    c.spec.group_by.forEach((f, i) => (group[f] = g.raw[i]));
    const alert: CorrelationAlert = {
      rule: c.meta,
      type: c.spec.type,
      group,
      groupKey: g.key,
      start,
      end: c.kind === ORDERED && matches.length > 0 ? matches[matches.length - 1].time : end,
      value,
      matches,
      matchCount: c.kind === ORDERED ? matches.length : hi - lo + 1,
      suppressed: c.suppressed,
    };
    this.consume(c, g, lo, hi);
    c.fired++;
    this.n.fired++;
    fired.push(alert);
  }

  /** Feeds fired alerts to the correlations referring to them and closes due anchored windows, until quiet. */
  private settle(fired: CorrelationAlert[]): void {
    let i = 0;
    for (;;) {
      while (i < fired.length) {
        const alert = fired[i++];
        const c = this.byId.get(alert.rule.id)!;
        if (c.referrers.length === 0) continue;
        const m: RuleMatch = { rule: c.meta, event: new AlertEventView(alert), time: alert.end };
        for (const { c: outer, r } of c.referrers) this.ingest(outer, r, m, alert.end, fired);
      }
      const top = this.timers.peek();
      if (!top || !(this.flushing || top.heapAt < this.wm)) break;
      this.timers.pop();
      if (top.alive) this.closeWindow(top.c, top, fired);
    }
  }

  /** Deletes groups whose every match is older than watermark − timespan (sliding mode). */
  private sweep(): void {
    for (const c of this.sliding) if (this.wm > c.nextSweep) this.sweepCorr(c);
  }

  private sweepCorr(c: Corr): void {
    const horizon = this.wm - c.T;
    for (let g = c.lruHead; g; g = c.lruHead) {
      if (g.lastTime < horizon) this.deleteGroup(c, g);
      else {
        c.nextSweep = g.lastTime + c.T;
        return;
      }
    }
    c.nextSweep = Infinity;
  }
}
