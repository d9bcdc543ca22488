import { compareRelatedChanges, type Alert, type Change, type ChangeVerdict, type ObservedChange, type RelatedChange } from '../core/index.ts';
import type { InventoryIndex } from '../triage/index.ts';

/** Changes that explain alerts: approved ones, and ones under way or done (not drafts, requests or cancelled). */
const EXPLAINING = new Set(['approved', 'in_progress', 'completed', 'failed', 'rolled_back']);
const HOUR = 3_600_000;

export interface VerdictOptions {
  /** An alert this close to a change window, before or after, is still expected. */
  marginMs: number;
  /** How long an unrecorded change stays a suspect for alerts after it. */
  lookbackMs: number;
}

interface Place {
  /** Canonical asset or service name, lower case. */
  key: string;
  label: string;
  /** Steps in the topology from the alert: 0 its asset, 1 its service, 2+ services that one depends on. */
  distance: number;
}

const fmtTime = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

/**
 * Every open change and recent unrecorded change by the assets and services it touches, so each
 * alert gets its change verdict with a few map lookups, at event time:
 * - expected-change: an approved change on the alert's asset, or on a service it depends on, whose
 *   window (plus the margin) holds the alert;
 * - window-violation: that change was carried out (observed) outside its window;
 * - unauthorised-change: a change nobody recorded was observed there shortly before;
 * - no-change otherwise.
 */
export class ChangeIndex {
  /** Per place, changes sorted by window start, so a verdict reads only those near the alert's time. */
  private readonly byPlace = new Map<string, IndexedChange[]>();
  private readonly placesOf = new Map<string, string[]>();
  /** The longest window indexed: how far before an alert a window may start and still hold it. */
  private longest = 0;
  /** Per place, observed changes with their time parsed once (verdicts read them for every alert). */
  private readonly observedByPlace = new Map<string, Array<{ observed: ObservedChange; at: number }>>();
  private readonly observedIds = new Set<string>();
  /** The latest observed change's time, and observations since the last pruning. */
  private latestObserved = 0;
  private sincePrune = 0;
  private placesFor: InventoryIndex | null = null;
  /** Per service an alert names: its places and their changes merged (see serviceView). */
  private readonly serviceViews = new Map<string, ServiceView>();
  /**
   * Scratch of `verdict`, reused because it runs for every alert: the candidates found (the
   * first `foundCount` of a pool of records that only ever grows to the most seen at once) and
   * the alert's services.
   */
  private readonly found: Candidate[] = [];
  private foundCount = 0;
  private readonly services: string[] = [];
  /** Worded related changes by what decides their words (see worded). */
  private readonly wordings = new Map<string, RelatedChange>();
  /** The verdict of each worded change when it is the only one: shared like the wording. */
  private readonly alone = new WeakMap<RelatedChange, ChangeVerdict>();

  constructor(
    private readonly inventory: () => InventoryIndex,
    private readonly options: VerdictOptions,
  ) {}

  /**
   * Places a change touches: its assets (a:), its services (s:), and the services of its assets
   * (d:, which explain alerts of services depending on them, not of the assets' siblings).
   */
  private placesOfChange(change: Pick<Change, 'assets' | 'services'>): string[] {
    const index = this.inventory();
    const places = new Set<string>();
    for (const asset of change.assets) {
      const known = index.asset(asset);
      places.add(`a:${(known?.name ?? asset).toLowerCase()}`);
      for (const service of known?.services ?? []) places.add(`d:${service.toLowerCase()}`);
    }
    for (const service of change.services) places.add(`s:${(index.service(service)?.name ?? service).toLowerCase()}`);
    return [...places];
  }

  private placesOfObserved(observed: Pick<ObservedChange, 'asset' | 'service'>): string[] {
    return this.placesOfChange({ assets: observed.asset ? [observed.asset] : [], services: observed.service ? [observed.service] : [] });
  }

  /** Adds or replaces a change (by id); one that can no longer explain anything is dropped. */
  upsert(change: Change): void {
    this.remove(change.id);
    this.serviceViews.clear();
    this.wordings.clear();
    if (!EXPLAINING.has(change.status)) return;
    const start = Date.parse(change.window.start);
    const end = Date.parse(change.window.end);
    this.longest = Math.max(this.longest, end - start);
    const places = this.placesOfChange(change);
    this.placesOf.set(change.id, places);
    // Worded once here: every alert in the window quotes it.
    const window = `window ${fmtTime(start)}–${fmtTime(end)} UTC`;
    for (const place of places) {
      let list = this.byPlace.get(place);
      if (!list) this.byPlace.set(place, (list = []));
      list.splice(lowerBound(list, start), 0, { start, end, change, window });
    }
  }

