import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Batcher, type BatcherOptions } from './batcher.ts';
import { waitFor } from './testutil.ts';

const base: BatcherOptions = {
  maxMessages: 3,
  maxDelayMs: 20,
  maxInFlight: 2,
  maxQueuedMessages: 4,
  maxQueuedBytes: 1000,
  retryBaseMs: 10,
  retryMaxMs: 40,
};

describe('Batcher', () => {
  it('closes a batch at maxMessages, and a partial one after maxDelayMs', async () => {
    const got: number[][] = [];
    const b = new Batcher<number>(base, async (batch) => {
      got.push(batch);
    });
    for (let i = 0; i < 7; i++) b.add(i, 1);
    assert.deepEqual(got, [
      [0, 1, 2],
      [3, 4, 5],
    ]);
    await waitFor(() => got.length === 3, 'the timed batch');
    assert.deepEqual(got[2], [6]);
  });

  it('keeps at most maxInFlight batches at the sink and reports pressure while saturated', async () => {
    const releases: (() => void)[] = [];
    const seen: number[][] = [];
    const pressure: boolean[] = [];
    const b = new Batcher<number>(
      { ...base, maxMessages: 1 },
      (batch) =>
        new Promise<void>((resolve) => {
          seen.push(batch);
          releases.push(resolve);
        }),
      { onPressure: (p) => pressure.push(p) },
    );
    for (let i = 0; i < 5; i++) b.add(i, 1);
    assert.equal(seen.length, 2);
    assert.equal(b.pressured, true);
    assert.deepEqual(pressure, [true]);
    releases.shift()!();
    await waitFor(() => seen.length === 3, 'third batch');
    while (releases.length > 0 || seen.length < 5) {
      releases.shift()?.();
      await new Promise((r) => setTimeout(r, 1));
    }
    await b.drain();
    assert.deepEqual(seen, [[0], [1], [2], [3], [4]]);
    assert.equal(b.pressured, false);
    assert.equal(pressure.at(-1), false);
  });

  it('retries a rejected batch after a backoff instead of dropping it, pressured meanwhile', async () => {
    let calls = 0;
    const accepted: string[][] = [];
    const retries: number[] = [];
    const b = new Batcher<string>(
      base,
      async (batch) => {
        calls++;
        if (calls <= 2) throw new Error('overloaded');
        accepted.push([...batch]);
      },
      { onRetry: (_e, size, attempt) => retries.push(size * 100 + attempt) },
    );
    b.add('a', 1);
    b.add('b', 1);
    b.add('c', 1);
    await waitFor(() => retries.length === 1, 'first rejection');
    assert.equal(b.pressured, true, 'a batch waiting for its retry pauses producers');
    await b.drain();
    assert.deepEqual(accepted, [['a', 'b', 'c']]);
    assert.deepEqual(retries, [301, 302]);
    assert.equal(b.pressured, false);
  });

  it('a sink that throws synchronously is treated as a rejection', async () => {
    let calls = 0;
    const accepted: number[] = [];
    const b = new Batcher<number>({ ...base, maxMessages: 1 }, (batch) => {
      if (++calls === 1) throw new Error('sync');
      accepted.push(...batch);
      return Promise.resolve();
    });
    b.add(1, 1);
    await b.drain();
    assert.deepEqual(accepted, [1]);
  });

  it('offer() refuses once the queue not yet at the sink is over its bound', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const b = new Batcher<number>({ ...base, maxMessages: 1, maxInFlight: 1 }, () => gate);
    const offered = Array.from({ length: 10 }, (_, i) => b.offer(i, 1));
    // 1 in flight, then 4 queued, then refused.
    assert.deepEqual(offered, [true, true, true, true, true, false, false, false, false, false]);
    assert.equal(b.queuedMessages, 4);
    release();
    await b.drain();
    assert.equal(b.offer(99, 2000), false, 'byte bound');
    assert.equal(b.offer(99, 10), true);
    await b.drain();
  });
});
