// Worker bootstrap: loads tsx in this thread, then the TypeScript module named in workerData.
// (Workers do not reliably inherit loader hooks given with --import on Node 20.)
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.__module);
