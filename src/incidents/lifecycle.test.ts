import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { INCIDENT_STATUSES, type Incident, type IncidentStatus, VigilError } from '../core/index.ts';
import { makeIncident as baseIncident } from './testkit.ts';
import { TRANSITIONS, assign, canTransition, isOpen, setSeverity, transition } from './lifecycle.ts';

const T0 = '2024-03-04T10:00:00.000Z';
const NOW = new Date('2024-03-04T10:05:00.000Z');
const LATER = new Date('2024-03-04T11:00:00.000Z');

const makeIncident = (overrides: Partial<Incident> = {}) => baseIncident({ detected_at: T0, ...overrides });

const ALLOWED: Array<[IncidentStatus, IncidentStatus]> = [
  ['new', 'acknowledged'],
  ['new', 'investigating'],
  ['new', 'contained'],
  ['new', 'resolved'],
  ['new', 'false_positive'],
  ['acknowledged', 'investigating'],
  ['acknowledged', 'contained'],
  ['acknowledged', 'resolved'],
  ['acknowledged', 'false_positive'],
  ['investigating', 'contained'],
  ['investigating', 'resolved'],
  ['investigating', 'false_positive'],
  ['contained', 'investigating'],
  ['contained', 'resolved'],
  ['resolved', 'closed'],
  ['resolved', 'investigating'],
  ['false_positive', 'closed'],
  ['false_positive', 'investigating'],
];

const isAllowed = (from: IncidentStatus, to: IncidentStatus) => ALLOWED.some(([f, t]) => f === from && t === to);

describe('transition table', () => {
  it('is exactly the documented list', () => {
    const fromTable = INCIDENT_STATUSES.flatMap((from) => TRANSITIONS[from].map((to) => `${from}>${to}`)).sort();
    assert.deepEqual(fromTable, ALLOWED.map(([f, t]) => `${f}>${t}`).sort());
    assert.deepEqual(TRANSITIONS.closed, []);
  });

  for (const [from, to] of ALLOWED) {
    it(`allows ${from} → ${to}`, () => {
      const before = makeIncident({ status: from });
      const { incident, timeline } = transition(before, to, 'alice', NOW);
      assert.equal(incident.status, to);
      assert.equal(incident.updated_at, NOW.toISOString());
      assert.equal(timeline.length, 1);
      assert.equal(timeline[0].kind, 'state_changed');
      assert.equal(timeline[0].actor, 'alice');
      assert.equal(timeline[0].incident_id, 'INC-1');
      assert.equal(timeline[0].at, NOW.toISOString());
      assert.deepEqual(timeline[0].data, { from, to });
      assert.equal(before.status, from, 'input is not mutated');
    });
  }

  it('forbids every other pair with a 409 naming the status field', () => {
    let checked = 0;
    for (const from of INCIDENT_STATUSES) {
      for (const to of INCIDENT_STATUSES) {
        if (from === to || isAllowed(from, to)) continue;
        assert.equal(canTransition(from, to), false);
        assert.throws(
          () => transition(makeIncident({ status: from }), to, 'alice', NOW),
          (err: unknown) => err instanceof VigilError && err.code === 'invalid_transition' && err.status === 409 && err.field === 'status',
          `${from} → ${to}`,
        );
        checked++;
      }
    }
    assert.equal(checked, 7 * 6 - ALLOWED.length);
  });

  it('says where the incident could go instead', () => {
    assert.throws(() => transition(makeIncident({ status: 'closed' }), 'acknowledged', 'alice', NOW), {
      message: "cannot go from 'closed' to 'acknowledged'; allowed: none",
    });
    assert.throws(() => transition(makeIncident({ status: 'contained' }), 'acknowledged', 'alice', NOW), {
      message: "cannot go from 'contained' to 'acknowledged'; allowed: 'investigating', 'resolved'",
    });
    assert.throws(() => transition(makeIncident({ status: 'investigating' }), 'new', 'alice', NOW), { code: 'invalid_transition' });
    assert.throws(() => transition(makeIncident({ status: 'new' }), 'closed', 'alice', NOW), { code: 'invalid_transition' });
  });
});

