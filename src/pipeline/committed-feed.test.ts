import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { VigilEvent } from '../core/index.ts';
import type { CommittedEvent } from '../store/index.ts';
import { CommittedFeed, type CommittedConsumer } from './committed-feed.ts';

const ev = (n: number): VigilEvent => ({ id: `e${n}`, '@timestamp': '2026-01-01T00:00:00.000Z', input: { type: 't', name: 't' }, original: n });

/** A store stand-in holding events 1..n and a checkpoint. */
function fakeStore(committed: number, checkpoint = 0) {
  const state = { committed, checkpoint, reads: 0 };
  return {
    state,
    readCommitted: async (after: number, limit: number): Promise<CommittedEvent[]> => {
      state.reads++;
      const out: CommittedEvent[] = [];
      for (let p = after + 1; p <= Math.min(state.committed, after + limit); p++) out.push({ position: p, event: ev(p) });
      return out;
    },
    lastPosition: async () => state.committed,
    checkpoint: async () => state.checkpoint,
  };
}

function recorder(fail = 0): CommittedConsumer & { seen: number[] } {
  let failures = fail;
  const seen: number[] = [];
  return {
    name: 'test',
    seen,
    async process(events) {
      if (failures-- > 0) throw new Error('transient');
      seen.push(...events.map((e) => e.position));
    },
  };
}

describe('CommittedFeed', () => {
  it('catches up from the checkpoint, then takes offered events in order without reading them back', async () => {
    const store = fakeStore(5, 2);
    const consumer = recorder();
    const feed = new CommittedFeed(store, consumer, { batch: 2, pollMs: 10_000 });
    await feed.start();
    await feed.idle();
    assert.deepEqual(consumer.seen, [3, 4, 5]);
    const reads = store.state.reads;
    store.state.committed = 9;
    feed.offer([ev(6), ev(7)], { firstPosition: 6, lastPosition: 7 });
    feed.offer([ev(8), ev(9)], { firstPosition: 8, lastPosition: 9 });
    await feed.idle();
    assert.deepEqual(consumer.seen, [3, 4, 5, 6, 7, 8, 9]);
    assert.equal(store.state.reads, reads, 'offered events are not read back');
    assert.equal(feed.pending(), 0);
    await feed.stop();
  });

  it('fills a gap from the store (events committed by another process) and keeps the order', async () => {
    const store = fakeStore(0);
    const consumer = recorder();
    const feed = new CommittedFeed(store, consumer, { batch: 100, pollMs: 10_000 });
    await feed.start();
    store.state.committed = 6;
    // Positions 1-3 were written elsewhere; 4-6 are offered.
    feed.offer([ev(4), ev(5), ev(6)], { firstPosition: 4, lastPosition: 6 });
    await feed.idle();
    assert.deepEqual(consumer.seen, [1, 2, 3, 4, 5, 6]);
    await feed.stop();
  });

  it('retries a failed run from where it stood: nothing lost, nothing twice', async () => {
    const store = fakeStore(4);
    const consumer = recorder(1);
    const errors: unknown[] = [];
    const feed = new CommittedFeed(store, consumer, { batch: 10, pollMs: 10_000, onError: (e) => errors.push(e) });
    await feed.start();
    await feed.idle();
    assert.deepEqual(consumer.seen, [1, 2, 3, 4]);
    assert.equal(errors.length, 1);
    await feed.stop();
  });

  it('notices writes by another process through polling', async () => {
    const store = fakeStore(0);
    const consumer = recorder();
    const feed = new CommittedFeed(store, consumer, { batch: 10, pollMs: 20 });
    await feed.start();
    store.state.committed = 3;
    const deadline = Date.now() + 5000;
    while (consumer.seen.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(consumer.seen, [1, 2, 3]);
    await feed.stop();
  });
});
