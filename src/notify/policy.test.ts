import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePolicy, PolicyError, route, type PolicyFacts } from './policy.ts';
import { isQuiet, parseQuietHours, parseRateLimit, quietEnd, RateWindows } from './limits.ts';
import { eventOf } from './message.ts';
import type { NotificationRecord } from '../core/index.ts';

const channels = new Set(['soc-hook', 'soc-slack', 'pager']);
const facts = (over: Partial<PolicyFacts> = {}): PolicyFacts => ({ event: 'opened', priority: 'P1', services: [{ name: 'payments', tier: 1, team: 'payments-team' }], verdict: 'no-change', ...over });

test('the interface policies: every P1/P2 to the hook, and to Slack too when the service is tier 1', () => {
  const policies = [
    parsePolicy({ name: 'all-urgent', when: { priority: ['P1', 'P2'] }, channels: ['soc-hook'] }, 'p0', channels),
    parsePolicy({ name: 'tier1', when: { priority: ['P1', 'P2'], service_tier: 1 }, channels: ['soc-slack'] }, 'p1', channels),
  ];
  assert.deepEqual(route(policies, facts()).map((r) => r.channel), ['soc-hook', 'soc-slack']);
  assert.deepEqual(route(policies, facts({ services: [{ name: 'wiki', tier: 3, team: null }] })).map((r) => r.channel), ['soc-hook']);
  assert.deepEqual(route(policies, facts({ priority: 'P3' })), []);
  // The most critical tier decides: a tier-3 service beside a tier-1 one is still tier 1.
  assert.equal(route(policies, facts({ services: [{ name: 'wiki', tier: 3, team: null }, { name: 'payments', tier: 1, team: null }] })).length, 2);
});

test('conditions on team, verdict and event; escalation steps sorted by delay', () => {
  const policy = parsePolicy(
    { name: 'p', when: { team: 'Payments-Team', verdict: ['unauthorised-change'], event: ['opened', 'escalated'] }, channels: ['pager'], escalation: [{ after: '30m', channels: ['soc-hook'] }, { after: '5m', channels: ['soc-slack'] }] },
    'p',
    channels,
  );
  assert.deepEqual(policy.escalation.map((s) => s.after_ms), [300_000, 1_800_000]);
  assert.equal(route([policy], facts({ verdict: 'unauthorised-change' })).length, 1);
  assert.equal(route([policy], facts({ verdict: 'no-change' })).length, 0);
  assert.equal(route([policy], facts({ verdict: 'unauthorised-change', event: 'repeat' })).length, 0);
});

test('a bad policy names the field', () => {
  const field = (input: unknown) => {
    try {
      parsePolicy(input, 'notify.policies[0]', channels);
    } catch (error) {
      assert.ok(error instanceof PolicyError);
      return error.field;
    }
    return 'no error';
  };
  assert.equal(field({ name: 'x', channels: ['nope'] }), 'notify.policies[0].channels');
  assert.equal(field({ name: 'x', when: { priority: ['P9'] }, channels: ['pager'] }), 'notify.policies[0].when.priority');
  assert.equal(field({ name: 'x', when: { colour: 'red' }, channels: ['pager'] }), 'notify.policies[0].when.colour');
  assert.equal(field({ name: 'x', channels: ['pager'], escalation: [{ after: 'soon', channels: ['pager'] }] }), 'notify.policies[0].escalation[0].after');
});

test('quiet hours across midnight in a time zone, and when they end', () => {
  const quiet = parseQuietHours({ timezone: 'Europe/London', from: '22:00', to: '07:00' }, 'q')!;
  // 23:30 London in winter is 23:30 UTC; in summer 22:30 UTC.
  assert.equal(isQuiet(quiet, Date.parse('2026-01-10T23:30:00Z')), true);
  assert.equal(isQuiet(quiet, Date.parse('2026-07-10T22:30:00Z')), true);
  assert.equal(isQuiet(quiet, Date.parse('2026-01-10T12:00:00Z')), false);
  assert.equal(new Date(quietEnd(quiet, Date.parse('2026-01-10T23:30:00Z'))).toISOString(), '2026-01-11T07:00:00.000Z');
  assert.equal(new Date(quietEnd(quiet, Date.parse('2026-07-10T22:30:00Z'))).toISOString(), '2026-07-11T06:00:00.000Z');
  assert.deepEqual(quiet.except, ['P1']);
  const weekends = parseQuietHours({ timezone: 'UTC', from: '00:00', to: '24:00', days: ['sat', 'sun'] }, 'q')!;
  assert.equal(isQuiet(weekends, Date.parse('2026-11-28T10:00:00Z')), true, 'a Saturday');
  assert.equal(isQuiet(weekends, Date.parse('2026-11-30T10:00:00Z')), false, 'a Monday');
  assert.throws(() => parseQuietHours({ timezone: 'Mars/Olympus', from: '22:00', to: '07:00' }, 'q'), /time zone/);
});

test('rate windows admit the limit, then fold until the window ends', () => {
  const windows = new RateWindows();
  const limit = parseRateLimit({ max: 2, per: '1m' }, 'r')!;
  const t = Date.parse('2026-01-01T10:00:10Z');
  assert.deepEqual(windows.admit('c', limit, t), { ok: true });
  assert.deepEqual(windows.admit('c', limit, t + 1000), { ok: true });
  assert.deepEqual(windows.admit('c', limit, t + 2000), { ok: false, windowStart: Date.parse('2026-01-01T10:00:00Z'), windowEnd: Date.parse('2026-01-01T10:01:00Z') });
  assert.deepEqual(windows.admit('other', limit, t + 2000), { ok: true }, 'per channel');
  assert.deepEqual(windows.admit('c', limit, t + 60_000), { ok: true }, 'a new window');
});

test('an update that raises the priority is an escalation', () => {
  const record = (priority: 'P1' | 'P3', reason: NotificationRecord['reason'] = 'updated'): NotificationRecord => ({ id: 'n', incident_id: 'INC-1', reason, due_at: '', created_at: '', priority, alert_count: 1, route: 'root' });
  assert.equal(eventOf(record('P1'), record('P3', 'opened'), null), 'escalated');
  assert.equal(eventOf(record('P3'), record('P1', 'opened'), null), 'updated');
  assert.equal(eventOf(record('P3', 'state_changed'), null, { status: 'resolved' } as never), 'resolved');
});
