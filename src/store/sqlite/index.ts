export { SqliteStore, EVENTS_SCHEMA, type SqliteStoreOptions } from './store.ts';
