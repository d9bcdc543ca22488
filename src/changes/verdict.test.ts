import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Asset, Change, ObservedChange, Service } from '../core/index.ts';
import { InventoryIndex } from '../triage/index.ts';
import { makeChange } from './testkit.ts';
import { ChangeIndex } from './verdict.ts';

const NOW = '2026-01-01T00:00:00Z';
const svc = (name: string, depends_on: string[] = []): Service => ({ name, tier: 1, depends_on, aliases: [], created_at: NOW, updated_at: NOW });
const asset = (name: string, services: string[]): Asset => ({ name, kind: 'server', criticality: 3, tags: [], services, aliases: [], created_at: NOW, updated_at: NOW });
const inventory = new InventoryIndex(
  [asset('fw-edge-1', ['edge-network']), asset('fw-edge-2', ['edge-network']), asset('pay-app-1', ['payments']), asset('web-1', ['webshop'])],
  [svc('edge-network'), svc('payments', ['edge-network']), svc('webshop', ['payments'])],
);

const change = (id: string, overrides: Partial<Change> = {}): Change =>
  makeChange({ id, title: `Change ${id}`, window: { start: '2026-03-03T02:00:00Z', end: '2026-03-03T03:00:00Z' }, requester: 'bob', status: 'approved', created_by: 'bob', created_at: NOW, updated_at: NOW, ...overrides });

const on = (host: string) => ({ entities: { hosts: [host], users: [], ips: [], services: [] } });
const at = (iso: string) => Date.parse(iso);
const index = () => new ChangeIndex(() => inventory, { marginMs: 30 * 60_000, lookbackMs: 4 * 3_600_000 });

test('an approved change explains alerts on its asset and on services depending on it, within the window and margin', () => {
  const changes = index();
  changes.upsert(change('CHG-1'));
  const direct = changes.verdict(on('fw-edge-1'), at('2026-03-03T02:30:00Z'));
  assert.equal(direct.verdict, 'expected-change');
  assert.equal(direct.related[0]!.id, 'CHG-1');
  assert.equal(direct.related[0]!.score, 1);
  const dependant = changes.verdict(on('pay-app-1'), at('2026-03-03T02:30:00Z'));
  assert.equal(dependant.verdict, 'expected-change');
  assert.match(dependant.related[0]!.reason, /on edge-network, which it depends on/);
  assert.ok(dependant.related[0]!.score < 1, 'further in the topology scores lower');
  // Two steps of dependency still count (webshop → payments → edge-network), three would not.
  assert.equal(changes.verdict(on('web-1'), at('2026-03-03T02:30:00Z')).verdict, 'expected-change');
  // Within the margin after the window, but not beyond it.
  assert.match(changes.verdict(on('fw-edge-1'), at('2026-03-03T03:20:00Z')).related[0]!.reason, /20 min after it/);
  assert.equal(changes.verdict(on('fw-edge-1'), at('2026-03-03T03:31:00Z')).verdict, 'no-change');
});

test('a change on one asset does not explain alerts on its siblings in the same service', () => {
  const changes = index();
  changes.upsert(change('CHG-1'));
  assert.equal(changes.verdict(on('fw-edge-2'), at('2026-03-03T02:30:00Z')).verdict, 'no-change');
  // A change on the service itself does.
  changes.upsert(change('CHG-2', { assets: [], services: ['edge-network'] }));
  assert.equal(changes.verdict(on('fw-edge-2'), at('2026-03-03T02:30:00Z')).related[0]!.id, 'CHG-2');
});

test('only approved or performed changes explain; cancelling removes one', () => {
  const changes = index();
  changes.upsert(change('CHG-1', { status: 'requested' }));
  assert.equal(changes.verdict(on('fw-edge-1'), at('2026-03-03T02:30:00Z')).verdict, 'no-change');
  changes.upsert(change('CHG-1', { status: 'approved' }));
  assert.equal(changes.verdict(on('fw-edge-1'), at('2026-03-03T02:30:00Z')).verdict, 'expected-change');
  changes.upsert(change('CHG-1', { status: 'cancelled' }));
  assert.equal(changes.verdict(on('fw-edge-1'), at('2026-03-03T02:30:00Z')).verdict, 'no-change');
});

