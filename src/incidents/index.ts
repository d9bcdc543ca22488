export * from './lifecycle.ts';
export * from './sla.ts';
export * from './response-stats.ts';
