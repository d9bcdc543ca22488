export * from './local.ts';
export * from './server.ts';
export * from './tokens.ts';
export * from './ingest.ts';
export * from './events.ts';
export * from './inventory.ts';
export * from './alerts.ts';
export * from './detection.ts';