function observed(overrides: Partial<ObservedChange>): ObservedChange {
  return { id: 'o1', source: 'api', type: 'firewall', asset: 'fw-edge-1', service: null, actor: 'admin', timestamp: '2026-03-05T02:13:00Z', summary: 'acl changed', matched_change: null, violations: [], evidence: {}, received_at: NOW, ...overrides };
}

test('an unrecorded change is the suspect for alerts after it, on its asset and dependants, for the lookback', () => {
  const changes = index();
  changes.observe(observed({}));
  const after = changes.verdict(on('pay-app-1'), at('2026-03-05T02:20:00Z'));
  assert.equal(after.verdict, 'unauthorised-change');
  assert.equal(after.related[0]!.id, null);
  assert.equal(after.related[0]!.reason, 'unrecorded firewall change on fw-edge-1 at 2026-03-05 02:13 UTC by admin: acl changed');
  assert.equal(changes.verdict(on('pay-app-1'), at('2026-03-05T02:00:00Z')).verdict, 'no-change', 'not before it happened');
  assert.equal(changes.verdict(on('pay-app-1'), at('2026-03-05T07:00:00Z')).verdict, 'no-change', 'not after the lookback');
  // The same evidence twice is one observed change.
  changes.observe(observed({}));
  assert.equal(changes.verdict(on('fw-edge-1'), at('2026-03-05T02:20:00Z')).related.length, 1);
});

test('matching: an observed change belongs to the record covering it; done outside the window it is a window violation', () => {
  const changes = index();
  changes.upsert(change('CHG-1'));
  assert.deepEqual(changes.match(observed({ timestamp: '2026-03-03T02:13:00Z' })), { change: changes.match(observed({ timestamp: '2026-03-03T02:13:00Z' }))!.change, inWindow: true });
  const late = changes.match(observed({ timestamp: '2026-03-03T09:00:00Z' }))!;
  assert.equal(late.change.id, 'CHG-1');
  assert.equal(late.inWindow, false);
  assert.equal(changes.match(observed({ timestamp: '2026-03-06T09:00:00Z' })), null, 'days away it is not this change');
  changes.observe(observed({ id: 'o2', timestamp: '2026-03-03T09:00:00Z', matched_change: 'CHG-1', outside_window: true }));
  const verdict = changes.verdict(on('fw-edge-1'), at('2026-03-03T09:05:00Z'));
  assert.equal(verdict.verdict, 'window-violation');
  assert.match(verdict.related[0]!.reason, /CHG-1 carried out outside its window/);
});

test('a change reads the same for every alert inside its window, and each place at its own distance', () => {
  const changes = index();
  changes.upsert(change('CHG-1', { assets: [], services: ['payments'] }));
  // Seconds outside the window read as inside it; a minute and more is said.
  const justAfter = changes.verdict(on('pay-app-1'), at('2026-03-03T03:00:20Z'));
  assert.doesNotMatch(justAfter.related[0]!.reason, /min (before|after)/);
  const inside = changes.verdict(on('pay-app-1'), at('2026-03-03T02:30:00Z'));
  assert.equal(inside.related[0]!.reason, 'CHG-1 (firewall, approved) on its service payments, window 2026-03-03 02:00–2026-03-03 03:00 UTC');
  assert.equal(changes.verdict(on('pay-app-1'), at('2026-03-03T02:40:00Z')), inside, 'one shared verdict inside the window');
  assert.match(changes.verdict(on('pay-app-1'), at('2026-03-03T03:02:00Z')).related[0]!.reason, /, 2 min after it$/);
  // The same change seen from a dependant service is further away: its own wording and score.
  const dependant = changes.verdict(on('web-1'), at('2026-03-03T02:30:00Z'));
  assert.match(dependant.related[0]!.reason, /on payments, which it depends on/);
  assert.ok(dependant.related[0]!.score < inside.related[0]!.score);
  assert.equal(changes.verdict(on('pay-app-1'), at('2026-03-03T02:31:00Z')).related[0]!.score, inside.related[0]!.score);
});
