/** Inventory of assets and business services: the API of issue 4's interface, and `vigil assets import`. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, tempDir, vigil, type TestServer } from './harness.ts';

describe('inventory API', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ syslog: false });
  });
  after(() => server?.cleanup());
  const send = (method: string, path: string, body?: unknown) =>
    server.api(path, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

  it('creates services and assets as the interface shows, and refuses unknown references', async () => {
    const early = await send('POST', '/api/v1/services', { name: 'payments', tier: 1, depends_on: ['edge-network'] });
    assert.equal(early.status, 422);
    assert.equal((await early.json()).error.field, 'depends_on[0]');
    assert.equal((await send('POST', '/api/v1/services', { name: 'edge-network', tier: 2 })).status, 201);
    const payments = await send('POST', '/api/v1/services', { name: 'payments', tier: 1, depends_on: ['edge-network'] });
    assert.equal(payments.status, 201);
    assert.deepEqual((await payments.json()).depends_on, ['edge-network']);
    const asset = await send('POST', '/api/v1/assets', { name: 'fw-edge-1', kind: 'firewall', criticality: 5, services: ['edge-network'], tags: ['firewall'] });
    assert.equal(asset.status, 201);
    const stored = await (await send('GET', '/api/v1/assets/fw-edge-1')).json();
    assert.deepEqual([stored.kind, stored.criticality, stored.services, stored.tags], ['firewall', 5, ['edge-network'], ['firewall']]);
    assert.equal((await send('POST', '/api/v1/assets', { name: 'fw-edge-1', kind: 'firewall', criticality: 5 })).status, 409);
    assert.equal((await send('POST', '/api/v1/assets', { name: 'x', kind: 'host', criticality: 9 })).status, 400);
    assert.equal((await send('POST', '/api/v1/assets', { name: 'y', kind: 'host', criticality: 3, services: ['nope'] })).status, 422);
  });

  it('lists with a cursor, patches, refuses cycles and deletes what nothing depends on', async () => {
    for (const name of ['a-svc', 'b-svc', 'c-svc']) assert.equal((await send('POST', '/api/v1/services', { name, tier: 3 })).status, 201);
    const page1 = await (await send('GET', '/api/v1/services?limit=2')).json();
    assert.equal(page1.items.length, 2);
    const page2 = await (await send('GET', `/api/v1/services?limit=10&cursor=${page1.next_cursor}`)).json();
    assert.deepEqual([...page1.items, ...page2.items].map((s: any) => s.name), ['a-svc', 'b-svc', 'c-svc', 'edge-network', 'payments']);
    assert.equal((await send('PATCH', '/api/v1/services/a-svc', { depends_on: ['b-svc'] })).status, 200);
    assert.equal((await send('PATCH', '/api/v1/services/b-svc', { depends_on: ['c-svc'] })).status, 200);
    const cycle = await send('PATCH', '/api/v1/services/c-svc', { depends_on: ['a-svc'] });
    assert.equal(cycle.status, 422);
    assert.match((await cycle.json()).error.message, /depend on itself/);
    const patched = await (await send('PATCH', '/api/v1/assets/fw-edge-1', { criticality: 4 })).json();
    assert.equal(patched.criticality, 4);
    assert.equal(patched.kind, 'firewall', 'a patch keeps the other fields');
    assert.equal((await send('DELETE', '/api/v1/services/edge-network')).status, 409, 'payments depends on it');
    assert.equal((await send('DELETE', '/api/v1/services/a-svc')).status, 204);
    assert.equal((await send('GET', '/api/v1/services/a-svc')).status, 404);
    assert.equal((await send('DELETE', '/api/v1/assets/fw-edge-1')).status, 204);
    assert.equal((await send('DELETE', '/api/v1/assets/fw-edge-1')).status, 404);
  });

  it('needs a write role to change the inventory', async () => {
    const viewer = (await (await send('POST', '/api/v1/tokens', { role: 'viewer', name: 'inv-viewer' })).json()).token;
    const denied = await server.api('/api/v1/assets', { method: 'POST', token: viewer, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'z', kind: 'host', criticality: 1 }) });
    assert.equal(denied.status, 403);
    assert.equal((await server.api('/api/v1/assets', { token: viewer })).status, 200);
  });

  it('imports CSV and YAML with vigil assets import, services in dependency order, bad rows alone', async () => {
    const dir = tempDir();
    try {
      const services = join(dir, 'services.yaml');
      writeFileSync(services, 'services:\n  - { name: shop, tier: 1, depends_on: [db-tier] }\n  - { name: db-tier, tier: 2 }\n  - { name: broken, tier: 7 }\nassets:\n  - { name: db-1, kind: database, criticality: 5, services: [db-tier], aliases: [db-1.corp.example.com] }\n');
      const yaml = await vigil(['assets', 'import', services, '--url', server.url, '--token', server.token, '--json']);
      assert.equal(yaml.code, 1, 'one bad entry: exit 1');
      const report = JSON.parse(yaml.stdout);
      assert.deepEqual(report.services, { created: 2, updated: 0 });
      assert.deepEqual(report.assets, { created: 1, updated: 0 });
      assert.deepEqual(report.errors.map((e: any) => [e.kind, e.name]), [['service', 'broken']]);
      const csv = join(dir, 'assets.csv');
      writeFileSync(csv, 'name,kind,criticality,services,tags\nweb-1,server,3,shop,"web;linux"\nweb-2,server,2,shop,web\ndb-1,database,4,db-tier,\nbad,server,x,,\n');
      const imported = await vigil(['assets', 'import', csv, '--url', server.url, '--token', server.token, '--json']);
      const csvReport = JSON.parse(imported.stdout);
      assert.deepEqual(csvReport.assets, { created: 2, updated: 1 });
      assert.equal(csvReport.errors.length, 1);
      assert.match(csvReport.errors[0].error, /criticality/);
      const web1 = await (await send('GET', '/api/v1/assets/web-1')).json();
      assert.deepEqual(web1.tags, ['web', 'linux']);
      const db1 = await (await send('GET', '/api/v1/assets/db-1')).json();
      assert.equal(db1.criticality, 4);
      assert.deepEqual(db1.aliases, [], 'a replaced asset takes the file’s fields');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('vigil assets import on a data folder', () => {
  it('imports a CSV of services', async () => {
    const dir = tempDir();
    try {
      const csv = join(dir, 'services.csv');
      writeFileSync(csv, 'name,tier,depends_on\ncore,1,\napp,2,core\n');
      const result = await vigil(['assets', 'import', csv, '--data', join(dir, 'data')]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /services: 2 created/);
      assert.equal((await vigil(['assets', 'import', join(dir, 'missing.csv'), '--data', join(dir, 'data')])).code, 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
