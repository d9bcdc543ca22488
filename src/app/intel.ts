import { VigilError, badRequest, notFound, type Alert, type Indicator, type IndicatorType, type RetroHunt, type VigilEvent, type Watchlist } from '../core/index.ts';
import type { VigilConfig } from '../config/index.ts';
import {
  EMPTY_FEED_CURSOR,
  FeedScheduler,
  pullHttpFeed,
  pullTaxiiCollection,
  ImportFormatError,
  IndicatorError,
  IntelMatcher,
  indicatorValidAt,
  alertsOfHits,
  parseIndicatorCsv,
  parseIndicatorLines,
  parseMispEvent,
  parseStixBundle,
  toIndicator,
  toWatchlist,
  WatchlistIndex,
  type FeedConfig,
  type FeedCursor,
  type FeedStatus,
  type ImportResult,
  type NewIndicator,
  type ObservableField,
} from '../detect/index.ts';
import { parseDuration, type Logger } from '../lib/index.ts';
import type { IndicatorSearch, Page, Store } from '../store/index.ts';
import type { AuditTrail } from './audit.ts';
import { RetroHunter } from './retro-hunt.ts';

export type ImportFormat = 'stix' | 'misp' | 'csv' | 'lines';
export const IMPORT_FORMATS: readonly ImportFormat[] = ['stix', 'misp', 'csv', 'lines'];

/** What adding indicators did; rejected entries name their place, field and reason. */
export interface IndicatorReport {
  added: number;
  updated: number;
  unchanged: number;
  rejected: Array<{ where: string; field?: string; reason: string }>;
  unsupported: Array<{ where: string; pattern?: string; reason: string }>;
  /** The retro-hunt started for the new and changed indicators, or null. */
  retro_hunt: string | null;
}

/** Indicators written per transaction (so one huge import does not hold the database for long). */
const WRITE_CHUNK = 20_000;
/** Matched indicators' details kept in memory (hits are few; the store answers the rest). */
const DETAIL_CACHE = 10_000;

/** One pull: an HTTP feed's body (unless unchanged since the cursor) or a TAXII collection's new objects. */
async function pullFeed(
  feed: FeedConfig,
  cursor: FeedCursor | null,
): Promise<{ kind: 'not_modified' } | { kind: 'body'; body: string; cursor: FeedCursor } | { kind: 'objects'; objects: unknown[]; cursor: FeedCursor }> {
  if (feed.kind === 'taxii') {
    const result = await pullTaxiiCollection(feed, cursor ?? EMPTY_FEED_CURSOR);
    return { kind: 'objects', objects: result.objects, cursor: result.cursor };
  }
  const result = await pullHttpFeed(feed, cursor ?? EMPTY_FEED_CURSOR);
  return result.status === 'not_modified' ? { kind: 'not_modified' } : { kind: 'body', body: result.body, cursor: result.cursor };
}

/** Parses an import in one of the supported formats (a malformed whole throws ImportFormatError). */
export function parseImport(text: string, format: ImportFormat, source: string, type?: IndicatorType): ImportResult {
  switch (format) {
    case 'stix':
      return parseStixBundle(text, source);
    case 'misp':
      return parseMispEvent(text, source);
    case 'csv':
      return parseIndicatorCsv(text, source, type ? { type } : undefined);
    case 'lines':
      return parseIndicatorLines(text, source, type);
  }
}

/**
 * Threat intelligence: indicators in (API, imports, feeds), matched against every committed event
 * in constant time per field, sightings counted, and new indicators searched for back in time.
 */
export class IntelService {
  readonly matcher: IntelMatcher;
  private readonly details = new Map<string, Indicator>();
  private readonly hunter: RetroHunter;
  private readonly feeds: FeedScheduler | null;
  private readonly feedConfigs: Map<string, FeedConfig & { confidence?: number; type?: string }>;
  /** The watchlists as triage and the rules read them; replaced whenever one changes. */
  private watchlistIndex = new WatchlistIndex();
  /** Told when a watchlist changed (rules take them as placeholders). */
  onWatchlistsChanged?: (index: WatchlistIndex) => void;
  /** Where alerts found by retro-hunts go (triage in `vigil serve`). */
  publish: (alerts: Alert[]) => Promise<unknown> = async (alerts) => this.store.write({ events: [], deadLetters: [], alerts });

