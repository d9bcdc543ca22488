import type { Alert, Indicator, VigilEvent } from '../../core/index.ts';
import { attackFromTags } from '../attack/index.ts';
import { buildAlert } from '../alert.ts';
import { IndicatorSet } from './indicator-set.ts';
import { forEachObservable, type ObservableField } from './observables.ts';

/** One event field that holds a known-bad value. */
export interface IntelHit {
  event: VigilEvent;
  field: string;
  value: string;
  indicatorId: string;
}

/**
 * Which fields an intel match says something about, by where the value was: a contacted
 * destination is command and control, a file is execution, a sender or an inbound address is
 * an attempt to get in. An indicator's own `attack.*` tags win over this.
 */
function defaultTactic(field: string): string | null {
  if (field.startsWith('destination.') || field.startsWith('dns.') || field.startsWith('url.') || field.startsWith('server.')) return 'attack.command_and_control';
  if (field.startsWith('file.') || field.startsWith('process.') || field === 'related.hash') return 'attack.execution';
  if (field.startsWith('email.') || field.startsWith('source.') || field.startsWith('client.')) return 'attack.initial_access';
  if (field.includes('user')) return 'attack.initial_access';
  return null;
}

/**
 * Indicator matching for live detection and retro-hunts: the set answers which indicators an
 * event's fields hold in constant time per field; only hits reach the (slower) store for the
 * indicator's details, which decide validity and make the alert.
 */
export class IntelMatcher {
  readonly set = new IndicatorSet();
  private readonly fields: ReadonlyArray<ObservableField>;

  constructor(extraFields: ReadonlyArray<ObservableField> = []) {
    this.fields = extraFields;
  }

  get size(): number {
    return this.set.size;
  }

  add(indicator: Pick<Indicator, 'id' | 'type' | 'value'>): void {
    this.set.add(indicator.id, indicator.type, indicator.value);
  }

  remove(id: string): boolean {
    return this.set.remove(id);
  }

  /** Every field of the events holding an indicator (cheap when none does: no allocation per miss). */
  hits(events: Iterable<VigilEvent>, set: IndicatorSet = this.set): IntelHit[] {
    const hits: IntelHit[] = [];
    if (set.size === 0) return hits;
    const extra = this.fields.length > 0 ? this.fields : undefined;
    for (const event of events) {
      forEachObservable(event as unknown as Record<string, unknown>, extra, (field, kind, value) => {
        const ids = set.match(kind, value);
        for (let i = 0; i < ids.length; i++) hits.push({ event, field, value, indicatorId: ids[i]! });
      });
    }
    return hits;
  }

}

export const INTEL_SOURCE = 'intel';

/**
 * The alerts for hits: one per event and indicator, whatever number of the event's fields hold
 * the value, for the indicators `counts` accepts (valid now, for live matching).
 */
export function alertsOfHits(hits: readonly IntelHit[], indicators: ReadonlyMap<string, Indicator>, counts: (indicator: Indicator) => boolean, now: Date): Alert[] {
  const alerts: Alert[] = [];
  const seen = new Set<string>();
  for (const hit of hits) {
    const indicator = indicators.get(hit.indicatorId);
    if (!indicator || !counts(indicator)) continue;
    const key = `${hit.event.id}\u0000${indicator.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    alerts.push(intelAlert(hit, indicator, now));
  }
  return alerts;
}

/** Whether an indicator counts at `atMs`: not before its valid_from, not at or after its valid_until. */
export function indicatorValidAt(indicator: Pick<Indicator, 'valid_from' | 'valid_until'>, atMs: number): boolean {
  if (indicator.valid_until && Date.parse(indicator.valid_until) <= atMs) return false;
  if (indicator.valid_from && Date.parse(indicator.valid_from) > atMs) return false;
  return true;
}

/**
 * The alert for an event holding an indicator. One alert per indicator and host (the
 * fingerprint), so repeats deduplicate; it carries the indicator with its source and confidence
 * for the score, and the field that held it.
 */
export function intelAlert(hit: IntelHit, indicator: Indicator, now: Date = new Date()): Alert {
  const tags = [...new Set([...indicator.tags.filter((t) => t.toLowerCase().startsWith('attack.')), ...(indicator.tags.some((t) => t.toLowerCase().startsWith('attack.')) ? [] : [defaultTactic(hit.field)].filter((t): t is string => t !== null))])];
  const at = Date.parse(hit.event['@timestamp']);
  const alert = buildAlert({
    source: INTEL_SOURCE,
    rule: {
      id: `intel:${indicator.id}`,
      title: `Threat-intel match: ${indicator.type} ${indicator.value} (${indicator.source})`,
      level: indicator.severity,
      tags,
      ...(indicator.description ? { description: indicator.description } : {}),
    },
    events: [hit.event],
    attack: attackFromTags(tags),
    first: at,
    last: at,
    now,
  });
  alert.labels = { ...alert.labels, indicator_type: indicator.type, indicator_source: indicator.source };
  alert.indicator = { confidence: indicator.confidence, value: indicator.value, type: indicator.type, source: indicator.source };
  alert.annotations = { indicator_id: indicator.id, matched_field: hit.field, matched_value: hit.value, ...(indicator.external_id ? { external_id: indicator.external_id } : {}) };
  return alert;
}