  remove(id: string): void {
    if (this.placesOf.has(id)) this.serviceViews.clear();
    for (const place of this.placesOf.get(id) ?? []) {
      const list = this.byPlace.get(place);
      if (!list) continue;
      const kept = list.filter((entry) => entry.change.id !== id);
      if (kept.length === 0) this.byPlace.delete(place);
      else this.byPlace.set(place, kept);
    }
    this.placesOf.delete(id);
  }

  /** Indexed changes at a place whose window, widened by `slack`, may hold `atMs`. */
  private *near(place: string, atMs: number, slack: number): Generator<{ start: number; end: number; change: Change }> {
    const list = this.byPlace.get(place);
    if (!list) return;
    for (let i = lowerBound(list, atMs - slack - this.longest); i < list.length && list[i]!.start <= atMs + slack; i++) yield list[i]!;
  }

  /** Remembers an observed change (recorded or not) for the verdicts of alerts after it. */
  observe(observed: ObservedChange): void {
    // The same evidence again (a retried delivery, a replayed detection) is already known.
    if (this.observedIds.has(observed.id)) return;
    this.observedIds.add(observed.id);
    const at = Date.parse(observed.timestamp);
    this.latestObserved = Math.max(this.latestObserved, at);
    // Keep memory bounded: what is older than the lookback can no longer be anyone's suspect.
    if (++this.sincePrune >= 1000) {
      this.sincePrune = 0;
      this.prune(this.latestObserved);
    }
    for (const place of this.placesOfObserved(observed)) {
      const list = this.observedByPlace.get(place) ?? [];
      list.push({ observed, at });
      this.observedByPlace.set(place, list);
    }
  }

  /** Forgets observed changes older than the lookback before `nowMs` (bounded memory). */
  prune(nowMs: number): void {
    const oldest = nowMs - this.options.lookbackMs;
    for (const [place, list] of this.observedByPlace) {
      const kept = [];
      for (const entry of list) {
        if (entry.at >= oldest) kept.push(entry);
        else this.observedIds.delete(entry.observed.id);
      }
      if (kept.length === 0) this.observedByPlace.delete(place);
      else this.observedByPlace.set(place, kept);
    }
  }

  /** The recorded change an observed change belongs to: in scope and inside its window plus the margin. */
  match(observed: Pick<ObservedChange, 'asset' | 'service' | 'timestamp'>): { change: Change; inWindow: boolean } | null {
    const at = Date.parse(observed.timestamp);
    let best: { change: Change; inWindow: boolean; gap: number } | null = null;
    for (const place of this.placesOfObserved(observed)) {
      for (const { start, end, change } of this.near(place, at, 24 * HOUR)) {
        const gap = at < start ? start - at : at > end ? at - end : 0;
        // Within a day of its window it is this change done at the wrong time; further, not this change.
        if (gap > 24 * HOUR) continue;
        if (!best || gap < best.gap) best = { change, inWindow: gap <= this.options.marginMs, gap };
      }
    }
    return best ? { change: best.change, inWindow: best.inWindow } : null;
  }

  /** A service and what it depends on (two steps), as places with their distance from an alert on one of its assets. */
  private servicePlaces(index: InventoryIndex, service: string): Place[] {
    const canonical = index.service(service)?.name ?? service;
    const places: Place[] = [{ key: `s:${canonical.toLowerCase()}`, label: canonical, distance: 1 }];
    // Two steps of dependencies: further away, a change explains little. A dependency is
    // affected by a change on it or on one of its assets.
    for (const [dependency, depth] of index.dependencyDepths(canonical)) {
      if (depth > 2) continue;
      const lower = dependency.toLowerCase();
      places.push({ key: `s:${lower}`, label: dependency, distance: 1 + depth }, { key: `d:${lower}`, label: dependency, distance: 1 + depth });
    }
    return places;
  }

  /**
   * What an alert on a service's asset sees: its places, and the changes at all of them merged
   * into one list by window start, each change once at its nearest place. Built when first
   * needed and dropped whenever the changes or the inventory change, so a verdict reads one list
   * per service instead of one per place.
   */
  private serviceView(index: InventoryIndex, service: string): ServiceView {
    if (index !== this.placesFor) {
      this.placesFor = index;
      this.serviceViews.clear();
    }
    const cached = this.serviceViews.get(service);
    if (cached) return cached;
    const places = this.servicePlaces(index, service);
    const nearest = new Map<string, Place>();
    const timeline: IndexedChange[] = [];
    for (const place of places) {
      for (const entry of this.byPlace.get(place.key) ?? []) {
        const known = nearest.get(entry.change.id);
        if (!known) timeline.push(entry);
        if (!known || known.distance > place.distance) nearest.set(entry.change.id, place);
      }
    }
    timeline.sort((a, b) => a.start - b.start);
    const view = {
      places,
      timeline,
      starts: Float64Array.from(timeline, (entry) => entry.start),
      ends: Float64Array.from(timeline, (entry) => entry.end),
      nearestPlaces: timeline.map((entry) => nearest.get(entry.change.id)!),
    };
    this.serviceViews.set(service, view);
    return view;
  }

