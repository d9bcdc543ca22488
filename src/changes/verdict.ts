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
  private readonly byPlace = new Map<string, Array<{ start: number; end: number; change: Change; window: string }>>();
  private readonly placesOf = new Map<string, string[]>();
  /** The longest window indexed: how far before an alert a window may start and still hold it. */
  private longest = 0;
  private readonly observedByPlace = new Map<string, ObservedChange[]>();
  private readonly observedIds = new Set<string>();
  /** The latest observed change's time, and observations since the last pruning. */
  private latestObserved = 0;
  private sincePrune = 0;
  private placesFor: InventoryIndex | null = null;
  private readonly serviceCache = new Map<string, Place[]>();

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
    this.latestObserved = Math.max(this.latestObserved, Date.parse(observed.timestamp));
    // Keep memory bounded: what is older than the lookback can no longer be anyone's suspect.
    if (++this.sincePrune >= 1000) {
      this.sincePrune = 0;
      this.prune(this.latestObserved);
    }
    for (const place of this.placesOfObserved(observed)) {
      const list = this.observedByPlace.get(place) ?? [];
      list.push(observed);
      this.observedByPlace.set(place, list);
    }
  }

  /** Forgets observed changes older than the lookback before `nowMs` (bounded memory). */
  prune(nowMs: number): void {
    for (const [place, list] of this.observedByPlace) {
      const kept = list.filter((o) => Date.parse(o.timestamp) >= nowMs - this.options.lookbackMs);
      for (const o of list) if (!kept.includes(o)) this.observedIds.delete(o.id);
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
    const cached = this.serviceCache.get(service);
    if (cached) return cached;
    const canonical = index.service(service)?.name ?? service;
    const places: Place[] = [{ key: `s:${canonical.toLowerCase()}`, label: canonical, distance: 1 }];
    // Two steps of dependencies: further away, a change explains little. A dependency is
    // affected by a change on it or on one of its assets.
    for (const [dependency, depth] of index.dependencyDepths(canonical)) {
      if (depth > 2) continue;
      const lower = dependency.toLowerCase();
      places.push({ key: `s:${lower}`, label: dependency, distance: 1 + depth }, { key: `d:${lower}`, label: dependency, distance: 1 + depth });
    }
    this.serviceCache.set(service, places);
    return places;
  }

  /** Where an alert is: its assets (distance 0), their services (1), and what those depend on. */
  private placesOfAlert(alert: Pick<Alert, 'entities'>): Place[] {
    const index = this.inventory();
    if (index !== this.placesFor) {
      this.placesFor = index;
      this.serviceCache.clear();
    }
    const places: Place[] = [];
    const services: string[] = [];
    for (const name of alert.entities.hosts.length + alert.entities.ips.length === 1 ? (alert.entities.hosts.length ? alert.entities.hosts : alert.entities.ips) : [...alert.entities.hosts, ...alert.entities.ips]) {
      const asset = index.asset(name);
      const label = asset?.name ?? name;
      places.push({ key: `a:${label.toLowerCase()}`, label, distance: 0 });
      if (asset) services.push(...asset.services);
    }
    services.push(...alert.entities.services);
    for (const service of services) places.push(...this.servicePlaces(index, service));
    return places;
  }

  verdict(alert: Pick<Alert, 'entities'>, atMs: number): ChangeVerdict {
    // Plain candidate records, worded only for the few kept: this runs for every alert.
    let candidates: Candidate[] | null = null;
    const places = this.placesOfAlert(alert);
    const margin = this.options.marginMs;
    for (let p = 0; p < places.length; p++) {
      const place = places[p]!;
      const topology = 1 / (1 + place.distance);
      const changes = this.byPlace.get(place.key);
      if (changes) {
        const last = atMs + margin;
        for (let i = lowerBound(changes, atMs - margin - this.longest); i < changes.length && changes[i]!.start <= last; i++) {
          const entry = changes[i]!;
          const gap = atMs < entry.start ? entry.start - atMs : atMs > entry.end ? atMs - entry.end : 0;
          if (gap > margin) continue;
          const proximity = margin === 0 ? 1 : 1 - (gap / margin) * 0.5;
          (candidates ??= []).push({ key: entry.change.id, verdict: 'expected-change', score: round(proximity * topology), place, change: entry.change, window: entry.window, gap, observed: null });
        }
      }
      const observedHere = this.observedByPlace.get(place.key);
      if (!observedHere) continue;
      for (const observed of observedHere) {
        const at = Date.parse(observed.timestamp);
        if (at > atMs || atMs - at > this.options.lookbackMs) continue;
        const score = round((1 - ((atMs - at) / this.options.lookbackMs) * 0.5) * topology);
        if (!observed.matched_change) {
          (candidates ??= []).push({ key: `observed:${observed.id}`, verdict: 'unauthorised-change', score, place, change: null, window: '', gap: 0, observed });
        } else if (observed.outside_window || observed.violations.length > 0) {
          (candidates ??= []).push({ key: observed.matched_change, verdict: 'window-violation', score, place, change: null, window: '', gap: 0, observed });
        }
      }
    }
    if (!candidates) return NO_CHANGE;
    // The best candidate per change, most likely first.
    const best = new Map<string, Candidate>();
    for (const candidate of candidates) {
      const known = best.get(candidate.key);
      if (!known || known.score < candidate.score) best.set(candidate.key, candidate);
    }
    const list = [...best.values()]
      .sort(compareRelatedChanges)
      .slice(0, 5)
      .map((c) => this.word(c, atMs));
    return { verdict: list[0]!.verdict, related: list };
  }

  private word(c: Candidate, atMs: number): RelatedChange {
    const where = c.place.distance === 0 ? `on ${c.place.label}` : c.place.distance === 1 ? `on its service ${c.place.label}` : `on ${c.place.label}, which it depends on`;
    if (c.change) {
      const off = c.gap > 0 ? `, ${Math.round(c.gap / 60_000)} min ${atMs < Date.parse(c.change.window.start) ? 'before' : 'after'} it` : '';
      return {
        id: c.change.id,
        title: c.change.title,
        verdict: 'expected-change',
        score: c.score,
        reason: `${c.change.id} (${c.change.type}, ${c.change.status}) ${where}, ${c.window}${off}`,
        implementer: c.change.implementer,
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

interface Candidate {
  key: string;
  verdict: RelatedChange['verdict'];
  score: number;
  place: Place;
  change: Change | null;
  /** The change's window, worded once when indexed. */
  window: string;
  gap: number;
  observed: ObservedChange | null;
}

const round = (n: number) => Math.round(n * 1000) / 1000;
const NO_CHANGE: ChangeVerdict = Object.freeze({ verdict: 'no-change', related: [] }) as ChangeVerdict;

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
