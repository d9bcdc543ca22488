import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VigilError } from '../core/index.ts';
import type { RouteConfig } from '../config/index.ts';
import { groupKey, RouteTree } from './routes.ts';

const config: RouteConfig = {
  group_by: ['rule_id'],
  group_wait: '30s',
  group_interval: '5m',
  repeat_interval: '4h',
  group_window: '4h',
  correlate_entities: true,
  routes: [
    {
      name: 'critical',
      matchers: ['severity="critical"'],
      group_wait: '0s',
      routes: [
        { matchers: ['team="db"'], group_by: ['host', 'rule_id'], correlate_entities: false },
        { matchers: ['team=~"db|web"'], repeat_interval: '1h' },
      ],
    },
    { matchers: ['team="db"'], group_by: ['...'], group_window: '1d' },
    { matchers: ['team="db"'], name: 'never-reached' },
  ],
};

const tree = new RouteTree(config);

test('the root takes what no child matches, with its own settings', () => {
  const r = tree.resolve({ severity: 'low', team: 'ops' });
  assert.deepEqual(r, {
    id: 'root',
    name: 'root',
    groupBy: ['rule_id'],
    groupWaitMs: 30_000,
    groupIntervalMs: 300_000,
    repeatIntervalMs: 14_400_000,
    groupWindowMs: 14_400_000,
    correlateEntities: true,
  });
  assert.equal(tree.resolve({}).id, 'root');
});

test('deepest first match wins; children inherit what they leave out', () => {
  const dbCrit = tree.resolve({ severity: 'critical', team: 'db' });
  assert.equal(dbCrit.id, 'root/0/0');
  assert.deepEqual(dbCrit.groupBy, ['host', 'rule_id']);
  assert.equal(dbCrit.groupWaitMs, 0, 'inherited from "critical"');
  assert.equal(dbCrit.groupIntervalMs, 300_000, 'inherited from root');
  assert.equal(dbCrit.correlateEntities, false);

  const webCrit = tree.resolve({ severity: 'critical', team: 'web' });
  assert.equal(webCrit.id, 'root/0/1');
  assert.equal(webCrit.repeatIntervalMs, 3_600_000);
  assert.equal(webCrit.groupWaitMs, 0);
  assert.deepEqual(webCrit.groupBy, ['rule_id']);
  assert.equal(webCrit.correlateEntities, true);

  // A matching parent whose children do not match takes the alert itself.
  const other = tree.resolve({ severity: 'critical', team: 'ops' });
  assert.equal(other.id, 'critical');
  assert.equal(other.name, 'critical');

  // First match among siblings: the later team="db" route is never reached.
  const db = tree.resolve({ severity: 'warning', team: 'db' });
  assert.equal(db.id, 'root/1');
  assert.equal(db.groupBy, 'all');
  assert.equal(db.groupWindowMs, 86_400_000);
});

test('root defaults apply when the configuration is bare', () => {
  const bare = new RouteTree({ routes: [{ matchers: ['a="1"'], group_wait: '1s' }] });
  assert.deepEqual(bare.root.groupBy, ['rule_id']);
  assert.equal(bare.root.groupWaitMs, 30_000);
  const child = bare.resolve({ a: '1' });
  assert.equal(child.groupWaitMs, 1000);
  assert.equal(child.repeatIntervalMs, 14_400_000);
  assert.deepEqual(bare.routes().map((r) => r.id), ['root', 'root/0']);
});

test('group keys: route id plus sorted group_by labels, missing and empty left out', () => {
  const route = tree.resolve({ severity: 'critical', team: 'db' });
  const g = groupKey(route, { severity: 'critical', team: 'db', rule_id: 'r1', host: 'h1' });
  assert.equal(g.key, 'root/0/0:{host="h1",rule_id="r1"}');
  assert.deepEqual(g.labels, { host: 'h1', rule_id: 'r1' });
  assert.equal(groupKey(route, { rule_id: 'r1' }).key, groupKey(route, { rule_id: 'r1', host: '' }).key);
  assert.notEqual(groupKey(route, { rule_id: 'r1', host: 'h1' }).key, groupKey(route, { rule_id: 'r1', host: 'h2' }).key);
  // Same labels on another route make another group.
  assert.notEqual(tree.groupKey(tree.root, { rule_id: 'r1' }).key, groupKey(route, { rule_id: 'r1' }).key);
  // Values are quoted, so a value cannot forge a second label.
  assert.notEqual(groupKey(route, { host: 'a",rule_id="b' }).key, groupKey(route, { host: 'a', rule_id: 'b' }).key);
});

test("group_by '...' groups by every label", () => {
  const route = tree.resolve({ severity: 'warning', team: 'db' });
  const g = groupKey(route, { team: 'db', severity: 'warning', a: '1', empty: '' });
  assert.equal(g.key, 'root/1:{a="1",severity="warning",team="db"}');
  assert.deepEqual(g.labels, { a: '1', severity: 'warning', team: 'db' });
  assert.equal(groupKey(route, { b: '1', a: '2' }).key, groupKey(route, { a: '2', b: '1' }).key);
});

test('construction errors name the path', () => {
  const rejects = (cfg: RouteConfig, field: string, message: RegExp) =>
    assert.throws(
      () => new RouteTree(cfg),
      (e: unknown) => e instanceof VigilError && e.status === 400 && e.field === field && message.test(e.message),
    );
  rejects({ routes: [{ matchers: ['a="1"'] }, { matchers: ['a="1"', 'b~"x"'] }] }, 'triage.route.routes[1].matchers[1]', /expected =, !=/);
  rejects({ routes: [{ routes: [{ matchers: ['a=~"(a*)*"'] }] }] }, 'triage.route.routes[0].routes[0].matchers[0]', /catastroph/);
  rejects({ routes: [{ group_wait: '5 minutes' }] }, 'triage.route.routes[0].group_wait', /invalid duration/);
  rejects({ group_by: ['...', 'host'] }, 'triage.route.group_by', /cannot be combined/);
  rejects({ group_by: ['host', 'host'] }, 'triage.route.group_by[1]', /twice/);
  rejects({ routes: [{ group_by: ['bad-name'] }] }, 'triage.route.routes[0].group_by[0]', /not a label name/);
  rejects({ matchers: ['a="1"'] }, 'triage.route.matchers', /root route/);
  rejects({ routes: [{ name: 'x' }, { routes: [{ name: 'x' }] }] }, 'triage.route.routes[1].routes[0].name', /unique/);
});
