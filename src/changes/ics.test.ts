import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import ICAL from 'ical.js';
import { changesCalendar } from './ics.ts';
import { CHANGE_T0, makeChange } from './testkit.ts';

const T0 = CHANGE_T0;

// RFC 5545 3.8.8.2: non-standard properties are TEXT by default; ical.js leaves unknown ones raw unless told.
ICAL.design.icalendar.property['x-wr-calname'] = { defaultType: 'text' };

/** Parses with ical.js (a real RFC 5545 parser), not our own code. */
function parse(text: string) {
  const cal = new ICAL.Component(ICAL.parse(text));
  const events = cal.getAllSubcomponents('vevent').map((v) => ({ component: v, event: new ICAL.Event(v) }));
  return { cal, events };
}

const TRICKY = 'Rules: allow 443, deny 80; then\nreload\\restart — “quoted”';

describe('changesCalendar', () => {
  const changes = [
    makeChange({
      id: 'CHG-1',
      title: TRICKY,
      description: 'line one\nline two; with, punctuation',
      status: 'approved',
      risk: 'high',
      services: ['payments', 'edge-network'],
      // Given with an offset: DTSTART must be the same instant in UTC.
      window: { start: '2026-03-03T15:00:00+01:00', end: '2026-03-03T16:30:00+01:00' },
      approvals: [{ by: 'bob', at: T0 }],
      conflicts: [{ change_id: 'CHG-2', on: 'fw-edge-1', reason: 'both change fw-edge-1', overlap: { start: '2026-03-03T14:00:00.000Z', end: '2026-03-03T15:00:00.000Z' } }],
      warnings: [{ policy: 'weekday-hours', action: 'warn', overlap: [], message: 'outside business hours' }],
    }),
    makeChange({ id: 'CHG-2', status: 'draft', type: 'deploy', implementer: null }),
    makeChange({ id: 'CHG-3', status: 'cancelled' }),
    makeChange({ id: 'CHG-4', status: 'in_progress' }),
    makeChange({ id: 'CHG-5', status: 'rolled_back' }),
  ];
  const freezes = [{ policy: 'Year end; finance, ops', start: new Date('2026-03-04T00:00:00Z'), end: new Date('2026-03-05T00:00:00Z'), action: 'block' }];
  const text = changesCalendar({ changes, freezes, name: 'Vigil changes, prod; EU', url: 'https://vigil.example/api/v1/changes/calendar.ics', now: new Date(T0) });
  const { cal, events } = parse(text);
  const byUid = new Map(events.map((e) => [e.event.uid, e]));

  it('is RFC 5545 text with CRLF line ends and the calendar name', () => {
    assert.match(text, /^BEGIN:VCALENDAR\r\nVERSION:2.0\r\n/);
    assert.ok(text.split('\r\n').every((line) => !line.includes('\n')), 'only CRLF line breaks');
    assert.match(text, /\r\nX-WR-CALNAME:Vigil changes\\, prod\\; EU\r\n/);
    assert.equal(cal.getFirstPropertyValue('x-wr-calname'), 'Vigil changes, prod; EU');
    assert.equal(cal.getFirstPropertyValue('url'), 'https://vigil.example/api/v1/changes/calendar.ics');
  });

  it('has one event per change and per freeze, with stable UIDs', () => {
    assert.equal(events.length, 6);
    assert.deepEqual([...byUid.keys()].slice(0, 5), ['CHG-1@vigil', 'CHG-2@vigil', 'CHG-3@vigil', 'CHG-4@vigil', 'CHG-5@vigil']);
    // The same input gives the same text (feeds are diffed and cached by clients).
    assert.equal(changesCalendar({ changes, freezes, name: 'Vigil changes, prod; EU', url: 'https://vigil.example/api/v1/changes/calendar.ics', now: new Date(T0) }), text);
  });

  it('round-trips summaries with commas, semicolons, backslashes and newlines', () => {
    const { event } = byUid.get('CHG-1@vigil')!;
    assert.equal(event.summary, `[CHG-1] ${TRICKY} (approved)`);
    assert.equal(byUid.get('CHG-2@vigil')!.event.summary, '[CHG-2] Edge firewall rule (draft)');
  });

  it('gives start and end as UTC instants', () => {
    const { event, component } = byUid.get('CHG-1@vigil')!;
    assert.equal(event.startDate.toJSDate().toISOString(), '2026-03-03T14:00:00.000Z');
    assert.equal(event.endDate.toJSDate().toISOString(), '2026-03-03T15:30:00.000Z');
    assert.equal(event.startDate.zone?.tzid, 'UTC');
    assert.equal(component.getFirstProperty('dtstart')!.getParameter('tzid'), undefined);
    assert.match(text, /DTSTART:20260303T140000Z\r\n/);
  });

  it('maps change states to event statuses', () => {
    const status = (uid: string) => byUid.get(uid)!.component.getFirstPropertyValue('status');
    assert.equal(status('CHG-1@vigil'), 'CONFIRMED');
    assert.equal(status('CHG-2@vigil'), 'TENTATIVE');
    assert.equal(status('CHG-3@vigil'), 'CANCELLED');
    assert.equal(status('CHG-4@vigil'), 'CONFIRMED');
    assert.equal(status('CHG-5@vigil'), 'CONFIRMED');
  });

  it('describes the change, and categorises it by type', () => {
    const { event, component } = byUid.get('CHG-1@vigil')!;
    const description = event.description;
    for (const line of [
      'Type: firewall',
      'Risk: high',
      'Assets: fw-edge-1',
      'Services: payments, edge-network',
      'Implementer: alice',
      'Approvals: 1 of 1 (bob)',
      '- CHG-2 on fw-edge-1: both change fw-edge-1',
      '- weekday-hours (warn): outside business hours',
    ]) {
      assert.ok(description.split('\n').includes(line), `missing ${JSON.stringify(line)} in ${JSON.stringify(description)}`);
    }
    assert.ok(description.endsWith('\nline one\nline two; with, punctuation'), description);
    assert.deepEqual(component.getFirstProperty('categories')!.getValues(), ['firewall']);
    assert.deepEqual(byUid.get('CHG-2@vigil')!.component.getFirstProperty('categories')!.getValues(), ['deploy']);
    assert.match(byUid.get('CHG-2@vigil')!.event.description, /^Implementer: unassigned$/m);
  });

  it('adds freezes as transparent events', () => {
    const freeze = events.find((e) => e.event.summary.startsWith('Freeze'))!;
    assert.equal(freeze.event.summary, 'Freeze: Year end; finance, ops (block)');
    assert.equal(freeze.component.getFirstPropertyValue('transp'), 'TRANSPARENT');
    assert.equal(freeze.event.startDate.toJSDate().toISOString(), '2026-03-04T00:00:00.000Z');
    assert.equal(freeze.event.endDate.toJSDate().toISOString(), '2026-03-05T00:00:00.000Z');
    assert.match(freeze.event.uid, /^freeze-[A-Za-z0-9%._~!*'()-]+-\d+@vigil$/);
  });

  it('cannot be broken by a line break in the name or URL', () => {
    const hostile = changesCalendar({ changes: [], freezes: [], name: 'x\r\nBEGIN:VEVENT\r\nUID:evil', url: 'https://vigil.example/a\nb', now: new Date(T0) });
    const parsed = parse(hostile);
    assert.equal(parsed.events.length, 0);
    assert.equal(parsed.cal.getFirstPropertyValue('x-wr-calname'), 'x\nBEGIN:VEVENT\nUID:evil');
  });
});
