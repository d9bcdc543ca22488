import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrate } from './migrations.ts';

export interface OpenOptions {
  readonly?: boolean;
  cacheMb?: number;
  /** 'full' fsyncs every commit (2xx means on disk even after power loss); 'normal' survives process crashes. */
  synchronous?: 'full' | 'normal';
  migrate?: boolean;
}

export function openDatabase(file: string, options: OpenOptions = {}): Database.Database {
  if (!options.readonly) mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  db.pragma('busy_timeout = 10000');
  db.pragma(`cache_size = -${(options.cacheMb ?? 64) * 1024}`);
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    db.pragma('wal_autocheckpoint = 4000');
    if (options.migrate !== false) migrate(db);
  } else {
    db.pragma('query_only = ON');
  }
  return db;
}
