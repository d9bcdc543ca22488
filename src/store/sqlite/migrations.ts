import type Database from 'better-sqlite3';

/**
 * Schema versions, applied in order inside one transaction each. Never edit a shipped
 * migration: add a new one.
 *
 * Events: only id and @timestamp are B-tree indexed (both grow with time, so inserts append).
 * The common filter fields (host, user, IPs, category/action/outcome, input) are indexed as
 * exact "field=value" terms in the contentless FTS5 table events_keys: an inverted index that
 * absorbs high-cardinality values far faster than a B-tree per column (measured 79k vs 36k
 * rows/s). Free text (message, or every string of a record without one) goes to events_fts.
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE events (
     rid INTEGER PRIMARY KEY,
     id TEXT NOT NULL,
     ts INTEGER NOT NULL,
     ingested INTEGER NOT NULL,
     input_type TEXT NOT NULL COLLATE NOCASE,
     input_name TEXT NOT NULL COLLATE NOCASE,
     host TEXT COLLATE NOCASE,
     user_name TEXT COLLATE NOCASE,
     source_ip TEXT COLLATE NOCASE,
     destination_ip TEXT COLLATE NOCASE,
     category TEXT COLLATE NOCASE,
     action TEXT COLLATE NOCASE,
     outcome TEXT COLLATE NOCASE,
     doc TEXT NOT NULL
   );
   CREATE UNIQUE INDEX events_id ON events(id);
   CREATE INDEX events_ts ON events(ts);
   CREATE VIRTUAL TABLE events_fts USING fts5(text, content='', contentless_delete=1);
   CREATE VIRTUAL TABLE events_keys USING fts5(k, content='', contentless_delete=1, detail=none,
     tokenize="unicode61 tokenchars '=.:-_@'");
   CREATE TABLE dead_letters (
     id INTEGER PRIMARY KEY,
     received_at TEXT NOT NULL,
     input_type TEXT NOT NULL,
     input_name TEXT NOT NULL,
     input_address TEXT,
     reason TEXT NOT NULL,
     payload TEXT NOT NULL,
     encoding TEXT NOT NULL DEFAULT 'utf8'
   );
   CREATE TABLE tokens (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     role TEXT NOT NULL,
     hash TEXT NOT NULL UNIQUE,
     created_at TEXT NOT NULL,
     last_used_at TEXT,
     revoked_at TEXT
   );
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  `CREATE TABLE alerts (
     rid INTEGER PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     ts INTEGER NOT NULL,
     rule_id TEXT NOT NULL,
     level TEXT NOT NULL,
     status TEXT NOT NULL,
     fingerprint TEXT NOT NULL,
     doc TEXT NOT NULL
   );
   CREATE INDEX alerts_ts ON alerts(ts);
   CREATE INDEX alerts_rule ON alerts(rule_id, ts);
   CREATE TABLE checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL);`,
  `CREATE TABLE assets (name TEXT PRIMARY KEY COLLATE NOCASE, doc TEXT NOT NULL);
   CREATE TABLE services (name TEXT PRIMARY KEY COLLATE NOCASE, doc TEXT NOT NULL);`,
  `CREATE TABLE audit (seq INTEGER PRIMARY KEY, doc TEXT NOT NULL);`,
  // Triage: alerts become one row per alert (updated as repeats arrive) with their incident.
  `ALTER TABLE alerts ADD COLUMN incident_id TEXT;
   ALTER TABLE alerts ADD COLUMN suppressed_by TEXT;
   ALTER TABLE alerts ADD COLUMN source TEXT NOT NULL DEFAULT '';
   CREATE INDEX alerts_incident ON alerts(incident_id);
   CREATE INDEX alerts_fingerprint ON alerts(fingerprint, ts);
   CREATE TABLE incidents (
     seq INTEGER PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     status TEXT NOT NULL,
     priority TEXT NOT NULL,
     score REAL NOT NULL,
     severity TEXT NOT NULL,
     assignee TEXT,
     first_seen INTEGER NOT NULL,
     last_seen INTEGER NOT NULL,
     detected_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     doc TEXT NOT NULL
   );
   CREATE INDEX incidents_status_score ON incidents(status, score);
   CREATE INDEX incidents_score ON incidents(score);
   CREATE INDEX incidents_detected ON incidents(detected_at);
   CREATE TABLE incident_timeline (rid INTEGER PRIMARY KEY, incident_id TEXT NOT NULL, at INTEGER NOT NULL, doc TEXT NOT NULL);
   CREATE INDEX incident_timeline_incident ON incident_timeline(incident_id, rid);
   CREATE TABLE notifications (rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, incident_id TEXT NOT NULL, due_at INTEGER NOT NULL, doc TEXT NOT NULL);
   CREATE INDEX notifications_incident ON notifications(incident_id, rid);
   CREATE TABLE silences (id TEXT PRIMARY KEY, ends_at INTEGER NOT NULL, doc TEXT NOT NULL);
   CREATE TABLE noise_ledger (
     hour INTEGER NOT NULL,
     rule_id TEXT NOT NULL,
     source TEXT NOT NULL,
     service TEXT NOT NULL,
     stage TEXT NOT NULL,
     reason TEXT NOT NULL,
     count INTEGER NOT NULL,
     PRIMARY KEY (hour, rule_id, source, service, stage, reason)
   ) WITHOUT ROWID;`,
  // Change management: change records with their timeline, freeze policies, observed changes.
  `CREATE TABLE changes (
     seq INTEGER PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     status TEXT NOT NULL,
     type TEXT NOT NULL,
     start_at INTEGER NOT NULL,
     end_at INTEGER NOT NULL,
     doc TEXT NOT NULL
   );
   CREATE INDEX changes_window ON changes(start_at, end_at);
   CREATE TABLE change_timeline (rid INTEGER PRIMARY KEY, change_id TEXT NOT NULL, at INTEGER NOT NULL, doc TEXT NOT NULL);
   CREATE INDEX change_timeline_change ON change_timeline(change_id, rid);
   CREATE TABLE change_policies (name TEXT PRIMARY KEY, doc TEXT NOT NULL);
   CREATE TABLE change_events (rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, ts INTEGER NOT NULL, asset TEXT, matched_change TEXT, doc TEXT NOT NULL);
   CREATE INDEX change_events_ts ON change_events(ts);`,
  // Threat intelligence. Indicators keyed "type:value" (so a type is a key range, no index of its
  // own); sightings in columns (the matcher adds to them without rewriting the document).
  `CREATE TABLE indicators (
     id TEXT PRIMARY KEY,
     type TEXT NOT NULL,
     source TEXT NOT NULL,
     valid_until INTEGER,
     sightings INTEGER NOT NULL DEFAULT 0,
     last_sighting TEXT,
     doc TEXT NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX indicators_source ON indicators(source);
   CREATE TABLE intel_feeds (name TEXT PRIMARY KEY, cursor TEXT NOT NULL, status TEXT NOT NULL);
   CREATE TABLE watchlists (name TEXT PRIMARY KEY, doc TEXT NOT NULL);
   CREATE TABLE retro_hunts (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, doc TEXT NOT NULL);`,
  // Notifications: the outbox (one row per message per channel, written before it is sent), what
  // each channel keeps per incident to update its message, and policies made through the API.
  `CREATE TABLE outbox (
     rid INTEGER PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     channel TEXT NOT NULL,
     incident_id TEXT,
     status TEXT NOT NULL,
     next_at INTEGER NOT NULL,
     doc TEXT NOT NULL
   );
   CREATE INDEX outbox_due ON outbox(status, next_at);
   CREATE INDEX outbox_incident ON outbox(incident_id, rid);
   CREATE TABLE notify_threads (channel TEXT NOT NULL, incident_id TEXT NOT NULL, ref TEXT NOT NULL, PRIMARY KEY (channel, incident_id)) WITHOUT ROWID;
   CREATE TABLE notify_policies (name TEXT PRIMARY KEY, doc TEXT NOT NULL);`,
];

export function migrate(db: Database.Database): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
  return MIGRATIONS.length;
}
