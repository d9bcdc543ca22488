import type { Alert, Indicator, RetroHunt } from '../core/index.ts';
import { alertsOfHits, IndicatorSet, indicatorValidAt, type IntelMatcher } from '../detect/index.ts';
import { newId, type Logger } from '../lib/index.ts';
import type { Store } from '../store/index.ts';

/** Ids kept in a hunt's record (the count is always exact). */
const MAX_RECORDED_IDS = 1000;

export interface RetroHuntOptions {
  /** How far back in event time a hunt reads. */
  days: number;
  /** Events read per page: between pages the process answers other work. */
  pageSize: number;
  clock: () => Date;
}

/**
 * Searches stored events for indicators that arrived after them, one hunt at a time in the
 * background: matches become alerts with their original event time (through triage), progress is
 * saved after every page, and a hunt cut short by a restart starts again.
 */
export class RetroHunter {
  private readonly queue: Array<{ hunt: RetroHunt; ids: string[] }> = [];
  private running: Promise<void> | null = null;
  private stopped = false;
  /** False in a CLI process: hunts are recorded as queued and run by the server at its next start. */
  runs = true;

  constructor(
    private readonly store: Store,
    private readonly matcher: IntelMatcher,
    private readonly resolve: (ids: string[]) => Promise<Map<string, Indicator>>,
    private readonly publish: (alerts: Alert[]) => Promise<unknown>,
    private readonly onSightings: (alerts: Alert[]) => Promise<void>,
    private readonly logger: Logger,
    private readonly options: RetroHuntOptions,
  ) {}

  /** Queues a hunt for these indicators over the configured days; returns its record. */
  async enqueue(ids: string[]): Promise<RetroHunt> {
    const now = this.options.clock();
    const hunt: RetroHunt = {
      id: `hunt-${newId().toLowerCase()}`,
      status: 'queued',
      indicator_ids: ids.slice(0, MAX_RECORDED_IDS),
      indicator_count: ids.length,
      from: new Date(now.getTime() - this.options.days * 86_400_000).toISOString(),
      to: now.toISOString(),
      total: null,
      scanned: 0,
      matches: 0,
      alerts: 0,
      created_at: now.toISOString(),
      started_at: null,
      finished_at: null,
      error: null,
    };
    await this.store.putRetroHunt(hunt);
    this.queue.push({ hunt, ids });
    this.kick();
    return hunt;
  }

  /** Hunts a restart cut short run again (their ids are in their records, up to the recorded cap). */
  async resume(): Promise<void> {
    for (const hunt of (await this.store.listRetroHunts(100)).reverse()) {
      if (hunt.status !== 'queued' && hunt.status !== 'running') continue;
      this.queue.push({ hunt: { ...hunt, status: 'queued', scanned: 0, matches: 0, alerts: 0 }, ids: hunt.indicator_ids });
    }
    this.kick();
  }

  private kick(): void {
    if (this.running || this.stopped || !this.runs) return;
    this.running = (async () => {
      while (!this.stopped && this.queue.length > 0) {
        const next = this.queue.shift()!;
        await this.run(next.hunt, next.ids);
      }
    })().finally(() => {
      this.running = null;
      if (!this.stopped && this.queue.length > 0) this.kick();
    });
  }

  /** Resolves once no hunt is queued or running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async run(hunt: RetroHunt, ids: string[]): Promise<void> {
    const now = this.options.clock();
    hunt.status = 'running';
    hunt.started_at = now.toISOString();
    try {
      const indicators = await this.resolve(ids);
      // An indicator that expired since no longer accuses anything; valid_from is not checked:
      // the point is to find what happened before the indicator was known.
      const set = new IndicatorSet();
      for (const indicator of indicators.values()) if (indicatorValidAt({ valid_from: null, valid_until: indicator.valid_until }, now.getTime())) set.add(indicator.id, indicator.type, indicator.value);
      const from = Date.parse(hunt.from);
      const to = Date.parse(hunt.to) + 1;
      hunt.total = set.size > 0 ? await this.store.countEventsBetween(from, to) : 0;
      await this.store.putRetroHunt(hunt);
      let after = 0;
      while (set.size > 0 && !this.stopped) {
        const page = await this.store.eventsBetween(from, to, after, this.options.pageSize);
        if (page.length === 0) break;
        after = page[page.length - 1]!.position;
        hunt.scanned += page.length;
        const hits = this.matcher.hits(
          page.map((p) => p.event),
          set,
        );
        if (hits.length > 0) {
          hunt.matches += hits.length;
          // Validity was settled when the hunt's set was built.
          const alerts = alertsOfHits(hits, indicators, () => true, now).map((alert) => ({ ...alert, retro_hunt: hunt.id }));
          await this.publish(alerts);
          await this.onSightings(alerts);
          hunt.alerts += alerts.length;
        }
        await this.store.putRetroHunt(hunt);
        // Let the API and live detection in between pages.
        await new Promise((resolve) => setImmediate(resolve));
      }
      // Cut short by shutdown: left queued, it starts again on the next start.
      hunt.status = this.stopped ? 'queued' : 'done';
    } catch (error) {
      hunt.status = 'failed';
      hunt.error = error instanceof Error ? error.message : String(error);
      this.logger.error({ err: error, hunt: hunt.id }, 'retro-hunt failed');
    }
    if (hunt.status !== 'queued') hunt.finished_at = this.options.clock().toISOString();
    await this.store.putRetroHunt(hunt).catch((error) => this.logger.error({ err: error, hunt: hunt.id }, 'retro-hunt record not saved'));
    this.logger.info({ hunt: hunt.id, status: hunt.status, scanned: hunt.scanned, matches: hunt.matches }, 'retro-hunt finished');
  }
}
