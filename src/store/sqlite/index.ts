export { SqliteStore, EVENTS_SCHEMA, ALERTS_SCHEMA, type SqliteStoreOptions } from './store.ts';
// The bench's bare-insert baseline writes the same rows into the same schema.
export { openDatabase } from './open.ts';
export { EVENT_ROW_WIDTH, pushEventRow } from './rows.ts';
