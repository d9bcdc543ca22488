/**
 * The single writer: owns the write connection and commits everything handed to it in group
 * commits. Messages that arrive while a transaction runs are queued and go into the next one,
 * so many small requests share one commit (and one fsync).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from './open.ts';
import { ALERT_ROW_WIDTH, DEAD_LETTER_ROW_WIDTH, EVENT_ROW_WIDTH, INCIDENT_ROW_WIDTH, LEDGER_ROW_WIDTH, NOTIFICATION_ROW_WIDTH, TIMELINE_ROW_WIDTH } from './rows.ts';
import type { WriterRequest, WriterReply, WriterOptions } from './writer-protocol.ts';

const options = workerData as WriterOptions;
const port = parentPort!;
const db = openDatabase(options.file, { cacheMb: options.cacheMb, synchronous: options.synchronous });

const insertEvent = db.prepare(
  `INSERT INTO events (id, ts, ingested, input_type, input_name, host, user_name, source_ip, destination_ip,
     category, action, outcome, doc) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
);
const insertText = db.prepare('INSERT INTO events_fts (rowid, text) VALUES (?, ?)');
const insertKeys = db.prepare('INSERT INTO events_keys (rowid, k) VALUES (?, ?)');
const insertDeadLetter = db.prepare(
  `INSERT INTO dead_letters (received_at, input_type, input_name, input_address, reason, payload, encoding)
   VALUES (?,?,?,?,?,?,?)`,
);
// Triage rewrites an alert as repeats arrive: one row per alert, updated in place.
const upsertAlert = db.prepare(
  `INSERT INTO alerts (id, ts, rule_id, level, status, fingerprint, doc, incident_id, suppressed_by, source) VALUES (?,?,?,?,?,?,?,?,?,?)
   ON CONFLICT(id) DO UPDATE SET ts = excluded.ts, level = excluded.level, status = excluded.status, doc = excluded.doc,
     incident_id = excluded.incident_id, suppressed_by = excluded.suppressed_by`,
);
const upsertIncident = db.prepare(
  `INSERT INTO incidents (seq, id, status, priority, score, severity, assignee, first_seen, last_seen, detected_at, updated_at, doc)
   VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
   ON CONFLICT(seq) DO UPDATE SET status = excluded.status, priority = excluded.priority, score = excluded.score,
     severity = excluded.severity, assignee = excluded.assignee, first_seen = excluded.first_seen, last_seen = excluded.last_seen,
     updated_at = excluded.updated_at, doc = excluded.doc`,
);
const insertTimeline = db.prepare('INSERT INTO incident_timeline (incident_id, at, doc) VALUES (?,?,?)');
const insertNotification = db.prepare('INSERT OR IGNORE INTO notifications (id, incident_id, due_at, doc) VALUES (?,?,?,?)');
const addLedger = db.prepare(
  `INSERT INTO noise_ledger (hour, rule_id, source, service, stage, reason, count) VALUES (?,?,?,?,?,?,?)
   ON CONFLICT(hour, rule_id, source, service, stage, reason) DO UPDATE SET count = count + excluded.count`,
);
const saveCheckpoint = db.prepare(
  'INSERT INTO checkpoints (name, position) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET position = max(position, excluded.position)',
);
const oldestRows = db.prepare('SELECT rid, ingested FROM events WHERE rid > ? AND rid <= ? ORDER BY rid LIMIT ?').raw(true);
const deleteText = db.prepare('DELETE FROM events_fts WHERE rowid = ?');
const deleteKeys = db.prepare('DELETE FROM events_keys WHERE rowid = ?');
const deleteEvent = db.prepare('DELETE FROM events WHERE rid = ?');

type WriteRequest = Extract<WriterRequest, { t: 'write' }>;
let queue: WriteRequest[] = [];
let scheduled = false;
let closing = false;

/** Writes one request; returns the first and last event rowid (0, 0 when none). */
function writeRequest(request: WriteRequest): [number, number] {
  const { rows, dead, alerts, incidents, timeline, notifications, ledger } = request;
  let first = 0;
  let last = 0;
  for (let i = 0; i < rows.length; i += EVENT_ROW_WIDTH) {
    const rid = insertEvent.run(
      rows[i], rows[i + 1], rows[i + 2], rows[i + 3], rows[i + 4], rows[i + 5], rows[i + 6],
      rows[i + 7], rows[i + 8], rows[i + 9], rows[i + 10], rows[i + 11], rows[i + 12],
    ).lastInsertRowid as number;
    if (first === 0) first = rid;
    last = rid;
    const text = rows[i + 13] as string;
    if (text) insertText.run(rid, text);
    const keys = rows[i + 14] as string;
    if (keys) insertKeys.run(rid, keys);
  }
  for (let i = 0; i < dead.length; i += DEAD_LETTER_ROW_WIDTH) {
    insertDeadLetter.run(dead[i], dead[i + 1], dead[i + 2], dead[i + 3], dead[i + 4], dead[i + 5], dead[i + 6]);
  }
  for (let i = 0; i < alerts.length; i += ALERT_ROW_WIDTH) upsertAlert.run(alerts.slice(i, i + ALERT_ROW_WIDTH));
  for (let i = 0; i < incidents.length; i += INCIDENT_ROW_WIDTH) upsertIncident.run(incidents.slice(i, i + INCIDENT_ROW_WIDTH));
  for (let i = 0; i < timeline.length; i += TIMELINE_ROW_WIDTH) insertTimeline.run(timeline.slice(i, i + TIMELINE_ROW_WIDTH));
  for (let i = 0; i < notifications.length; i += NOTIFICATION_ROW_WIDTH) insertNotification.run(notifications.slice(i, i + NOTIFICATION_ROW_WIDTH));
  for (let i = 0; i < ledger.length; i += LEDGER_ROW_WIDTH) addLedger.run(ledger.slice(i, i + LEDGER_ROW_WIDTH));
  if (request.checkpoint) saveCheckpoint.run(request.checkpoint.name, request.checkpoint.position);
  return [first, last];
}