  constructor(
    private readonly store: Store,
    private readonly config: VigilConfig,
    private readonly audit: AuditTrail,
    private readonly logger: Logger,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.matcher = new IntelMatcher(config.intel.match_fields as ObservableField[]);
    this.hunter = new RetroHunter(
      store,
      this.matcher,
      (ids) => this.resolve(ids),
      (alerts) => this.publish(alerts),
      (alerts) => this.recordSightings(alerts),
      logger,
      { days: config.intel.retro_hunt_days, pageSize: 2000, clock },
    );
    this.feedConfigs = new Map(
      config.intel.feeds.map((feed) => [
        feed.name,
        { ...feed, kind: feed.kind ?? 'http', interval_ms: parseDuration(feed.interval ?? '1h') } as FeedConfig & { confidence?: number; type?: string },
      ]),
    );
    this.feeds =
      this.feedConfigs.size > 0
        ? new FeedScheduler({ feeds: [...this.feedConfigs.values()], pull: (feed) => this.pull(feed.name) })
        : null;
  }

  /** Loads every stored indicator into the matcher, resumes cut-short hunts, starts the feeds. */
  async start(options: { feeds: boolean } = { feeds: true }): Promise<void> {
    for await (const batch of this.store.indicatorBatches(50_000)) for (const indicator of batch) this.matcher.add(indicator);
    this.watchlistIndex = new WatchlistIndex(await this.store.listWatchlists());
    this.logger.info({ indicators: this.matcher.size }, 'threat-intel indicators loaded');
    await this.hunter.resume();
    if (options.feeds) this.feeds?.start();
  }

  /**
   * For a process that only changes the data folder (the CLI): new indicators' hunts are
   * recorded as queued, and the server runs them when it next starts.
   */
  deferHunts(): void {
    this.hunter.runs = false;
  }

  /** Starts pulling the configured feeds (each at once, then at its interval). */
  startFeeds(): void {
    this.feeds?.start();
  }

  async stop(): Promise<void> {
    await this.feeds?.stop();
    await this.hunter.stop();
  }

  /** Resolves once no retro-hunt is queued or running. */
  huntsIdle(): Promise<void> {
    return this.hunter.idle();
  }

  // ---- indicators ---------------------------------------------------------------------------

  /**
   * Checks, stores and starts matching indicators; each bad entry is reported alone (by index)
   * and the good ones beside it are kept. New and changed ones are searched for back in time.
   */
  async add(entries: unknown[], actor: string, options: { source?: string; confidence?: number; retroHunt?: boolean } = {}): Promise<IndicatorReport> {
    const now = this.clock();
    const defaults = { confidence: options.confidence ?? this.config.intel.default_confidence };
    const good: NewIndicator[] = [];
    const rejected: IndicatorReport['rejected'] = [];
    entries.forEach((entry, index) => {
      try {
        good.push(toIndicator(entry, defaults, now, options.source));
      } catch (error) {
        if (!(error instanceof IndicatorError)) throw error;
        rejected.push({ where: `[${index}]`, field: error.field, reason: error.reason });
      }
    });
    return this.store_(good, rejected, [], actor, options.retroHunt ?? true, options.source ?? null);
  }

  /** Imports a file's text; a malformed whole answers 422 and stores nothing. */
  async import(text: string, format: ImportFormat, source: string, actor: string, options: { type?: IndicatorType; confidence?: number; retroHunt?: boolean } = {}): Promise<IndicatorReport> {
    let parsed: ImportResult;
    try {
      parsed = parseImport(text, format, source, options.type);
    } catch (error) {
      if (error instanceof ImportFormatError) throw new VigilError('import_format', `nothing imported: ${error.message}`, 422, 'body', { where: error.where, reason: error.reason });
      throw error;
    }
    const now = this.clock();
    const defaults = { confidence: options.confidence ?? this.config.intel.default_confidence };
    const good: NewIndicator[] = [];
    const rejected: IndicatorReport['rejected'] = parsed.rejected.map((r) => ({ where: r.where, reason: r.reason }));
    parsed.indicators.forEach((input, index) => {
      try {
        good.push(toIndicator(input, defaults, now, source));
      } catch (error) {
        if (!(error instanceof IndicatorError)) throw error;
        rejected.push({ where: input.external_id ?? `indicator ${index + 1}`, field: error.field, reason: `${error.reason} (${input.type} ${JSON.stringify(input.value)})` });
      }
    });
    return this.store_(good, rejected, parsed.unsupported, actor, options.retroHunt ?? true, source);
  }

