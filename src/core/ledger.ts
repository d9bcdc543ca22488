/**
 * The noise ledger: how many items reached each stage of the funnel (events → detections →
 * alerts after dedup → incidents → notified) and why the others dropped, per hour of event time,
 * rule, source and service. Triage adds deltas; the stats API sums them.
 */
export const LEDGER_STAGES = ['detections', 'alerts', 'incidents', 'notified', 'dropped'] as const;
export type LedgerStage = (typeof LEDGER_STAGES)[number];

/**
 * Why an item did not go on to the next stage:
 * - dedup: a repeat of an alert already open (counted in the alert's `count`);
 * - silenced / inhibited: the alert is stored with `suppressed_by` and opens no incident;
 * - grouped / correlated: the alert joined an existing incident by its group or by an entity;
 * - flapping / throttled: a notification held back (flapping alert; group_interval or repeat_interval);
 * - unknown: a resolve or acknowledge for an alert Vigil never saw.
 */
export type LedgerReason = 'dedup' | 'silenced' | 'inhibited' | 'grouped' | 'correlated' | 'flapping' | 'unknown';

export interface LedgerDelta {
  /** Start of the event-time hour, ms. */
  hour: number;
  rule_id: string;
  source: string;
  /** '' when the alert names no service. */
  service: string;
  stage: LedgerStage;
  /** '' except for stage 'dropped'. */
  reason: LedgerReason | '';
  count: number;
}
