/** The audit trail: every inventory and token change through the API or CLI, hash-chained; tampering is found. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, tempDir, vigil } from './harness.ts';

describe('audit trail', () => {
  it('records who changed what, before and after, and names the first tampered record', async () => {
    const dataDir = tempDir();
    const server = await startServer({ dataDir, syslog: false });
    try {
      const send = (method: string, path: string, body?: unknown, token?: string) =>
        server.api(path, { method, token, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      const analyst = (await (await send('POST', '/api/v1/tokens', { role: 'analyst', name: 'carol' })).json()).token;
      assert.equal((await send('POST', '/api/v1/services', { name: 'edge-network', tier: 2 }, analyst)).status, 201);
      assert.equal((await send('POST', '/api/v1/assets', { name: 'fw-edge-1', kind: 'firewall', criticality: 5, services: ['edge-network'] }, analyst)).status, 201);
      assert.equal((await send('PATCH', '/api/v1/assets/fw-edge-1', { criticality: 3 }, analyst)).status, 200);
      assert.equal((await send('DELETE', '/api/v1/assets/fw-edge-1', undefined, analyst)).status, 204);
      assert.equal((await send('POST', '/api/v1/assets', { name: 'x', kind: 'host', criticality: 42 }, analyst)).status, 400);

      const trail = (await (await send('GET', '/api/v1/audit?limit=100')).json()).items;
      assert.deepEqual(
        trail.map((r: any) => [r.seq, r.actor, r.action, r.object_id]),
        [
          [1, 'system:first-start', 'token.create', trail[0].object_id],
          [2, 'admin', 'token.create', trail[1].object_id],
          [3, 'carol', 'service.create', 'edge-network'],
          [4, 'carol', 'asset.create', 'fw-edge-1'],
          [5, 'carol', 'asset.update', 'fw-edge-1'],
          [6, 'carol', 'asset.delete', 'fw-edge-1'],
        ],
        'a refused change leaves no record',
      );
      assert.equal(trail[4].before.criticality, 5);
      assert.equal(trail[4].after.criticality, 3);
      assert.equal(trail[5].after, null);
      assert.ok(!JSON.stringify(trail).includes(analyst), 'no token secret in the trail');
      assert.equal((await send('GET', '/api/v1/audit', undefined, analyst)).status, 403, 'admins only');
      assert.deepEqual(await (await send('GET', '/api/v1/audit/verify')).json(), { ok: true, records: 6, broken: null });

      // The CLI acts as cli:<user> and extends the same chain.
      const local = await vigil(['token', 'create', '--role', 'viewer', '--name', 'from-cli', '--data', dataDir]);
      assert.equal(local.code, 0, local.stderr);
      const verified = await vigil(['audit', 'verify', '--url', server.url, '--token', server.token]);
      assert.equal(verified.code, 0, verified.stdout);
      assert.match(verified.stdout, /intact: 7 record/);
      await server.stop();

      // Tamper with the file directly: change one record's content.
      const db = new Database(join(dataDir, 'vigil.db'));
      const doc = JSON.parse(db.prepare('SELECT doc FROM audit WHERE seq = 5').pluck().get() as string);
      doc.after.criticality = 1;
      db.prepare('UPDATE audit SET doc = ? WHERE seq = 5').run(JSON.stringify(doc));
      db.close();
      const changed = await vigil(['audit', 'verify', '--data', dataDir, '--json']);
      assert.equal(changed.code, 1);
      assert.deepEqual(JSON.parse(changed.stdout).broken, { seq: 5, reason: 'content does not match its hash (the record was changed)' });

      // Recompute its hash too (a careful forger): the next link still breaks.
      const forge = new Database(join(dataDir, 'vigil.db'));
      const { createHash } = await import('node:crypto');
      const { auditHashInput } = await import('../src/core/index.ts');
      const { hash: _old, ...rest } = doc;
      doc.hash = createHash('sha256').update(auditHashInput(rest)).digest('hex');
      forge.prepare('UPDATE audit SET doc = ? WHERE seq = 5').run(JSON.stringify(doc));
      forge.close();
      const forged = JSON.parse((await vigil(['audit', 'verify', '--data', dataDir, '--json'])).stdout);
      assert.deepEqual(forged.broken, { seq: 6, reason: 'prev_hash does not match record 5' });

      // Remove a record.
      const cut = new Database(join(dataDir, 'vigil.db'));
      cut.prepare('DELETE FROM audit WHERE seq = 3').run();
      cut.close();
      const removed = JSON.parse((await vigil(['audit', 'verify', '--data', dataDir, '--json'])).stdout);
      assert.deepEqual(removed.broken, { seq: 3, reason: 'record 3 is missing (next is 4)' });
      assert.match((await vigil(['audit', 'verify', '--data', dataDir])).stdout, /BROKEN at record 3/);
    } finally {
      server.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