  private async store_(good: NewIndicator[], rejected: IndicatorReport['rejected'], unsupported: IndicatorReport['unsupported'], actor: string, hunt: boolean, source: string | null): Promise<IndicatorReport> {
    let added = 0;
    let updated = 0;
    let unchanged = 0;
    const searched: string[] = [];
    for (let i = 0; i < good.length; i += WRITE_CHUNK) {
      const chunk = good.slice(i, i + WRITE_CHUNK);
      const result = await this.store.putIndicators(chunk);
      added += result.added.length;
      updated += result.updated.length;
      unchanged += result.unchanged;
      searched.push(...result.added, ...result.updated);
      for (const indicator of chunk) {
        this.matcher.add(indicator);
        this.details.delete(indicator.id);
      }
    }
    const retro = hunt && searched.length > 0 && this.config.intel.retro_hunt_days > 0 ? await this.hunter.enqueue(searched) : null;
    if (added + updated > 0) {
      await this.audit.record({
        actor,
        action: 'intel.indicators.put',
        object_type: 'indicators',
        object_id: source ?? 'api',
        before: null,
        after: { added, updated, sample: searched.slice(0, 20), retro_hunt: retro?.id ?? null },
      });
    }
    return { added, updated, unchanged, rejected, unsupported, retro_hunt: retro?.id ?? null };
  }

  list(params: { type?: string; source?: string; prefix?: string; valid?: boolean; limit?: number; cursor?: string }): Promise<Page<Indicator>> {
    const request: IndicatorSearch = { limit: params.limit ?? 100 };
    if (params.type) request.type = params.type as IndicatorType;
    if (params.source) request.source = params.source;
    if (params.prefix) request.prefix = params.prefix.toLowerCase();
    if (params.valid) request.validAt = this.clock().getTime();
    if (params.cursor) request.after = params.cursor;
    return this.store.searchIndicators(request);
  }

  /** Deletes every indicator of a source (a feed withdrawn, a file imported by mistake). */
  async deleteSource(source: string, actor: string): Promise<number> {
    let deleted = 0;
    for (;;) {
      const page = await this.store.searchIndicators({ source, limit: 10_000 });
      if (page.items.length === 0) return deleted;
      deleted += (await this.delete(page.items.map((i) => i.id), actor)).length;
    }
  }

  async get(id: string): Promise<Indicator> {
    const indicator = await this.store.getIndicator(id);
    if (!indicator) throw notFound(`indicator '${id}'`);
    return indicator;
  }

  async delete(ids: string[], actor: string): Promise<string[]> {
    const deleted = await this.store.deleteIndicators(ids);
    for (const id of deleted) {
      this.matcher.remove(id);
      this.details.delete(id);
    }
    if (deleted.length > 0) await this.audit.record({ actor, action: 'intel.indicators.delete', object_type: 'indicators', object_id: deleted.length === 1 ? deleted[0]! : 'bulk', before: { ids: deleted.slice(0, 100), count: deleted.length }, after: null });
    return deleted;
  }

  /** Indicators by id, from memory when recently matched. */
  private async resolve(ids: Iterable<string>): Promise<Map<string, Indicator>> {
    const out = new Map<string, Indicator>();
    for (const id of ids) {
      if (out.has(id)) continue;
      let indicator = this.details.get(id);
      if (!indicator) {
        indicator = (await this.store.getIndicator(id)) ?? undefined;
        if (!indicator) continue;
        if (this.details.size >= DETAIL_CACHE) this.details.delete(this.details.keys().next().value!);
        this.details.set(id, indicator);
      }
      out.set(id, indicator);
    }
    return out;
  }

  // ---- matching -------------------------------------------------------------------------------

  /** Alerts for committed events that hold an indicator valid now; sightings are counted. */
  async detect(events: VigilEvent[]): Promise<Alert[]> {
    const hits = this.matcher.hits(events);
    if (hits.length === 0) return [];
    const indicators = await this.resolve(hits.map((h) => h.indicatorId));
    const now = this.clock();
    const alerts = alertsOfHits(hits, indicators, (indicator) => indicatorValidAt(indicator, now.getTime()), now);
    await this.recordSightings(alerts);
    return alerts;
  }

  private async recordSightings(alerts: Alert[]): Promise<void> {
    const byIndicator = new Map<string, { id: string; count: number; last: string }>();
    for (const alert of alerts) {
      const id = alert.annotations?.indicator_id;
      if (!id) continue;
      const known = byIndicator.get(id);
      if (known) {
        known.count++;
        if (alert.last_seen > known.last) known.last = alert.last_seen;
      } else byIndicator.set(id, { id, count: 1, last: alert.last_seen });
    }
    await this.store.recordSightings([...byIndicator.values()]);
  }

  // ---- watchlists ----------------------------------------------------------------------------

  watchlists(): Promise<Watchlist[]> {
    return this.store.listWatchlists();
  }

