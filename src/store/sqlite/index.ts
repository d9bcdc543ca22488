export { SqliteStore, EVENTS_SCHEMA, ALERTS_SCHEMA, type SqliteStoreOptions } from './store.ts';
