import type Database from 'better-sqlite3';
import type { Delivery, DeliveryStatus, NotificationRecord, ThreadRef } from '../../core/index.ts';
import type { DeliverySearch, NotifyStore, Page } from '../ports.ts';

/**
 * The notification half of the SQLite store: the outbox (each message written before it is sent,
 * due time and status in columns for the sender's scan), threads, and API-made policies.
 */
export class SqliteNotify implements NotifyStore {
  constructor(private readonly db: Database.Database) {}

  async notificationsAfter(position: number, limit: number): Promise<Array<{ position: number; record: NotificationRecord }>> {
    const rows = this.db.prepare('SELECT rid, doc FROM notifications WHERE rid > ? ORDER BY rid LIMIT ?').raw(true).all(position, limit) as Array<[number, string]>;
    return rows.map(([rid, doc]) => ({ position: rid, record: JSON.parse(doc) as NotificationRecord }));
  }

  async previousNotification(incidentId: string, before: number): Promise<NotificationRecord | null> {
    const doc = this.db.prepare('SELECT doc FROM notifications WHERE incident_id = ? AND rid < ? ORDER BY rid DESC LIMIT 1').pluck().get(incidentId, before) as string | undefined;
    return doc ? (JSON.parse(doc) as NotificationRecord) : null;
  }

  async enqueueDeliveries(deliveries: Delivery[], checkpoint?: { name: string; position: number }): Promise<void> {
    const insert = this.db.prepare('INSERT OR IGNORE INTO outbox (id, channel, incident_id, status, next_at, doc) VALUES (?, ?, ?, ?, ?, ?)');
    const move = this.db.prepare('INSERT INTO checkpoints (name, position) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET position = excluded.position');
    this.db.transaction(() => {
      for (const d of deliveries) insert.run(d.id, d.channel, d.incident_id, d.status, Date.parse(d.next_attempt_at), JSON.stringify(d));
      if (checkpoint) move.run(checkpoint.name, checkpoint.position);
    }).immediate();
  }

  async saveDelivery(delivery: Delivery): Promise<void> {
    this.db
      .prepare('UPDATE outbox SET status = ?, next_at = ?, doc = ? WHERE id = ?')
      .run(delivery.status, Date.parse(delivery.next_attempt_at), JSON.stringify(delivery), delivery.id);
  }

  async saveDeliveries(deliveries: Delivery[]): Promise<void> {
    const update = this.db.prepare('UPDATE outbox SET status = ?, next_at = ?, doc = ? WHERE id = ?');
    this.db.transaction(() => {
      for (const d of deliveries) update.run(d.status, Date.parse(d.next_attempt_at), JSON.stringify(d), d.id);
    }).immediate();
  }

  async getDelivery(id: string): Promise<Delivery | null> {
    const doc = this.db.prepare('SELECT doc FROM outbox WHERE id = ?').pluck().get(id) as string | undefined;
    return doc ? (JSON.parse(doc) as Delivery) : null;
  }

  async dueDeliveries(statuses: DeliveryStatus[], at: number, limit: number): Promise<Delivery[]> {
    const docs = this.db
      .prepare(`SELECT doc FROM outbox WHERE status IN (${statuses.map(() => '?').join(', ')}) AND next_at <= ? ORDER BY next_at, rid LIMIT ?`)
      .pluck()
      .all(...statuses, at, limit) as string[];
    return docs.map((doc) => JSON.parse(doc) as Delivery);
  }

  async searchDeliveries(request: DeliverySearch): Promise<Page<Delivery>> {
    const parts = ['rid < ?'];
    const params: unknown[] = [request.before ?? Number.MAX_SAFE_INTEGER];
    if (request.status) parts.push('status = ?'), params.push(request.status);
    if (request.channel) parts.push('channel = ?'), params.push(request.channel);
    if (request.incident_id) parts.push('incident_id = ?'), params.push(request.incident_id);
    if (request.digest_id) parts.push("json_extract(doc, '$.digest_id') = ?"), params.push(request.digest_id);
    const rows = this.db
      .prepare(`SELECT rid, doc FROM outbox WHERE ${parts.join(' AND ')} ORDER BY rid DESC LIMIT ?`)
      .raw(true)
      .all(...params, request.limit + 1) as Array<[number, string]>;
    const more = rows.length > request.limit;
    const page = more ? rows.slice(0, request.limit) : rows;
    return { items: page.map((row) => JSON.parse(row[1]) as Delivery), next_cursor: more ? String(page[page.length - 1]![0]) : null };
  }

  async getThread(channel: string, incidentId: string): Promise<ThreadRef | null> {
    const ref = this.db.prepare('SELECT ref FROM notify_threads WHERE channel = ? AND incident_id = ?').pluck().get(channel, incidentId) as string | undefined;
    return ref ? (JSON.parse(ref) as ThreadRef) : null;
  }

  async putThread(channel: string, incidentId: string, ref: ThreadRef): Promise<void> {
    this.db
      .prepare('INSERT INTO notify_threads (channel, incident_id, ref) VALUES (?, ?, ?) ON CONFLICT(channel, incident_id) DO UPDATE SET ref = excluded.ref')
      .run(channel, incidentId, JSON.stringify(ref));
  }

  async findThread(channel: string, key: string, value: string): Promise<string | null> {
    const id = this.db.prepare("SELECT incident_id FROM notify_threads WHERE channel = ? AND json_extract(ref, '$.' || ?) = ?").pluck().get(channel, key, value) as string | undefined;
    return id ?? null;
  }

  async putNotifyPolicy(name: string, policy: unknown): Promise<void> {
    this.db.prepare('INSERT INTO notify_policies (name, doc) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET doc = excluded.doc').run(name, JSON.stringify(policy));
  }

  async deleteNotifyPolicy(name: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM notify_policies WHERE name = ?').run(name).changes > 0;
  }

  async listNotifyPolicies(): Promise<unknown[]> {
    return (this.db.prepare('SELECT doc FROM notify_policies ORDER BY name').pluck().all() as string[]).map((doc) => JSON.parse(doc) as unknown);
  }
}
