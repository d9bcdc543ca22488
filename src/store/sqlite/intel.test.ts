import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Indicator, VigilEvent } from '../../core/index.ts';
import { newId } from '../../lib/index.ts';
import { SqliteStore } from './store.ts';

type Stored = Omit<Indicator, 'sightings' | 'last_sighting'>;
const indicator = (type: Indicator['type'], value: string, over: Partial<Stored> = {}): Stored => ({
  id: `${type}:${value}`,
  type,
  value,
  source: 'isac',
  confidence: 60,
  severity: 'medium',
  tags: [],
  valid_from: null,
  valid_until: null,
  description: '',
  external_id: null,
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
  ...over,
});

describe('SqliteStore intel', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-intel-'));
  let store: SqliteStore;
  before(async () => {
    store = await SqliteStore.open(join(dir, 'vigil.db'), { cacheMb: 16, synchronous: 'normal', maxPending: 1000, maxBatch: 500, queryTimeoutMs: 5000 });
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('tells new, changed and restated indicators apart, keeping when each was first known', async () => {
    const first = await store.putIndicators([indicator('ip', '192.0.2.1'), indicator('domain', 'evil.example')]);
    assert.deepEqual(first, { added: ['ip:192.0.2.1', 'domain:evil.example'], updated: [], unchanged: 0 });
    const again = await store.putIndicators([
      indicator('ip', '192.0.2.1', { updated_at: '2026-02-01T00:00:00.000Z', created_at: '2026-02-01T00:00:00.000Z' }),
      indicator('domain', 'evil.example', { confidence: 90, updated_at: '2026-02-01T00:00:00.000Z' }),
    ]);
    assert.deepEqual(again, { added: [], updated: ['domain:evil.example'], unchanged: 1 });
    const domain = await store.getIndicator('domain:evil.example');
    assert.equal(domain!.confidence, 90);
    assert.equal(domain!.created_at, '2026-01-01T00:00:00.000Z');
  });

  it('adds sightings without touching the document, keeping the latest time', async () => {
    await store.recordSightings([{ id: 'ip:192.0.2.1', count: 2, last: '2026-03-01T00:00:00.000Z' }]);
    await store.recordSightings([{ id: 'ip:192.0.2.1', count: 1, last: '2026-02-01T00:00:00.000Z' }]);
    const ip = await store.getIndicator('ip:192.0.2.1');
    assert.equal(ip!.sightings, 3);
    assert.equal(ip!.last_sighting, '2026-03-01T00:00:00.000Z');
    // Restating it keeps its sightings.
    await store.putIndicators([indicator('ip', '192.0.2.1', { confidence: 10 })]);
    assert.equal((await store.getIndicator('ip:192.0.2.1'))!.sightings, 3);
  });

  it('searches by type, source, value prefix and validity, in pages', async () => {
    await store.putIndicators([
      indicator('domain', 'evil2.example', { source: 'feed' }),
      indicator('domain', 'old.example', { valid_until: '2020-01-01T00:00:00.000Z' }),
      indicator('cidr', '10.0.0.0/8'),
    ]);
    const domains = await store.searchIndicators({ type: 'domain', limit: 2 });
    assert.deepEqual(domains.items.map((i) => i.value), ['evil.example', 'evil2.example']);
    const rest = await store.searchIndicators({ type: 'domain', limit: 2, after: domains.next_cursor! });
    assert.deepEqual(rest.items.map((i) => i.value), ['old.example']);
    assert.equal(rest.next_cursor, null);
    assert.deepEqual((await store.searchIndicators({ source: 'feed', limit: 10 })).items.map((i) => i.id), ['domain:evil2.example']);
    assert.deepEqual((await store.searchIndicators({ prefix: 'evil', limit: 10 })).items.map((i) => i.id), ['domain:evil.example', 'domain:evil2.example']);
    const valid = await store.searchIndicators({ type: 'domain', validAt: Date.parse('2026-01-01'), limit: 10 });
    assert.ok(!valid.items.some((i) => i.value === 'old.example'));
    const all: string[] = [];
    for await (const batch of store.indicatorBatches(2)) all.push(...batch.map((i) => i.id));
    assert.equal(all.length, await store.countIndicators());
    assert.deepEqual(await store.deleteIndicators(['cidr:10.0.0.0/8', 'cidr:nope']), ['cidr:10.0.0.0/8']);
  });

  it('reads stored events by event time in commit order for retro-hunts', async () => {
    const event = (ts: string): VigilEvent => ({ id: newId(), '@timestamp': ts, input: { type: 'http', name: 'http' }, original: {} });
    await store.write({ events: [event('2026-01-01T00:00:00.000Z'), event('2026-03-01T00:00:00.000Z'), event('2026-02-01T00:00:00.000Z')], deadLetters: [] });
    const from = Date.parse('2026-01-15T00:00:00Z');
    const to = Date.parse('2026-04-01T00:00:00Z');
    assert.equal(await store.countEventsBetween(from, to), 2);
    const page = await store.eventsBetween(from, to, 0, 1);
    assert.equal(page[0]!.event['@timestamp'], '2026-03-01T00:00:00.000Z');
    const next = await store.eventsBetween(from, to, page[0]!.position, 10);
    assert.deepEqual(next.map((e) => e.event['@timestamp']), ['2026-02-01T00:00:00.000Z']);
  });

  it('keeps feed cursors, watchlists and retro-hunt records', async () => {
    await store.putFeedState({ name: 'f', cursor: { etag: '"x"', last_modified: null, added_after: null }, status: { ok: true } });
    assert.equal((await store.getFeedState('f'))!.cursor.etag, '"x"');
    await store.putWatchlist({ name: 'vip', description: '', kind: 'user', entries: ['ceo'], weight: 1, created_at: 'a', updated_at: 'a' });
    assert.deepEqual((await store.listWatchlists()).map((w) => w.name), ['vip']);
    assert.ok(await store.deleteWatchlist('vip'));
    assert.equal(await store.getWatchlist('vip'), null);
  });
});
