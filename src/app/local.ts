import { join, resolve } from 'node:path';
import type { VigilConfig } from '../config/index.ts';
import { silentLogger, type Logger } from '../lib/index.ts';
import { SqliteStore } from '../store/sqlite/index.ts';
import { EventsService } from './events.ts';
import { IngestPipeline } from './ingest.ts';
import { VigilMetrics } from './metrics.ts';
import { TokenService } from './tokens.ts';
import { AuditTrail } from './audit.ts';
import { InventoryService } from './inventory.ts';
import { InventoryCache } from './inventory-cache.ts';

/** Everything that works on a data folder, without listeners: shared by `vigil serve` and the CLI's local mode. */
export interface LocalServices {
  config: VigilConfig;
  dataDir: string;
  store: SqliteStore;
  metrics: VigilMetrics;
  pipeline: IngestPipeline;
  events: EventsService;
  tokens: TokenService;
  audit: AuditTrail;
  inventory: InventoryService;
  /** The inventory as an in-memory index for triage and changes, kept current by the inventory service. */
  inventoryIndex: InventoryCache;
  logger: Logger;
  close(): Promise<void>;
}

export async function openLocal(config: VigilConfig, logger: Logger = silentLogger()): Promise<LocalServices> {
  const dataDir = resolve(config.data);
  const store = await SqliteStore.open(join(dataDir, 'vigil.db'), {
    cacheMb: config.store.cache_mb,
    synchronous: config.store.synchronous,
    maxPending: config.ingest.max_pending,
    maxBatch: config.ingest.batch_max_records,
    queryTimeoutMs: config.search.timeout_ms,
  });
  const metrics = new VigilMetrics(() => store.pendingWrites());
  store.onWriteLatency = (seconds) => metrics.writeSeconds.observe(seconds);
  const pipeline = new IngestPipeline(store, { maxFields: config.ingest.max_fields, maxDepth: config.ingest.max_depth }, metrics);
  const events = new EventsService(store, pipeline, { defaultLimit: config.search.default_limit, maxLimit: config.search.max_limit });
  const audit = new AuditTrail(store);
  const tokens = new TokenService(store, audit);
  const inventory = new InventoryService(store, audit);
  const inventoryIndex = new InventoryCache(store);
  inventory.onChange = () => inventoryIndex.invalidate();
  return {
    config,
    dataDir,
    store,
    metrics,
    pipeline,
    events,
    tokens,
    audit,
    inventory,
    inventoryIndex,
    logger,
    close: () => store.close(),
  };
}
