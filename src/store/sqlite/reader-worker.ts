/** Runs read-only SQL off the main thread so a heavy search never stalls ingest. */
import { parentPort, workerData } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { openDatabase } from './open.ts';

const { file, cacheMb } = workerData as { file: string; cacheMb: number };
const port = parentPort!;
const db = openDatabase(file, { readonly: true, cacheMb });
const statements = new Map<string, Database.Statement>();

const prepare = (sql: string): Database.Statement => {
  let statement = statements.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    if (statements.size > 200) statements.clear();
    statements.set(sql, statement);
  }
  return statement;
};

port.on('message', (request: { id: number; sql: string; params: unknown[] }) => {
  try {
    const rows = prepare(request.sql).raw(true).all(...request.params);
    port.postMessage({ id: request.id, rows });
  } catch (error) {
    port.postMessage({ id: request.id, error: (error as Error).message });
  }
});
port.postMessage({ ready: true });