  verdict(alert: Pick<Alert, 'entities'>, atMs: number): ChangeVerdict {
    const index = this.inventory();
    // This runs for every alert: candidates are pooled records, worded only for the few kept,
    // and a place is made only where something changed.
    const services = this.services;
    this.foundCount = 0;
    services.length = 0;
    const margin = this.options.marginMs;
    const anyObserved = this.observedByPlace.size > 0;
    const { hosts, ips } = alert.entities;
    for (let n = 0; n < hosts.length + ips.length; n++) {
      const name = n < hosts.length ? hosts[n]! : ips[n - hosts.length]!;
      const asset = index.asset(name);
      const label = asset?.name ?? name;
      const key = `a:${label.toLowerCase()}`;
      const changes = this.byPlace.get(key);
      const observed = anyObserved ? this.observedByPlace.get(key) : undefined;
      if (changes || observed) {
        const place: Place = { key, label, distance: 0 };
        if (changes) for (let i = lowerBound(changes, atMs - margin - this.longest); i < changes.length && changes[i]!.start <= atMs + margin; i++) this.expected(changes[i]!, place, atMs, margin);
        if (observed) this.unrecorded(observed, place, atMs);
      }
      if (asset) for (const service of asset.services) if (!services.includes(service)) services.push(service);
    }
    for (const service of alert.entities.services) if (!services.includes(service)) services.push(service);
    for (const service of services) {
      const view = this.serviceView(index, service);
      // Read from flat arrays of window starts and ends: a long timeline's entries are scattered
      // in memory, and most near the alert's time turn out not to hold it.
      const { starts, ends, timeline, nearestPlaces } = view;
      const last = atMs + margin;
      for (let i = lowerBoundOf(starts, atMs - margin - this.longest); i < starts.length && starts[i]! <= last; i++) {
        if (atMs - ends[i]! > margin) continue;
        this.expected(timeline[i]!, nearestPlaces[i]!, atMs, margin);
      }
      if (!anyObserved) continue;
      for (const place of view.places) {
        const observed = this.observedByPlace.get(place.key);
        if (observed) this.unrecorded(observed, place, atMs);
      }
    }
    const count = this.foundCount;
    if (count === 0) return NO_CHANGE;
    if (count === 1) return this.aloneVerdict(this.worded(this.found[0]!));
    sortCandidates(this.found, count);
    const related = Object.freeze(Array.from({ length: Math.min(count, MAX_RELATED) }, (_, i) => this.worded(this.found[i]!)));
    return Object.freeze({ verdict: related[0]!.verdict, related: related as RelatedChange[] });
  }

  private aloneVerdict(related: RelatedChange): ChangeVerdict {
    let verdict = this.alone.get(related);
    if (!verdict) this.alone.set(related, (verdict = Object.freeze({ verdict: related.verdict, related: Object.freeze([related]) as RelatedChange[] })));
    return verdict;
  }

  /** An approved change whose window (plus the margin) may hold `atMs`: a candidate if it does, kept once at its best. */
  private expected(entry: IndexedChange, place: Place, atMs: number, margin: number): void {
    const gap = atMs < entry.start ? entry.start - atMs : atMs > entry.end ? atMs - entry.end : 0;
    if (gap > margin) return;
    const proximity = margin === 0 ? 1 : 1 - (gap / margin) * 0.5;
    this.keepBest(entry.change.id, 'expected-change', round(proximity * (1 / (1 + place.distance))), place, entry, gap, atMs < entry.start, null);
  }

  /** Observed changes at a place shortly before `atMs` that no record covers, or that broke their record's window. */
  private unrecorded(observedHere: ReadonlyArray<{ observed: ObservedChange; at: number }>, place: Place, atMs: number): void {
    const topology = 1 / (1 + place.distance);
    for (const { observed, at } of observedHere) {
      if (at > atMs || atMs - at > this.options.lookbackMs) continue;
      const score = round((1 - ((atMs - at) / this.options.lookbackMs) * 0.5) * topology);
      if (!observed.matched_change) {
        this.keepBest(`observed:${observed.id}`, 'unauthorised-change', score, place, null, 0, false, observed);
      } else if (observed.outside_window || observed.violations.length > 0) {
        this.keepBest(observed.matched_change, 'window-violation', score, place, null, 0, false, observed);
      }
    }
  }