describe('transition timestamps and timeline', () => {
  it('acknowledging sets acknowledged_at and says who and from where', () => {
    const { incident, timeline } = transition(makeIncident(), 'acknowledged', 'alice', NOW);
    assert.equal(incident.acknowledged_at, NOW.toISOString());
    assert.equal(incident.contained_at, null);
    assert.equal(incident.resolved_at, null);
    assert.equal(timeline[0].text, 'acknowledged by alice (was new)');
  });

  it('any move out of new counts as the ack', () => {
    for (const to of TRANSITIONS.new) {
      assert.equal(transition(makeIncident(), to, 'alice', NOW).incident.acknowledged_at, NOW.toISOString(), to);
    }
  });

  it('keeps the first ack time on later moves', () => {
    const acked = transition(makeIncident(), 'acknowledged', 'alice', NOW).incident;
    const investigating = transition(acked, 'investigating', 'bob', LATER).incident;
    assert.equal(investigating.acknowledged_at, NOW.toISOString());
    assert.equal(investigating.updated_at, LATER.toISOString());
  });

  it('sets contained_at, resolved_at and closed_at on entering those states', () => {
    const contained = transition(makeIncident({ status: 'investigating', acknowledged_at: T0 }), 'contained', 'alice', NOW).incident;
    assert.equal(contained.contained_at, NOW.toISOString());
    assert.equal(contained.acknowledged_at, T0);
    const resolved = transition(contained, 'resolved', 'alice', LATER).incident;
    assert.equal(resolved.resolved_at, LATER.toISOString());
    assert.equal(resolved.contained_at, NOW.toISOString());
    const closeTime = new Date('2024-03-05T00:00:00.000Z');
    const closed = transition(resolved, 'closed', 'carol', closeTime).incident;
    assert.equal(closed.closed_at, closeTime.toISOString());
    assert.equal(closed.resolved_at, LATER.toISOString());
  });

  it('a false positive counts as resolved', () => {
    const { incident, timeline } = transition(makeIncident({ status: 'investigating', acknowledged_at: T0 }), 'false_positive', 'alice', NOW, 'test scanner');
    assert.equal(incident.resolved_at, NOW.toISOString());
    assert.equal(timeline[0].text, 'marked false positive by alice (was investigating): test scanner');
    assert.deepEqual(timeline[0].data, { from: 'investigating', to: 'false_positive', reason: 'test scanner' });
  });

  it('re-entering contained after a failed containment records the new time', () => {
    const failed = transition(makeIncident({ status: 'contained', acknowledged_at: T0, contained_at: T0 }), 'investigating', 'alice', NOW, 'beacon again').incident;
    assert.equal(failed.contained_at, T0);
    assert.equal(transition(failed, 'contained', 'alice', LATER).incident.contained_at, LATER.toISOString());
  });

  it('reopening clears resolved_at and closed_at and keeps the ack', () => {
    for (const from of ['resolved', 'false_positive'] as const) {
      const done = makeIncident({ status: from, acknowledged_at: T0, resolved_at: NOW.toISOString() });
      const { incident, timeline } = transition(done, 'investigating', 'bob', LATER, 'new beacon');
      assert.equal(incident.status, 'investigating');
      assert.equal(incident.resolved_at, null);
      assert.equal(incident.closed_at, null);
      assert.equal(incident.acknowledged_at, T0);
      assert.equal(timeline[0].text, `reopened by bob (was ${from}): new beacon`);
    }
  });

  it('a same-state move is a no-op without timeline (a repeated ack)', () => {
    const acked = transition(makeIncident(), 'acknowledged', 'alice', NOW).incident;
    const again = transition(acked, 'acknowledged', 'bob', LATER);
    assert.deepEqual(again.timeline, []);
    assert.equal(again.incident, acked);
    assert.equal(again.incident.updated_at, NOW.toISOString());
    // Even closed → closed is harmless.
    assert.deepEqual(transition(makeIncident({ status: 'closed' }), 'closed', 'bob', LATER).timeline, []);
  });
});

describe('assign', () => {
  it('assigns without moving a new incident', () => {
    const { incident, timeline } = assign(makeIncident(), 'bob', 'alice', NOW);
    assert.equal(incident.assignee, 'bob');
    assert.equal(incident.status, 'new');
    assert.equal(incident.acknowledged_at, null);
    assert.equal(incident.updated_at, NOW.toISOString());
    assert.equal(timeline.length, 1);
    assert.equal(timeline[0].kind, 'assigned');
    assert.equal(timeline[0].text, 'assigned to bob by alice');
    assert.deepEqual(timeline[0].data, { from: null, to: 'bob' });
  });

  it('reassigns and unassigns; same assignee is a no-op', () => {
    const bob = makeIncident({ assignee: 'bob' });
    assert.equal(assign(bob, 'carol', 'alice', NOW).timeline[0].text, 'assigned to carol by alice (was bob)');
    const cleared = assign(bob, null, 'alice', NOW);
    assert.equal(cleared.incident.assignee, null);
    assert.equal(cleared.timeline[0].text, 'unassigned by alice (was bob)');
    assert.deepEqual(assign(bob, 'bob', 'alice', NOW).timeline, []);
  });

  it('rejects an empty name', () => {
    assert.throws(() => assign(makeIncident(), '  ', 'alice', NOW), { code: 'bad_request', field: 'assignee' });
  });
});

describe('setSeverity', () => {
  it('sets the severity and pins it to the analyst', () => {
    const { incident, timeline } = setSeverity(makeIncident(), 'critical', 'alice', NOW);
    assert.equal(incident.severity, 'critical');
    assert.equal(incident.severity_source, 'analyst');
    assert.equal(timeline[0].kind, 'severity_changed');
    assert.equal(timeline[0].text, 'severity set to critical by alice (was high)');
    assert.deepEqual(timeline[0].data, { from: 'high', to: 'critical' });
  });

  it('confirming the alerts’ level pins it; repeating it changes nothing', () => {
    const confirmed = setSeverity(makeIncident(), 'high', 'alice', NOW);
    assert.equal(confirmed.incident.severity_source, 'analyst');
    assert.equal(confirmed.timeline.length, 1);
    assert.deepEqual(setSeverity(confirmed.incident, 'high', 'bob', LATER).timeline, []);
  });

  it('rejects an unknown level', () => {
    assert.throws(() => setSeverity(makeIncident(), 'urgent' as never, 'alice', NOW), { code: 'bad_request', field: 'severity' });
  });
});

describe('isOpen', () => {
  it('is true for work in progress only', () => {
    assert.deepEqual(
      INCIDENT_STATUSES.filter((s) => isOpen(s)),
      ['new', 'acknowledged', 'investigating', 'contained'],
    );
  });
});
