#!/usr/bin/env -S node --max-semi-space-size=32
// Runs the TypeScript sources directly through tsx: no build step between a clone and a run.
import { setFlagsFromString } from 'node:v8';
import { register } from 'tsx/esm/api';

// Ingest allocates many short-lived objects: a larger young generation halves GC time.
// (Set before the heap grows; equivalent to node --max-semi-space-size=32.)
if (!process.execArgv.some((a) => a.startsWith('--max-semi-space-size'))) setFlagsFromString('--max-semi-space-size=32');

register();
await import('../src/cli/main.ts');
