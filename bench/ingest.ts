/**
 * Ingest benchmark: end-to-end HTTP NDJSON ingest (two concurrent clients, ~500-byte security
 * events, counted when the server answers 202, i.e. committed) and TCP syslog ingest, against
 * the baseline of a bare better-sqlite3 transaction inserting the same events into the same schema.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'node:http';
import { EVENT_ROW_WIDTH, openDatabase, pushEventRow } from '../src/store/sqlite/index.ts';
import { normalizeRecord } from '../src/normalize/index.ts';
import type { RawRecord, VigilEvent } from '../src/core/index.ts';
import { newId } from '../src/lib/index.ts';
import { report, securityEvent, startServer, syslogLine } from './lib.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);
const BATCH = 1000;
const CLIENTS = 2;

/**
 * Bare insert: the same rows (same document, full text and keys) into the same schema with the
 * same durability (synchronous=FULL), prepared beforehand, in transactions of `batch` rows.
 */
function bareInsert(records: RawRecord[], batch = Infinity): number {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bare-'));
  try {
    const db = openDatabase(join(dir, 'bare.db'), { synchronous: 'full', cacheMb: 128 });
    const receivedAt = new Date();
    const rows: unknown[] = [];
    for (const raw of records) {
      const result = normalizeRecord(raw, { input: { type: 'http', name: 'http' }, receivedAt });
      if (!result.ok) throw new Error(result.error);
      pushEventRow(rows, { ...result.value, id: newId(), input: { type: 'http', name: 'http' } } as VigilEvent);
    }
    const insertEvent = db.prepare(
      `INSERT INTO events (id, ts, ingested, input_type, input_name, host, user_name, source_ip, destination_ip, category, action, outcome, doc) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
    );
    const insertText = db.prepare('INSERT INTO events_fts (rowid, text) VALUES (?, ?)');
    const insertKeys = db.prepare('INSERT INTO events_keys (rowid, k) VALUES (?, ?)');
    const write = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i += EVENT_ROW_WIDTH) {
        const rid = insertEvent.run(rows[i], rows[i + 1], rows[i + 2], rows[i + 3], rows[i + 4], rows[i + 5], rows[i + 6], rows[i + 7], rows[i + 8], rows[i + 9], rows[i + 10], rows[i + 11], rows[i + 12]).lastInsertRowid;
        if (rows[i + 13]) insertText.run(rid, rows[i + 13]);
        if (rows[i + 14]) insertKeys.run(rid, rows[i + 14]);
      }
    });
    const started = performance.now();
    const step = Number.isFinite(batch) ? batch * EVENT_ROW_WIDTH : rows.length;
    for (let i = 0; i < rows.length; i += step) write(i, Math.min(rows.length, i + step));
    const seconds = (performance.now() - started) / 1000;
    db.close();
    return records.length / seconds;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function httpIngest(bodies: Buffer[], url: string, token: string, expected = EVENTS): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const target = new URL('/api/v1/events', url);
  const post = (body: Buffer) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        target,
        { method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson', 'content-length': body.length } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            if (res.statusCode === 503) return resolve(-1);
            if (res.statusCode !== 202) return reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks)}`));
            resolve(JSON.parse(Buffer.concat(chunks).toString()).accepted as number);
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  let next = 0;
  let accepted = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        let n = await post(body);
        while (n < 0) {
          await new Promise((r) => setTimeout(r, 50));
          n = await post(body);
        }
        accepted += n;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  if (accepted !== expected) throw new Error(`accepted ${accepted} of ${expected}`);
  return accepted / seconds;
}

async function acceptedCount(url: string, token: string, input: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
  const match = new RegExp(`^vigil_events_accepted_total\\{input="${input}"\\} (\\d+)`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}

async function syslogIngest(lines: string[], url: string, token: string, port: number): Promise<number> {
  const payload = Buffer.from(lines.map((l) => `${l}\n`).join(''));
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      let offset = 0;
      const chunk = 1 << 20;
      const pump = () => {
        while (offset < payload.length) {
          const ok = socket.write(payload.subarray(offset, offset + chunk));
          offset += chunk;
          if (!ok) return socket.once('drain', pump);
        }
        socket.end(resolve);
      };
      pump();
    });
    socket.on('error', reject);
  });
  for (;;) {
    const count = await acceptedCount(url, token, 'syslog-tcp');
    if (count >= lines.length) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return lines.length / ((performance.now() - started) / 1000);
}

const events = Array.from({ length: EVENTS }, (_, i) => securityEvent(i));
const lines = events.map((e) => JSON.stringify(e));
const averageBytes = Math.round(lines.reduce((sum, l) => sum + l.length, 0) / lines.length);
const bodies: Buffer[] = [];
for (let i = 0; i < lines.length; i += BATCH) bodies.push(Buffer.from(lines.slice(i, i + BATCH).join('\n')));

/** The ceiling: the best of several transaction sizes (FTS5 flushes differ with size). */
function bareCeiling(records: RawRecord[]): { best: number; by_batch: Record<string, number> } {
  const byBatch: Record<string, number> = {};
  for (const batch of [1000, 20_000, Infinity]) byBatch[Number.isFinite(batch) ? String(batch) : 'all'] = Math.round(bareInsert(records, batch));
  return { best: Math.max(...Object.values(byBatch)), by_batch: byBatch };
}
const bareRuns = bareCeiling(events.map((value) => ({ kind: 'object', value })));
const bare = bareRuns.best;
const syslogLines = Array.from({ length: EVENTS }, (_, i) => syslogLine(i));
const bareSyslog = bareCeiling(syslogLines.map((value) => ({ kind: 'text', value }))).best;
report({ bench: 'ingest.bare_insert', events: EVENTS, event_bytes: averageBytes, events_per_s: Math.round(bare), by_transaction_size: bareRuns.by_batch });

const server = await startServer();
try {
  // Warm-up (JIT, page cache), not measured.
  const warmup: Buffer[] = [];
  for (let i = 0; i < 20; i++) warmup.push(Buffer.from(Array.from({ length: BATCH }, (_, k) => JSON.stringify(securityEvent(EVENTS + i * BATCH + k))).join('\n')));
  await httpIngest(warmup, server.url, server.token, warmup.length * BATCH);
  const http = await httpIngest(bodies, server.url, server.token);
  report({ bench: 'ingest.http_ndjson', events: EVENTS, clients: CLIENTS, batch: BATCH, event_bytes: averageBytes, events_per_s: Math.round(http), ratio_to_bare_insert: Math.round((http / bare) * 100) / 100, goal: '>= 0.5 of bare insert and >= 30000 events/s' });
  const syslog = await syslogIngest(syslogLines, server.url, server.token, server.syslogPort);
  report({ bench: 'ingest.syslog_tcp', events: EVENTS, line_bytes: Math.round(syslogLines.reduce((n, l) => n + l.length, 0) / EVENTS), events_per_s: Math.round(syslog), bare_insert_same_events_per_s: Math.round(bareSyslog), ratio_to_bare_insert: Math.round((syslog / bareSyslog) * 100) / 100 });
} finally {
  await server.stop();
}
