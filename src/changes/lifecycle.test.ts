import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CHANGE_STATUSES, type Change, type ChangeStatus, VigilError } from '../core/index.ts';
import { CHANGE_T0, makeChange as baseChange } from './testkit.ts';
import { CHANGE_TRANSITIONS, approve, cancel, canTransition, complete, fail, request, rollback, start, type ChangeLifecycleResult } from './lifecycle.ts';

const T0 = CHANGE_T0;
const NOW = new Date('2026-03-03T14:00:00.000Z');
const LATER = new Date('2026-03-03T14:30:00.000Z');

const makeChange = (overrides: Partial<Change> = {}): Change => baseChange({ id: 'CHG-3', title: 'Open 443 on the edge firewall', ...overrides });

type Step = (c: Change, actor: string, now: Date) => ChangeLifecycleResult;
const approveStep: Step = (c, _actor, now) => approve(c, 'bob', now);

/** The action that moves a change into each state. */
const ACTIONS: Record<Exclude<ChangeStatus, 'draft'>, { verb: string; step: Step }> = {
  requested: { verb: 'request', step: request },
  approved: { verb: 'approve', step: approveStep },
  in_progress: { verb: 'start', step: start },
  completed: { verb: 'complete', step: complete },
  failed: { verb: 'fail', step: fail },
  rolled_back: { verb: 'roll back', step: rollback },
  cancelled: { verb: 'cancel', step: cancel },
};

const ALLOWED: Array<[ChangeStatus, ChangeStatus]> = [
  ['draft', 'requested'],
  ['draft', 'cancelled'],
  ['requested', 'approved'],
  ['requested', 'cancelled'],
  ['approved', 'in_progress'],
  ['approved', 'cancelled'],
  ['in_progress', 'completed'],
  ['in_progress', 'failed'],
  ['in_progress', 'rolled_back'],
  ['failed', 'rolled_back'],
];

const KIND: Record<Exclude<ChangeStatus, 'draft'>, string> = {
  requested: 'requested',
  approved: 'approved',
  in_progress: 'started',
  completed: 'completed',
  failed: 'failed',
  rolled_back: 'rolled_back',
  cancelled: 'cancelled',
};

function assertRefused(fn: () => unknown, code: string, field: string, message?: RegExp | string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof VigilError, String(e));
    assert.equal(e.code, code, e.message);
    assert.equal(e.status, 409);
    assert.equal(e.field, field);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return true;
  });
}

describe('CHANGE_TRANSITIONS', () => {
  it('lists exactly the allowed moves', () => {
    const listed = CHANGE_STATUSES.flatMap((from) => CHANGE_TRANSITIONS[from].map((to) => [from, to]));
    assert.deepEqual(new Set(listed.map((p) => p.join('>'))), new Set(ALLOWED.map((p) => p.join('>'))));
    assert.equal(canTransition('failed', 'rolled_back'), true);
    assert.equal(canTransition('completed', 'rolled_back'), false);
  });
});