  /** The current watchlists, for triage and the rules. */
  watchlistsIndex(): WatchlistIndex {
    return this.watchlistIndex;
  }

  async watchlist(name: string): Promise<Watchlist> {
    const list = await this.store.getWatchlist(name);
    if (!list) throw notFound(`watchlist '${name}'`);
    return list;
  }

  async putWatchlist(name: string, body: unknown, actor: string): Promise<{ created: boolean; watchlist: Watchlist }> {
    const before = await this.store.getWatchlist(name);
    let watchlist: Watchlist;
    try {
      watchlist = toWatchlist(name, body, this.clock(), before);
    } catch (error) {
      if (error instanceof IndicatorError) throw badRequest(`${error.field} ${error.reason}`, error.field);
      throw error;
    }
    await this.store.putWatchlist(watchlist);
    await this.audit.record({ actor, action: before ? 'watchlist.update' : 'watchlist.create', object_type: 'watchlist', object_id: name, before, after: watchlist });
    await this.watchlistsChanged();
    return { created: !before, watchlist };
  }

  async deleteWatchlist(name: string, actor: string): Promise<void> {
    const before = await this.store.getWatchlist(name);
    if (!before || !(await this.store.deleteWatchlist(name))) throw notFound(`watchlist '${name}'`);
    await this.audit.record({ actor, action: 'watchlist.delete', object_type: 'watchlist', object_id: name, before, after: null });
    await this.watchlistsChanged();
  }

  private async watchlistsChanged(): Promise<void> {
    this.watchlistIndex = new WatchlistIndex(await this.store.listWatchlists());
    this.onWatchlistsChanged?.(this.watchlistIndex);
  }

  // ---- retro-hunts ----------------------------------------------------------------------------

  /** Starts a retro-hunt for stored indicators by id (all of them must exist). */
  async startHunt(ids: string[], actor: string): Promise<RetroHunt> {
    const known = await this.resolve(ids);
    const missing = ids.filter((id) => !known.has(id));
    if (missing.length > 0) throw new VigilError('not_found', `indicator '${missing[0]}' not found`, 404, 'indicators');
    const hunt = await this.hunter.enqueue([...known.keys()]);
    await this.audit.record({ actor, action: 'intel.hunt.start', object_type: 'retro_hunt', object_id: hunt.id, before: null, after: hunt });
    return hunt;
  }

  hunts(limit: number): Promise<RetroHunt[]> {
    return this.store.listRetroHunts(limit);
  }

  async hunt(id: string): Promise<RetroHunt> {
    const hunt = await this.store.getRetroHunt(id);
    if (!hunt) throw notFound(`retro-hunt '${id}'`);
    return hunt;
  }

  // ---- feeds ----------------------------------------------------------------------------------

  feedStatus(): FeedStatus[] {
    return this.feeds?.status() ?? [];
  }

  async pullFeed(name: string): Promise<FeedStatus> {
    if (!this.feeds || !this.feedConfigs.has(name)) throw notFound(`feed '${name}'`);
    return this.feeds.pullNow(name);
  }

  /** One pull of a feed: fetched with its saved cursor, imported, the new cursor saved. */
  private async pull(name: string): Promise<{ indicators: number; notModified: boolean }> {
    const feed = this.feedConfigs.get(name)!;
    const state = await this.store.getFeedState(name);
    const result = await pullFeed(feed, state?.cursor ?? null);
    if (result.kind === 'not_modified') return { indicators: 0, notModified: true };
    let report: IndicatorReport;
    if (result.kind === 'objects') {
      // TAXII gives STIX objects: one bundle's worth per pull.
      report = await this.import(JSON.stringify({ type: 'bundle', id: `bundle--${name}`, objects: result.objects }), 'stix', `feed:${name}`, `feed:${name}`, {
        ...(feed.confidence !== undefined ? { confidence: feed.confidence } : {}),
      });
    } else {
      report = await this.import(result.body, feed.format ?? 'lines', `feed:${name}`, `feed:${name}`, {
        ...(feed.type ? { type: feed.type as IndicatorType } : {}),
        ...(feed.confidence !== undefined ? { confidence: feed.confidence } : {}),
      });
    }
    await this.store.putFeedState({ name, cursor: result.cursor, status: { last_report: { ...report, rejected: report.rejected.slice(0, 20), unsupported: report.unsupported.slice(0, 20) } } });
    if (report.rejected.length + report.unsupported.length > 0) {
      this.logger.warn({ feed: name, rejected: report.rejected.length, unsupported: report.unsupported.length }, 'feed entries not imported');
    }
    return { indicators: report.added + report.updated + report.unchanged, notModified: false };
  }
}