  /** Adds a candidate unless the same change is already there with a better score (candidates are few). */
  private keepBest(key: string, verdict: RelatedChange['verdict'], score: number, place: Place, entry: IndexedChange | null, gap: number, early: boolean, observed: ObservedChange | null): void {
    const found = this.found;
    let slot = -1;
    for (let i = 0; i < this.foundCount; i++) {
      if (found[i]!.key !== key) continue;
      if (found[i]!.score >= score) return;
      slot = i;
      break;
    }
    if (slot < 0) {
      slot = this.foundCount++;
      if (slot === found.length) found.push({ key, verdict, score, place, entry, gap, early, observed });
    }
    const candidate = found[slot]!;
    candidate.key = key;
    candidate.verdict = verdict;
    candidate.score = score;
    candidate.place = place;
    candidate.entry = entry;
    candidate.gap = gap;
    candidate.early = early;
    candidate.observed = observed;
  }

  /**
   * The same change seen from the same place, with the same score (which carries the topology
   * distance) and at the same distance in whole minutes, reads the same for every alert: one shared, frozen object instead of a new sentence per alert, which thousands
   * of alerts in a change's window would otherwise each keep.
   */
  private worded(c: Candidate): RelatedChange {
    const key = `${c.key}\u0000${c.place.key}\u0000${Math.round(c.score * 1000) * 1_000_000 + (c.early ? -1 : 1) * Math.round(c.gap / 60_000)}`;
    const known = this.wordings.get(key);
    if (known) return known;
    if (this.wordings.size >= MAX_WORDINGS) this.wordings.clear();
    const related = Object.freeze(this.word(c));
    this.wordings.set(key, related);
    return related;
  }

  private word(c: Candidate): RelatedChange {
    const where = c.place.distance === 0 ? `on ${c.place.label}` : c.place.distance === 1 ? `on its service ${c.place.label}` : `on ${c.place.label}, which it depends on`;
    if (c.entry) {
      const change = c.entry.change;
      // Under half a minute off reads as in the window.
      const minutes = Math.round(c.gap / 60_000);
      const off = minutes > 0 ? `, ${minutes} min ${c.early ? 'before' : 'after'} it` : '';
      return {
        id: change.id,
        title: change.title,
        verdict: 'expected-change',
        score: c.score,
        reason: `${change.id} (${change.type}, ${change.status}) ${where}, ${c.entry.window}${off}`,
        implementer: change.implementer,
      };
    }
    const observed = c.observed!;
    const at = Date.parse(observed.timestamp);
    const who = observed.actor ? ` by ${observed.actor}` : '';
    const subject = observed.asset ?? observed.service;
    return c.verdict === 'unauthorised-change'
      ? { id: null, title: observed.summary, verdict: 'unauthorised-change', score: c.score, reason: `unrecorded ${observed.type} change on ${subject} at ${fmtTime(at)} UTC${who}: ${observed.summary}` }
      : { id: observed.matched_change, title: observed.summary, verdict: 'window-violation', score: c.score, reason: `${observed.matched_change} carried out outside its window: ${observed.type} change on ${subject} at ${fmtTime(at)} UTC${who}` };
  }
}

interface IndexedChange {
  start: number;
  end: number;
  change: Change;
  /** The change's window, worded once when indexed. */
  window: string;
}

interface ServiceView {
  places: Place[];
  /** Changes at any of the places, by window start, with their starts and ends in flat arrays. */
  timeline: IndexedChange[];
  starts: Float64Array;
  ends: Float64Array;
  /** The nearest of the places each change of the timeline touches. */
  nearestPlaces: Place[];
}

interface Candidate {
  key: string;
  verdict: RelatedChange['verdict'];
  score: number;
  place: Place;
  /** The approved change's index entry, or null for an observed change. */
  entry: IndexedChange | null;
  gap: number;
  /** The alert came before the window opened. */
  early: boolean;
  observed: ObservedChange | null;
}

/** Best first, as compareRelatedChanges orders them; an insertion sort, as there are only a few. */
function sortCandidates(found: Candidate[], count: number): void {
  for (let i = 1; i < count; i++) {
    const candidate = found[i]!;
    let j = i - 1;
    while (j >= 0 && compareRelatedChanges(found[j]!, candidate) > 0) {
      found[j + 1] = found[j]!;
      j--;
    }
    found[j + 1] = candidate;
  }
}

/** How many related changes a verdict names. */
const MAX_RELATED = 5;
/** Bound on remembered wordings; past it they are forgotten and worded again. */
const MAX_WORDINGS = 50_000;
const round = (n: number) => Math.round(n * 1000) / 1000;
const NO_CHANGE: ChangeVerdict = Object.freeze({ verdict: 'no-change', related: [] }) as ChangeVerdict;

/** First index whose value is at or after `start`. */
function lowerBoundOf(starts: Float64Array, start: number): number {
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid]! < start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose start is at or after `start`. */
function lowerBound(list: Array<{ start: number }>, start: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.start < start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
