import ical, { ICalEventStatus, ICalEventTransparency } from 'ical-generator';
import type { Change, ChangeStatus } from '../core/index.ts';

export interface FreezeInterval {
  policy: string;
  start: Date;
  end: Date;
  action: string;
}

export interface ChangesCalendarInput {
  changes: Change[];
  freezes: FreezeInterval[];
  name: string;
  url?: string;
  /** DTSTAMP of the freeze events (changes use their updated_at); defaults to the wall clock. */
  now?: Date;
}

// Failed and rolled-back changes did take their window, so they stay confirmed rather than vanish.
const EVENT_STATUS: Record<ChangeStatus, ICalEventStatus> = {
  draft: ICalEventStatus.TENTATIVE,
  requested: ICalEventStatus.TENTATIVE,
  approved: ICalEventStatus.CONFIRMED,
  in_progress: ICalEventStatus.CONFIRMED,
  completed: ICalEventStatus.CONFIRMED,
  failed: ICalEventStatus.CONFIRMED,
  rolled_back: ICalEventStatus.CONFIRMED,
  cancelled: ICalEventStatus.CANCELLED,
};

/** RFC 5545 TEXT escaping, for the calendar name: ical-generator writes NAME and X-WR-CALNAME unescaped. */
const escapeText = (s: string) => s.replace(/[\\;,]/g, (c) => `\\${c}`).replace(/\r\n|\r|\n/g, '\\n');

const list = (items: string[]) => (items.length ? items.join(', ') : 'none');

function describe(c: Change): string {
  const lines = [
    `Type: ${c.type}`,
    `Risk: ${c.risk}${c.emergency ? ' (emergency)' : ''}`,
    `Assets: ${list(c.assets)}`,
    `Services: ${list(c.services)}`,
    `Implementer: ${c.implementer ?? 'unassigned'}`,
    `Approvals: ${c.approvals.length} of ${c.approvals_required}${c.approvals.length ? ` (${c.approvals.map((a) => a.by).join(', ')})` : ''}`,
  ];
  if (c.conflicts.length) lines.push('Conflicts:', ...c.conflicts.map((x) => `- ${x.change_id} on ${x.on}: ${x.reason}`));
  if (c.warnings.length) lines.push('Warnings:', ...c.warnings.map((w) => `- ${w.policy} (${w.action}): ${w.message}`));
  if (c.description) lines.push('', c.description);
  return lines.join('\n');
}

/** The changes and freeze intervals as an iCalendar feed (RFC 5545), all times in UTC. */
export function changesCalendar(input: ChangesCalendarInput): string {
  const name = escapeText(input.name);
  const cal = ical({ name, prodId: { company: 'Vigil', product: 'Vigil changes' } });
  // new URL() drops line breaks and encodes spaces, so the unescaped URL property cannot inject lines.
  if (input.url) cal.url(new URL(input.url).href);
  for (const c of input.changes) {
    cal.createEvent({
      id: `${c.id}@vigil`,
      // Stable per revision, so clients that cache by DTSTAMP see edits.
      stamp: new Date(c.updated_at),
      start: new Date(c.window.start),
      end: new Date(c.window.end),
      summary: `[${c.id}] ${c.title} (${c.status})`,
      description: describe(c),
      status: EVENT_STATUS[c.status],
      categories: [{ name: c.type }],
    });
  }
  const stamp = input.now ?? new Date();
  for (const f of input.freezes) {
    cal.createEvent({
      // Policy names are free text and UIDs are written unescaped: keep them to URL-safe characters.
      id: `freeze-${encodeURIComponent(f.policy)}-${f.start.getTime()}@vigil`,
      stamp,
      start: f.start,
      end: f.end,
      summary: `Freeze: ${f.policy} (${f.action})`,
      // A freeze does not take anyone's time: it should not show people as busy.
      transparency: ICalEventTransparency.TRANSPARENT,
      categories: [{ name: 'freeze' }],
    });
  }
  return cal.toString();
}