const commitGroup = db.transaction((group: WriteRequest[]) => group.map(writeRequest));

function flush(): void {
  scheduled = false;
  while (queue.length > 0) {
    let rows = 0;
    let take = 0;
    while (take < queue.length && (take === 0 || rows + queue[take]!.rows.length / EVENT_ROW_WIDTH <= options.maxBatch)) {
      rows += queue[take]!.rows.length / EVENT_ROW_WIDTH;
      take++;
    }
    const group = queue.slice(0, take);
    queue = queue.slice(take);
    const seqs = group.map((r) => r.seq);
    try {
      const ranges = commitGroup.immediate(group);
      post({ t: 'done', seqs, ranges });
    } catch (error) {
      post({ t: 'failed', seqs, error: (error as Error).message });
    }
    // Let newly arrived messages join the next group.
    if (queue.length > 0) {
      scheduled = true;
      setImmediate(flush);
      return;
    }
  }
}

/**
 * Deletes the oldest events, by ingest time, in commit order: it stops at the first event
 * ingested at or after the cutoff, and never passes `maxRid` (events a consumer has not seen).
 */
function deleteBefore(cutoff: number, maxRid: number, chunk = 2000): number {
  let total = 0;
  let after = 0;
  for (;;) {
    const rows = oldestRows.all(after, maxRid, chunk) as Array<[number, number]>;
    const rids: number[] = [];
    let reachedCutoff = false;
    for (const [rid, ingested] of rows) {
      if (ingested >= cutoff) {
        reachedCutoff = true;
        break;
      }
      rids.push(rid);
    }
    if (rids.length > 0) {
      db.transaction(() => {
        for (const rid of rids) {
          deleteText.run(rid);
          deleteKeys.run(rid);
          deleteEvent.run(rid);
        }
      }).immediate();
      total += rids.length;
      after = rids[rids.length - 1]!;
    }
    if (reachedCutoff || rows.length < chunk) return total;
  }
}

const post = (reply: WriterReply): void => port.postMessage(reply);

port.on('message', (request: WriterRequest) => {
  switch (request.t) {
    case 'write':
      if (closing) {
        post({ t: 'failed', seqs: [request.seq], error: 'store is closing' });
        return;
      }
      queue.push(request);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
      return;
    case 'delete-before':
      flush();
      try {
        post({ t: 'deleted', seq: request.seq, count: deleteBefore(request.ts, request.maxPosition ?? Number.MAX_SAFE_INTEGER) });
      } catch (error) {
        post({ t: 'failed', seqs: [request.seq], error: (error as Error).message });
      }
      return;
    case 'close':
      closing = true;
      flush();
      db.pragma('wal_checkpoint(PASSIVE)');
      db.close();
      post({ t: 'closed' });
      return;
  }
});

post({ t: 'ready' });
