import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Incident, Priority } from '../core/index.ts';
import { makeIncident as baseIncident } from './testkit.ts';
import { evaluateSla, repriceSla, slaFor, type SlaTargets } from './sla.ts';

const DETECTED = '2024-03-04T10:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(DETECTED) + minutes * 60_000);
const iso = (minutes: number) => at(minutes).toISOString();

const TARGETS: Record<Priority, { ack_minutes: number; resolve_minutes: number }> = {
  P1: { ack_minutes: 15, resolve_minutes: 240 },
  P2: { ack_minutes: 30, resolve_minutes: 480 },
  P3: { ack_minutes: 240, resolve_minutes: 2880 },
  P4: { ack_minutes: 1440, resolve_minutes: 10080 },
  P5: { ack_minutes: 4320, resolve_minutes: 43200 },
};

function makeIncident(overrides: Partial<Incident> = {}): Incident {
  const priority = overrides.priority ?? 'P1';
  return baseIncident({ detected_at: DETECTED, ...overrides }, { priority, score: 80, sla: slaFor(priority, TARGETS, DETECTED) });
}

describe('slaFor', () => {
  it('counts due times from detection', () => {
    assert.deepEqual(slaFor('P1', TARGETS, DETECTED), {
      ack_minutes: 15,
      resolve_minutes: 240,
      ack_due: '2024-03-04T10:15:00.000Z',
      resolve_due: '2024-03-04T14:00:00.000Z',
      breached: false,
      breaches: [],
    });
    assert.equal(slaFor('P4', TARGETS, DETECTED).resolve_due, '2024-03-11T10:00:00.000Z');
  });

  it('has no due time where no target is set', () => {
    const partial: SlaTargets = { P1: { ack_minutes: 15 } };
    assert.deepEqual(slaFor('P1', partial, DETECTED), {
      ack_minutes: 15,
      resolve_minutes: null,
      ack_due: '2024-03-04T10:15:00.000Z',
      resolve_due: null,
      breached: false,
      breaches: [],
    });
    assert.equal(slaFor('P3', partial, DETECTED).ack_due, null);
  });

  it('rejects an unreadable detection time', () => {
    assert.throws(() => slaFor('P1', TARGETS, 'yesterday'), RangeError);
  });
});

describe('evaluateSla', () => {
  it('nothing is due before the targets', () => {
    const { sla, newBreaches } = evaluateSla(makeIncident(), at(14));
    assert.deepEqual(newBreaches, []);
    assert.equal(sla.breached, false);
  });

  it('exactly at the due time is still on time', () => {
    assert.deepEqual(evaluateSla(makeIncident(), at(15)).newBreaches, []);
    assert.deepEqual(evaluateSla(makeIncident({ acknowledged_at: iso(15) }), at(60)).newBreaches, []);
  });

  it('an unacknowledged incident past ack_due breaches ack', () => {
    const { sla, newBreaches } = evaluateSla(makeIncident(), at(16));
    assert.deepEqual(newBreaches, ['ack']);
    assert.equal(sla.breached, true);
    assert.deepEqual(sla.breaches, ['ack']);
  });

  it('a late ack is a breach even when checked afterwards', () => {
    const late = makeIncident({ status: 'acknowledged', acknowledged_at: iso(20) });
    assert.deepEqual(evaluateSla(late, at(21)).newBreaches, ['ack']);
  });

  it('an ack in time is no breach, however late the check', () => {
    const onTime = makeIncident({ status: 'acknowledged', acknowledged_at: iso(10) });
    assert.deepEqual(evaluateSla(onTime, at(100)).newBreaches, []);
  });

  it('an unresolved incident past resolve_due breaches resolve; a late resolution too', () => {
    const acked = { status: 'investigating' as const, acknowledged_at: iso(5) };
    assert.deepEqual(evaluateSla(makeIncident(acked), at(241)).newBreaches, ['resolve']);
    assert.deepEqual(evaluateSla(makeIncident({ ...acked, status: 'resolved', resolved_at: iso(300) }), at(301)).newBreaches, ['resolve']);
    assert.deepEqual(evaluateSla(makeIncident({ ...acked, status: 'resolved', resolved_at: iso(200) }), at(1000)).newBreaches, []);
  });

  it('reports both at once when both are missed', () => {
    const { sla, newBreaches } = evaluateSla(makeIncident(), at(500));
    assert.deepEqual(newBreaches, ['ack', 'resolve']);
    assert.deepEqual(sla.breaches, ['ack', 'resolve']);
  });

  it('reports a breach once and keeps it after the late ack', () => {
    const first = evaluateSla(makeIncident(), at(16));
    assert.deepEqual(first.newBreaches, ['ack']);
    const recorded = makeIncident({ sla: first.sla });
    const again = evaluateSla(recorded, at(17));
    assert.deepEqual(again.newBreaches, []);
    assert.equal(again.sla, recorded.sla, 'unchanged state is returned as is');
    const ackedLate = evaluateSla({ ...recorded, status: 'acknowledged', acknowledged_at: iso(18) }, at(19));
    assert.deepEqual(ackedLate.newBreaches, []);
    assert.equal(ackedLate.sla.breached, true);
    assert.deepEqual(ackedLate.sla.breaches, ['ack']);
    // The resolve miss is still new later on, and reported alone.
    const resolveMiss = evaluateSla({ ...recorded, status: 'acknowledged', acknowledged_at: iso(18) }, at(241));
    assert.deepEqual(resolveMiss.newBreaches, ['resolve']);
    assert.deepEqual(resolveMiss.sla.breaches, ['ack', 'resolve']);
  });

  it('does not mutate the incident', () => {
    const incident = makeIncident();
    evaluateSla(incident, at(500));
    assert.deepEqual(incident.sla.breaches, []);
    assert.equal(incident.sla.breached, false);
  });

  it('never breaches without targets', () => {
    const incident = makeIncident({ sla: slaFor('P1', {}, DETECTED) });
    assert.deepEqual(evaluateSla(incident, at(1_000_000)).newBreaches, []);
  });
});

describe('repriceSla', () => {
  it('recomputes due times from detection for the new priority', () => {
    const incident = makeIncident({ priority: 'P3' });
    assert.equal(incident.sla.ack_due, iso(240));
    const sla = repriceSla({ ...incident, priority: 'P1' }, TARGETS);
    assert.equal(sla.ack_minutes, 15);
    assert.equal(sla.ack_due, iso(15));
    assert.equal(sla.resolve_due, iso(240));
    // A tighter target can already be missed; evaluateSla finds it.
    assert.deepEqual(evaluateSla({ ...incident, priority: 'P1', sla }, at(60)).newBreaches, ['ack']);
  });

  it('keeps breaches recorded under the old priority', () => {
    const breached = evaluateSla(makeIncident(), at(16)).sla;
    const sla = repriceSla(makeIncident({ priority: 'P5', sla: breached }), TARGETS);
    assert.equal(sla.ack_due, iso(4320));
    assert.equal(sla.breached, true);
    assert.deepEqual(sla.breaches, ['ack']);
    // And does not report it again.
    assert.deepEqual(evaluateSla(makeIncident({ priority: 'P5', sla }), at(5000)).newBreaches, []);
  });
});
