export * from './event.ts';
export * from './result.ts';
export * from './errors.ts';
export * from './roles.ts';
export * from './ingest.ts';
export * from './alert.ts';
export * from './inventory.ts';
export * from './query/index.ts';
