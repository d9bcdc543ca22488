import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VigilError } from '../core/index.ts';
import { Inhibitor } from './inhibit.ts';

const hostDown = {
  name: 'host-down',
  source_matchers: ['alertname="HostDown"'],
  target_matchers: ['severity=~"warning|info"'],
  equal: ['host', 'dc'],
};

test('a firing source mutes targets with equal labels', () => {
  const inh = new Inhibitor([hostDown]);
  inh.noteFiring('src', { alertname: 'HostDown', host: 'h1', dc: 'eu' }, 100);
  assert.deepEqual(inh.inhibitedBy({ alertname: 'DiskFull', severity: 'warning', host: 'h1', dc: 'eu' }, 150), { rule: 'host-down', sourceAlertId: 'src' });
  assert.equal(inh.inhibitedBy({ severity: 'warning', host: 'h2', dc: 'eu' }, 150), null, 'other host');
  assert.equal(inh.inhibitedBy({ severity: 'warning', host: 'h1' }, 150), null, 'dc missing on the target only');
  assert.equal(inh.inhibitedBy({ severity: 'critical', host: 'h1', dc: 'eu' }, 150), null, 'not a target');
  assert.equal(inh.inhibitedBy({ severity: 'warningx', host: 'h1', dc: 'eu' }, 150), null, 'target regex is anchored');
});

test('a label missing on both sides counts as equal', () => {
  const inh = new Inhibitor([hostDown]);
  inh.noteFiring('src', { alertname: 'HostDown', host: 'h1' }, 100);
  assert.equal(inh.inhibitedBy({ severity: 'info', host: 'h1' }, 150)?.sourceAlertId, 'src');
  assert.equal(inh.inhibitedBy({ severity: 'info', host: 'h1', dc: '' }, 150)?.sourceAlertId, 'src', 'empty equals missing');
  assert.equal(inh.inhibitedBy({ severity: 'info', host: 'h1', dc: 'us' }, 150), null);
});

test('a source counts from its firing until its resolve, on event time', () => {
  const inh = new Inhibitor([hostDown]);
  const target = { severity: 'warning', host: 'h1', dc: 'eu' };
  inh.noteFiring('src', { alertname: 'HostDown', host: 'h1', dc: 'eu' }, 100);
  assert.equal(inh.inhibitedBy(target, 99), null, 'before the source fired');
  assert.ok(inh.inhibitedBy(target, 100));
  inh.noteResolved('src', 200);
  assert.equal(inh.inhibitedBy(target, 200), null, 'resolved source stops inhibiting');
  assert.equal(inh.inhibitedBy(target, 300), null);
  assert.ok(inh.inhibitedBy(target, 199), 'a late target from while it fired is still muted');
  inh.noteFiring('src', { alertname: 'HostDown', host: 'h1', dc: 'eu' }, 400);
  assert.ok(inh.inhibitedBy(target, 450), 'fires again');
  inh.noteResolved('src', 350);
  assert.ok(inh.inhibitedBy(target, 450), 'a resolve older than the new firing is stale');
  inh.noteResolved('src', 500);
  assert.equal(inh.prune(500), 1);
  assert.equal(inh.size, 0);
  assert.equal(inh.inhibitedBy(target, 450), null);
});

test('an alert never inhibits itself, nor do two alerts matching both sides mute each other', () => {
  const inh = new Inhibitor([{ source_matchers: ['kind="outage"'], target_matchers: ['kind="outage"'], equal: [] }]);
  const labels = { kind: 'outage', svc: 'a' };
  inh.noteFiring('a', labels, 100);
  assert.equal(inh.inhibitedBy(labels, 150, 'a'), null);
  inh.noteFiring('b', { kind: 'outage', svc: 'b' }, 100);
  assert.equal(inh.inhibitedBy(labels, 150, 'a'), null, 'b matches both sides, so it cannot mute a (Alertmanager)');

  const broad = new Inhibitor([{ source_matchers: ['severity="critical"'], target_matchers: ['team="db"'] }]);
  broad.noteFiring('c', { severity: 'critical', team: 'db' }, 100);
  assert.equal(broad.inhibitedBy({ severity: 'critical', team: 'db' }, 150, 'c'), null, 'self');
  assert.deepEqual(broad.inhibitedBy({ severity: 'warning', team: 'db' }, 150, 'w'), { rule: 'inhibit_rules[0]', sourceAlertId: 'c' });
  // selfId matters when the alert's labels changed since it was noted: it is still itself.
  assert.equal(broad.inhibitedBy({ severity: 'warning', team: 'db' }, 150, 'c'), null);
});

test('label changes refile a source; forget drops it', () => {
  const inh = new Inhibitor([hostDown]);
  inh.noteFiring('src', { alertname: 'HostDown', host: 'h1', dc: 'eu' }, 100);
  inh.noteFiring('src', { alertname: 'HostDown', host: 'h2', dc: 'eu' }, 120);
  assert.equal(inh.inhibitedBy({ severity: 'info', host: 'h1', dc: 'eu' }, 150), null);
  assert.ok(inh.inhibitedBy({ severity: 'info', host: 'h2', dc: 'eu' }, 110), 'the episode keeps its start');
  inh.noteFiring('src', { alertname: 'Other', host: 'h2', dc: 'eu' }, 130);
  assert.equal(inh.size, 0, 'no longer a source of any rule');
  inh.noteFiring('x', { alertname: 'HostDown', host: 'h3', dc: 'eu' }, 100);
  inh.forget('x');
  assert.equal(inh.inhibitedBy({ severity: 'info', host: 'h3', dc: 'eu' }, 150), null);
});

test('many sources: lookups hit one bucket', () => {
  const inh = new Inhibitor([hostDown]);
  for (let i = 0; i < 20_000; i++) inh.noteFiring(`s${i}`, { alertname: 'HostDown', host: `h${i}`, dc: 'eu' }, 100);
  for (let i = 0; i < 19_999; i++) inh.noteResolved(`s${i}`, 200);
  const started = performance.now();
  for (let i = 0; i < 20_000; i++) inh.inhibitedBy({ severity: 'info', host: `h${i}`, dc: 'eu' }, 300);
  assert.ok(performance.now() - started < 500);
  assert.equal(inh.inhibitedBy({ severity: 'info', host: 'h19999', dc: 'eu' }, 300)?.sourceAlertId, 's19999');
  assert.equal(inh.inhibitedBy({ severity: 'info', host: 'h5', dc: 'eu' }, 300), null);
});

test('rules are validated, errors naming the field', () => {
  const rejects = (rules: unknown, field: string, message: RegExp) =>
    assert.throws(
      () => new Inhibitor(rules as never),
      (e: unknown) => e instanceof VigilError && e.status === 400 && e.field === field && message.test(e.message),
    );
  rejects([hostDown, { source_matchers: ['a="1"', 'b=!"x"'], target_matchers: ['c="1"'] }], 'triage.inhibit_rules[1].source_matchers[1]', /double quote at position 3/);
  rejects([{ source_matchers: ['a="1"'], target_matchers: ['c=~"(x*)*"'] }], 'triage.inhibit_rules[0].target_matchers[0]', /catastroph/);
  rejects([{ source_matchers: [], target_matchers: ['c="1"'] }], 'triage.inhibit_rules[0].source_matchers', /at least one/);
  rejects([{ source_matchers: ['a="1"'], target_matchers: ['c="1"'], equal: ['ok', 'not ok'] }], 'triage.inhibit_rules[0].equal[1]', /label name/);
});
