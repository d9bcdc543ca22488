import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';

// ulid's default generator asks the OS for one random byte per character; a pool refilled 4 KiB
// at a time gives the same randomness without a system call per id.
const pool = new Uint8Array(4096);
let next = pool.length;
const pooledRandom = (): number => {
  if (next === pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  return pool[next++]! / 0x100;
};

/** ULIDs from one monotonic generator sort in creation order, even within one millisecond. */
const nextUlid = monotonicFactory(pooledRandom);

export const newId = (time?: number): string => nextUlid(time);
