import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseQuery, VigilError, type VigilEvent } from '../../core/index.ts';
import { newId } from '../../lib/index.ts';
import { SqliteStore } from './store.ts';

const event = (over: Partial<VigilEvent> & Record<string, unknown>): VigilEvent => ({
  id: newId(),
  '@timestamp': '2026-01-01T00:00:00.000Z',
  input: { type: 'http', name: 'http' },
  original: {},
  ...over,
});

describe('SqliteStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-store-'));
  let store: SqliteStore;
  before(async () => {
    store = await SqliteStore.open(join(dir, 'vigil.db'), { cacheMb: 16, synchronous: 'normal', maxPending: 1000, maxBatch: 500, queryTimeoutMs: 5000 });
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes events and dead letters in one commit and finds them', async () => {
    await store.write({
      events: [
        event({ '@timestamp': '2026-01-01T00:00:01.000Z', host: { name: 'Web-01' }, user: { name: 'alice' }, message: 'login ok', event: { category: ['authentication', 'iam'], outcome: 'success' } }),
        event({ '@timestamp': '2026-01-01T00:00:02.000Z', host: { name: 'web-02' }, source: { ip: '2001:db8::1' }, message: 'login failed', event: { category: ['authentication'], outcome: 'failure' } }),
      ],
      deadLetters: [{ received_at: '2026-01-01T00:00:00.000Z', input: { type: 'http', name: 'http', address: '127.0.0.1:1' }, reason: 'line 3: bad', payload: '{x' }],
    });
    const search = (q: string) => store.search({ query: parseQuery(q), limit: 10 }).then((p) => p.items.map((e) => e.message));
    assert.deepEqual(await search('host.name:web-01'), ['login ok'], 'exact key match is case-insensitive');
    assert.deepEqual(await search('host.name:web*'), ['login failed', 'login ok']);
    assert.deepEqual(await search('event.category:iam'), ['login ok'], 'a later element of event.category matches');
    assert.deepEqual(await search('source.ip:"2001:db8::1"'), ['login failed']);
    assert.deepEqual(await search('login AND NOT event.outcome:failure'), ['login ok']);
    const dead = await store.listDeadLetters(10);
    assert.equal(dead.items.length, 1);
    assert.equal(dead.items[0]!.reason, 'line 3: bad');
    assert.equal(dead.items[0]!.payload, '{x');
  });

  it('counts, ranks values and buckets by time', async () => {
    const query = parseQuery('login');
    assert.equal(await store.count({ query }), 2);
    assert.deepEqual(await store.topValues('event.outcome', { query }, 5), [
      { value: 'failure', count: 1 },
      { value: 'success', count: 1 },
    ]);
    assert.deepEqual(await store.topValues('event.category', { query }, 5), [
      { value: 'authentication', count: 2 },
      { value: 'iam', count: 1 },
    ]);
    const from = Date.parse('2026-01-01T00:00:00Z');
    const buckets = await store.histogram({ query, from, to: from + 4000 }, 2000);
    assert.deepEqual(buckets.map((b) => b.count), [1, 1]);
  });

  it('deletes by ingest time, oldest first, with their index entries, never past a position', async (t) => {
    // Its own file: retention walks events in commit order, which ingest time follows.
    const store = await SqliteStore.open(join(dir, 'retention.db'), { cacheMb: 16, synchronous: 'normal', maxPending: 1000, maxBatch: 500, queryTimeoutMs: 5000 });
    t.after(() => store.close());
    const ingestedAt = (iso: string) => ({ kind: 'event', ingested: iso });
    await store.write({ events: [event({ '@timestamp': '2026-01-05T00:00:00.000Z', message: 'ancient relic', host: { name: 'old' }, event: ingestedAt('2020-01-01T00:00:00.000Z') })], deadLetters: [] });
    const replay = await store.write({ events: [event({ '@timestamp': '2019-01-01T00:00:00.000Z', message: 'replayed relic', event: ingestedAt('2020-02-01T00:00:00.000Z') })], deadLetters: [] });
    await store.write({ events: [event({ '@timestamp': '2019-01-01T00:00:00.000Z', message: 'fresh replay', event: ingestedAt('2026-01-01T00:00:00.000Z') })], deadLetters: [] });
    assert.equal(await store.count({ query: parseQuery('relic') }), 2);
    // A consumer has seen nothing past the first relic: the second one must stay.
    assert.equal(await store.deleteBefore(Date.parse('2025-01-01T00:00:00Z'), replay.firstPosition! - 1), 1);
    assert.equal(await store.count({ query: parseQuery('relic') }), 1);
    assert.equal(await store.count({ query: parseQuery('host.name:old') }), 0, 'its key index entries went too');
    assert.equal(await store.deleteBefore(Date.parse('2025-01-01T00:00:00Z')), 1);
    assert.equal(await store.count({ query: parseQuery('relic') }), 0);
    assert.equal(await store.count({ query: parseQuery('"fresh replay"') }), 1, 'a replay of old events ingested now is kept');
  });

  it('refuses with 503 when more than max_pending records wait for the disk', async () => {
    const many = Array.from({ length: 900 }, (_, i) => event({ message: `bulk ${i}` }));
    const first = store.write({ events: many, deadLetters: [] });
    await assert.rejects(store.write({ events: many.map((e) => ({ ...e, id: newId() })), deadLetters: [] }), (error: unknown) => {
      assert.ok(error instanceof VigilError);
      assert.equal(error.status, 503);
      assert.equal(error.details?.retry_after, 1);
      return true;
    });
    await first;
    assert.equal(store.pendingWrites(), 0);
    assert.equal(await store.count({ query: parseQuery('bulk') }), 900, 'the refused batch left nothing behind');
  });

  it('stops a search that runs past the time limit and keeps serving', async () => {
    const slow = await SqliteStore.open(join(dir, 'vigil.db'), { cacheMb: 16, synchronous: 'normal', maxPending: 1000, maxBatch: 500, queryTimeoutMs: 300 });
    try {
      // A query of several seconds: the caller gets its answer at the limit and a fresh reader
      // serves the next query. (SQLite cannot be interrupted from better-sqlite3, so the old
      // thread ends when the statement does; Vigil's own statements are finite scans.)
      const reader = (slow as unknown as { reader: { all(sql: string, params: unknown[]): Promise<unknown[][]> } }).reader;
      await assert.rejects(
        reader.all('WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000000) SELECT count(*) FROM c', []),
        (error: unknown) => error instanceof VigilError && error.code === 'query_timeout',
      );
      assert.equal(await slow.count({ query: parseQuery('login') }), 2);
    } finally {
      await slow.close();
    }
  });

  it('stores tokens by hash and revokes by id or name', async () => {
    const record = await store.createToken({ id: 'tok_1', name: 'ci', role: 'ingest', hash: 'h1' });
    assert.equal((await store.findTokenByHash('h1'))?.name, 'ci');
    assert.equal(await store.findTokenByHash('nope'), null);
    const revoked = await store.revokeToken('ci');
    assert.equal(revoked?.id, record.id);
    assert.ok(revoked?.revoked_at);
    assert.equal(await store.revokeToken('unknown'), null);
  });
});