describe('change lifecycle', () => {
  for (const [from, to] of ALLOWED) {
    it(`${from} -> ${to}`, () => {
      const before = makeChange({ status: from, started_at: from === 'in_progress' || from === 'failed' ? T0 : null, ended_at: from === 'failed' ? T0 : null });
      const { change, timeline } = ACTIONS[to as Exclude<ChangeStatus, 'draft'>].step(before, 'dave', NOW);
      assert.equal(change.status, to);
      assert.equal(change.updated_at, NOW.toISOString());
      assert.equal(before.status, from, 'the input is not modified');
      assert.equal(timeline.at(-1)!.kind, KIND[to as Exclude<ChangeStatus, 'draft'>]);
      assert.equal(timeline.at(-1)!.change_id, 'CHG-3');
      assert.equal(timeline.at(-1)!.at, NOW.toISOString());
      if (to === 'in_progress') assert.equal(change.started_at, NOW.toISOString());
      if (to === 'completed' || to === 'failed' || to === 'rolled_back') assert.equal(change.ended_at, NOW.toISOString());
      else assert.equal(change.ended_at, before.ended_at);
    });
  }

  it('says who moved it and why', () => {
    const { timeline } = cancel(makeChange({ status: 'approved' }), 'dave', NOW, 'vendor postponed');
    assert.equal(timeline.length, 1);
    assert.equal(timeline[0].actor, 'dave');
    assert.equal(timeline[0].text, 'cancelled by dave (was approved): vendor postponed');
    assert.deepEqual(timeline[0].data, { from: 'approved', to: 'cancelled', note: 'vendor postponed' });
  });

  it('runs a whole change: request, approve, start, fail, roll back', () => {
    let c = makeChange({ status: 'draft' });
    c = request(c, 'carol', NOW).change;
    c = approve(c, 'bob', NOW).change;
    c = start(c, 'alice', NOW).change;
    c = fail(c, 'alice', NOW).change;
    c = rollback(c, 'alice', LATER).change;
    assert.equal(c.status, 'rolled_back');
    assert.equal(c.started_at, NOW.toISOString());
    assert.equal(c.ended_at, LATER.toISOString());
  });

  it('refuses forbidden moves with 409 naming the allowed states', () => {
    assertRefused(() => start(makeChange({ status: 'requested' }), 'alice', NOW), 'invalid_transition', 'status', 'cannot start CHG-3: it is requested; allowed from: approved');
    assertRefused(() => rollback(makeChange({ status: 'completed' }), 'alice', NOW), 'invalid_transition', 'status', 'cannot roll back CHG-3: it is completed; allowed from: in_progress, failed');
    assertRefused(() => cancel(makeChange({ status: 'in_progress' }), 'alice', NOW), 'invalid_transition', 'status', /allowed from: draft, requested, approved$/);
    assertRefused(() => request(makeChange({ status: 'requested' }), 'carol', NOW), 'invalid_transition', 'status', /it is requested; allowed from: draft$/);
    assertRefused(() => complete(makeChange({ status: 'approved' }), 'alice', NOW), 'invalid_transition', 'status', /allowed from: in_progress$/);
    assertRefused(() => fail(makeChange({ status: 'cancelled' }), 'alice', NOW), 'invalid_transition', 'status');
    assertRefused(() => start(makeChange({ status: 'in_progress' }), 'alice', NOW), 'invalid_transition', 'status');
    assertRefused(() => approve(makeChange({ status: 'draft' }), 'bob', NOW), 'invalid_transition', 'status', 'cannot approve CHG-3: it is draft; allowed from: requested');
    assertRefused(() => approve(makeChange({ status: 'approved' }), 'erin', NOW), 'invalid_transition', 'status');
  });

  it('refuses every move out of a final state', () => {
    for (const status of ['completed', 'rolled_back', 'cancelled'] as const) {
      for (const { step } of Object.values(ACTIONS)) assertRefused(() => step(makeChange({ status }), 'dave', NOW), 'invalid_transition', 'status');
    }
  });
});

describe('approvals', () => {
  it('records the approval with its comment', () => {
    const { change, timeline } = approve(makeChange(), 'bob', NOW, 'looks fine');
    assert.deepEqual(change.approvals, [{ by: 'bob', at: NOW.toISOString(), comment: 'looks fine' }]);
    assert.equal(change.status, 'approved');
    assert.deepEqual(
      timeline.map((e) => e.kind),
      ['approval', 'approved'],
    );
    assert.equal(timeline[0].actor, 'bob');
  });

  it('needs approvals_required distinct people', () => {
    const first = approve(makeChange({ approvals_required: 2 }), 'bob', NOW);
    assert.equal(first.change.status, 'requested');
    assert.deepEqual(first.timeline.map((e) => e.kind), ['approval']);
    assert.match(first.timeline[0].text, /1 of 2/);

    assertRefused(() => approve(first.change, 'bob', LATER), 'duplicate_approval', 'approver');

    const second = approve(first.change, 'erin', LATER);
    assert.equal(second.change.status, 'approved');
    assert.deepEqual(second.change.approvals.map((a) => a.by), ['bob', 'erin']);
    assert.deepEqual(second.timeline.map((e) => e.kind), ['approval', 'approved']);
  });

  it('refuses the implementer approving their own change', () => {
    assertRefused(() => approve(makeChange(), 'alice', NOW), 'self_approval', 'approver');
    // With no implementer named, anyone may approve.
    assert.equal(approve(makeChange({ implementer: null }), 'alice', NOW).change.status, 'approved');
  });
});
