import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Change } from '../core/index.ts';
import { findConflicts } from './conflicts.ts';
import { makeChange as baseChange } from './testkit.ts';


const makeChange = (overrides: Partial<Change> = {}): Change => baseChange({ assets: [], ...overrides });

// Inventory: payments -> checkout-api -> edge-network; fw-edge-1 is part of edge-network, db-1 of payments.
const DEPENDS: Record<string, string[]> = { payments: ['checkout-api', 'edge-network'], 'checkout-api': ['edge-network'] };
const ASSET_SERVICES: Record<string, string[]> = { 'fw-edge-1': ['edge-network'], 'db-1': ['payments'] };
const dependsOn = (s: string) => DEPENDS[s] ?? [];
const assetServices = (a: string) => ASSET_SERVICES[a] ?? [];
const find = (change: Change, others: Change[]) => findConflicts(change, others, dependsOn, assetServices);

describe('findConflicts', () => {
  it('flags a shared asset with the overlap of the windows', () => {
    const mine = makeChange({ assets: ['fw-edge-1'] });
    const other = makeChange({ id: 'CHG-2', assets: ['fw-edge-1'], window: { start: '2026-03-03T15:30:00+01:00', end: '2026-03-03T17:00:00+01:00' } });
    assert.deepEqual(find(mine, [other]), [
      {
        change_id: 'CHG-2',
        on: 'fw-edge-1',
        reason: 'both change fw-edge-1 (and 1 more)', // edge-network, the asset's service, is shared too
        overlap: { start: '2026-03-03T14:30:00.000Z', end: '2026-03-03T15:00:00.000Z' },
      },
    ]);
  });

  it('flags a shared service, counting assets\' services', () => {
    const mine = makeChange({ assets: ['db-1'] });
    const other = makeChange({ id: 'CHG-2', type: 'deploy', services: ['payments'] });
    const [c] = find(mine, [other]);
    assert.equal(c.on, 'payments');
    assert.equal(c.reason, 'both affect service payments');
  });

  it('flags a dependency in either direction, transitive ones included', () => {
    const network = makeChange({ assets: ['fw-edge-1'] });
    const payments = makeChange({ id: 'CHG-2', services: ['payments'] });
    const fromNetwork = find(network, [payments]);
    assert.equal(fromNetwork.length, 1);
    assert.equal(fromNetwork[0].on, 'edge-network');
    assert.equal(fromNetwork[0].reason, 'payments depends on edge-network');
    const fromPayments = find({ ...payments, id: 'CHG-1' }, [{ ...network, id: 'CHG-2' }]);
    assert.equal(fromPayments[0].reason, 'payments depends on edge-network');
    assert.equal(fromPayments[0].on, 'edge-network');
  });

  it('does not flag unrelated changes', () => {
    const mine = makeChange({ assets: ['fw-edge-1'] });
    assert.deepEqual(find(mine, [makeChange({ id: 'CHG-2', assets: ['printer-3'], services: ['print'] })]), []);
  });

  it('treats windows as half-open: touching windows do not overlap, even written with different offsets', () => {
    const mine = makeChange({ assets: ['fw-edge-1'] });
    const before = makeChange({ id: 'CHG-2', assets: ['fw-edge-1'], window: { start: '2026-03-03T13:00:00Z', end: '2026-03-03T15:00:00+01:00' } });
    const after = makeChange({ id: 'CHG-3', assets: ['fw-edge-1'], window: { start: '2026-03-03T10:00:00-05:00', end: '2026-03-03T11:00:00-05:00' } });
    assert.deepEqual(find(mine, [before, after]), []);
    // One millisecond of overlap is a conflict.
    const overlapping = makeChange({ id: 'CHG-4', assets: ['fw-edge-1'], window: { start: '2026-03-03T14:59:59.999Z', end: '2026-03-03T16:00:00Z' } });
    assert.deepEqual(find(mine, [overlapping])[0].overlap, { start: '2026-03-03T14:59:59.999Z', end: '2026-03-03T15:00:00.000Z' });
  });

  it('ignores changes that no longer hold their window, and itself', () => {
    const mine = makeChange({ assets: ['fw-edge-1'] });
    const others = (['cancelled', 'completed', 'failed', 'rolled_back'] as const).map((status, i) => makeChange({ id: `CHG-${i + 2}`, assets: ['fw-edge-1'], status }));
    assert.deepEqual(find(mine, [...others, mine]), []);
    // Still-planned states do conflict.
    const live = (['draft', 'requested', 'approved', 'in_progress'] as const).map((status, i) => makeChange({ id: `CHG-${i + 10}`, assets: ['fw-edge-1'], status }));
    assert.deepEqual(find(mine, live).map((c) => c.change_id), ['CHG-10', 'CHG-11', 'CHG-12', 'CHG-13']);
    // An ended change conflicts with nothing.
    assert.deepEqual(find({ ...mine, status: 'cancelled' }, live), []);
  });
});
