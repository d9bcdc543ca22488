import { Worker } from 'node:worker_threads';

const BOOTSTRAP = new URL('./ts-worker.mjs', import.meta.url);

/** Starts a worker running a TypeScript module (through a tiny bootstrap that loads tsx). */
export function startTsWorker(url: URL, workerData: Record<string, unknown>): Worker {
  return new Worker(BOOTSTRAP, { workerData: { ...workerData, __module: url.href } });
}
