/** Change management as the UI reads it from the API (the core's types), and week arithmetic in UTC. */
import type { Change, ChangeConflict } from '../../../src/core/index.ts';
import { DAY_MS } from '../format.ts';

export type { Change, ChangeConflict, ObservedChange, PolicyFinding } from '../../../src/core/index.ts';

export const CHANGE_TYPES = ['firewall', 'network', 'deploy', 'config', 'database', 'access', 'other'] as const;
export const CHANGE_RISKS = ['low', 'medium', 'high', 'critical'] as const;

export interface ChangeTimelineEntry {
  at: string;
  kind: string;
  actor: string;
  text: string;
  data?: Record<string, unknown>;
}

export type ChangeDetail = Change & { timeline: ChangeTimelineEntry[] };

export interface FreezeWindow {
  policy: string;
  action: string;
  start: string;
  end: string;
}

export interface CalendarView {
  from: string;
  to: string;
  changes: Change[];
  freezes: FreezeWindow[];
  conflicts: Array<ChangeConflict & { change: string }>;
}

/** The lifecycle actions, their button text, and the states each may be taken from (as src/changes/lifecycle.ts). */
export const CHANGE_ACTIONS: Array<{ action: string; label: string; from: string[] }> = [
  { action: 'request', label: 'Request', from: ['draft'] },
  { action: 'approve', label: 'Approve', from: ['requested'] },
  { action: 'start', label: 'Start', from: ['approved'] },
  { action: 'complete', label: 'Complete', from: ['in_progress'] },
  { action: 'fail', label: 'Fail', from: ['in_progress'] },
  { action: 'rollback', label: 'Roll back', from: ['in_progress', 'failed'] },
  { action: 'cancel', label: 'Cancel', from: ['draft', 'requested', 'approved'] },
];

export { DAY_MS, HOUR_MS } from '../format.ts';

/** YYYY-MM-DD of a UTC instant. */
export const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The Monday 00:00 UTC of the week holding `ms`. */
export function mondayOf(ms: number): number {
  const day = Math.floor(ms / DAY_MS) * DAY_MS;
  return day - ((new Date(day).getUTCDay() + 6) % 7) * DAY_MS;
}

/** The week a `?week=YYYY-MM-DD` parameter names (any day of it), or this week. */
export function weekStart(param: string | null, now = Date.now()): number {
  if (param && /^\d{4}-\d{2}-\d{2}$/.test(param)) {
    const ms = Date.parse(`${param}T00:00:00Z`);
    if (!Number.isNaN(ms)) return mondayOf(ms);
  }
  return mondayOf(now);
}

/** A datetime-local value ("2026-03-03T14:00") read as UTC, as ISO with Z; null when unreadable. */
export function utcFromLocalInput(value: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2}(?:\.\d+)?)?$/.exec(value.trim());
  if (!m) return null;
  const ms = Date.parse(`${m[1]}T${m[2]}${m[3] ?? ':00'}Z`);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** A UTC instant as a datetime-local value (minutes). */
export const localInputFromMs = (ms: number): string => new Date(ms).toISOString().slice(0, 16);

/** Changes marked as conflicting: by their own record, or by the calendar's conflict list. */
export function conflictingIds(view: CalendarView): Set<string> {
  const ids = new Set<string>();
  for (const change of view.changes) if (change.conflicts.length > 0) ids.add(change.id);
  for (const conflict of view.conflicts) {
    ids.add(conflict.change);
    ids.add(conflict.change_id);
  }
  return ids;
}

/** "a, b, c" → ['a', 'b', 'c'] (blank parts left out). */
export const splitList = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Only http(s) links become anchors (the server checks too). */
export function safeHref(href: string): string | null {
  try {
    const url = new URL(href);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}
