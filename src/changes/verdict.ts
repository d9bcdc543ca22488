import type { Alert, Change, ChangeVerdict, ObservedChange, RelatedChange } from '../core/index.ts';
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
  private readonly byPlace = new Map<string, Change[]>();
  private readonly observedByPlace = new Map<string, ObservedChange[]>();

  constructor(
    private readonly inventory: () => InventoryIndex,
    private readonly options: VerdictOptions,
  ) {}

  /** Places a change touches: its assets and services, and its assets' services. */
  private placesOfChange(change: Pick<Change, 'assets' | 'services'>): string[] {
    const index = this.inventory();
    const places = new Set<string>();
    for (const asset of change.assets) {
      const known = index.asset(asset);
      places.add(`a:${(known?.name ?? asset).toLowerCase()}`);
      for (const service of known?.services ?? []) places.add(`s:${service.toLowerCase()}`);
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
    for (const place of this.placesOfChange(change)) {
      const list = this.byPlace.get(place);
      if (list) list.push(change);
      else this.byPlace.set(place, [change]);
    }
  }

  remove(id: string): void {
    for (const [place, list] of this.byPlace) {
      const kept = list.filter((c) => c.id !== id);
      if (kept.length === 0) this.byPlace.delete(place);
      else if (kept.length !== list.length) this.byPlace.set(place, kept);
    }
  }

  /** Remembers an observed change (recorded or not) for the verdicts of alerts after it. */
  observe(observed: ObservedChange): void {
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
      if (kept.length === 0) this.observedByPlace.delete(place);
      else this.observedByPlace.set(place, kept);
    }
  }

  /** The recorded change an observed change belongs to: in scope and inside its window plus the margin. */
  match(observed: Pick<ObservedChange, 'asset' | 'service' | 'timestamp'>): { change: Change; inWindow: boolean } | null {
    const at = Date.parse(observed.timestamp);
    let best: { change: Change; inWindow: boolean; gap: number } | null = null;
    for (const place of this.placesOfObserved(observed)) {
      for (const change of this.byPlace.get(place) ?? []) {
        const start = Date.parse(change.window.start);
        const end = Date.parse(change.window.end);
        const gap = at < start ? start - at : at > end ? at - end : 0;
        // Within a day of its window it is this change done at the wrong time; further, not this change.
        if (gap > 24 * HOUR) continue;
        if (!best || gap < best.gap) best = { change, inWindow: gap <= this.options.marginMs, gap };
      }
    }
    return best ? { change: best.change, inWindow: best.inWindow } : null;
  }

  /** Where an alert is, nearest first: its assets, their services, and what those depend on. */
  private placesOfAlert(alert: Pick<Alert, 'entities'>): Place[] {
    const index = this.inventory();
    const places = new Map<string, Place>();
    const add = (key: string, label: string, distance: number) => {
      const known = places.get(key);
      if (!known || known.distance > distance) places.set(key, { key, label, distance });
    };
    const services: Array<[string, number]> = [];
    for (const name of [...alert.entities.hosts, ...alert.entities.ips]) {
      const asset = index.asset(name);
      add(`a:${(asset?.name ?? name).toLowerCase()}`, asset?.name ?? name, 0);
      for (const service of asset?.services ?? []) services.push([service, 1]);
    }
    for (const service of alert.entities.services) services.push([service, 1]);
    for (const [service, distance] of services) {
      const canonical = index.service(service)?.name ?? service;
      add(`s:${canonical.toLowerCase()}`, canonical, distance);
      for (const dependency of index.dependencies(canonical)) add(`s:${dependency.toLowerCase()}`, dependency, distance + 1);
    }
    return [...places.values()];
  }

  verdict(alert: Pick<Alert, 'entities'>, atMs: number): ChangeVerdict {
    const related = new Map<string, RelatedChange>();
    const keep = (key: string, candidate: RelatedChange) => {
      const known = related.get(key);
      if (!known || known.score < candidate.score) related.set(key, candidate);
    };
    const topology = (distance: number) => 1 / (1 + distance);
    for (const place of this.placesOfAlert(alert)) {
      const where = place.distance === 0 ? `on ${place.label}` : place.distance === 1 ? `on its service ${place.label}` : `on ${place.label}, which it depends on`;
      for (const change of this.byPlace.get(place.key) ?? []) {
        const start = Date.parse(change.window.start);
        const end = Date.parse(change.window.end);
        const gap = atMs < start ? start - atMs : atMs > end ? atMs - end : 0;
        if (gap > this.options.marginMs) continue;
        const proximity = this.options.marginMs === 0 ? 1 : 1 - (gap / this.options.marginMs) * 0.5;
        keep(change.id, {
          id: change.id,
          title: change.title,
          verdict: 'expected-change',
          score: round(proximity * topology(place.distance)),
          reason: `${change.id} (${change.type}, ${change.status}) ${where}, window ${fmtTime(start)}–${fmtTime(end)} UTC${gap > 0 ? `, ${Math.round(gap / 60_000)} min ${atMs < start ? 'before' : 'after'} it` : ''}`,
          implementer: change.implementer,
        });
      }
      for (const observed of this.observedByPlace.get(place.key) ?? []) {
        const at = Date.parse(observed.timestamp);
        if (at > atMs || atMs - at > this.options.lookbackMs) continue;
        const proximity = 1 - ((atMs - at) / this.options.lookbackMs) * 0.5;
        const who = observed.actor ? ` by ${observed.actor}` : '';
        if (!observed.matched_change) {
          keep(`observed:${observed.id}`, {
            id: null,
            title: observed.summary,
            verdict: 'unauthorised-change',
            score: round(proximity * topology(place.distance)),
            reason: `unrecorded ${observed.type} change on ${observed.asset ?? observed.service} at ${fmtTime(at)} UTC${who}: ${observed.summary}`,
          });
        } else if (observed.outside_window || observed.violations.length > 0) {
          keep(observed.matched_change, {
            id: observed.matched_change,
            title: observed.summary,
            verdict: 'window-violation',
            score: round(proximity * topology(place.distance)),
            reason: `${observed.matched_change} carried out outside its window: ${observed.type} change on ${observed.asset ?? observed.service} at ${fmtTime(at)} UTC${who}`,
          });
        }
      }
    }
    // A violation or an unrecorded change outweighs the approved change it happened under.
    const rank = { 'unauthorised-change': 0, 'window-violation': 1, 'expected-change': 2 } as const;
    const list = [...related.values()].sort((a, b) => b.score - a.score || rank[a.verdict] - rank[b.verdict]).slice(0, 5);
    return { verdict: list[0]?.verdict ?? 'no-change', related: list };
  }
}

const round = (n: number) => Math.round(n * 1000) / 1000;
