import { existsSync, watch, type FSWatcher } from 'node:fs';
import type { Alert, VigilEvent } from '../core/index.ts';
import type { RuleSummary, RulesFacade } from '../api/index.ts';
import type { VigilConfig } from '../config/index.ts';
import { attackMatrix, formatRejection, loadRoutingFile, RuleSet, type RuleRejection } from '../detect/index.ts';
import type { Logger } from '../lib/index.ts';
import type { CommittedConsumer } from '../pipeline/index.ts';
import type { CommittedEvent, Store } from '../store/index.ts';

/** The rules folder Vigil ships. */
export const BUILTIN_RULES = new URL('../../rules/', import.meta.url).pathname;

export function rulePaths(config: VigilConfig): string[] {
  return [...(config.rules.builtin ? [BUILTIN_RULES] : []), ...config.rules.paths];
}

/**
 * Live detection after the store: every committed event meets the rules once, in commit order;
 * the alerts are written with the checkpoint, so a restart neither loses nor repeats any.
 */
export class DetectionService implements CommittedConsumer, RulesFacade {
  readonly name = 'detect';
  private rules: RuleSet;
  private watchers: FSWatcher[] = [];
  private reloadTimer: NodeJS.Timeout | null = null;
  private matrix: ReturnType<typeof attackMatrix> | null = null;
  /** Told of the alerts of each committed run, for metrics. */
  onAlerts?: (alerts: Alert[]) => void;
  /**
   * Where alerts go, with the checkpoint that must commit with them (triage, in `vigil serve`).
   * Without one, alerts are written as they are.
   */
  publish?: (alerts: Alert[], checkpoint: { name: string; position: number }) => Promise<unknown>;
  /** Threat-intel matching of the same events (its alerts go out with the rules'). */
  intel?: { detect(events: VigilEvent[]): Promise<Alert[]> };
  /** Extra placeholder values for the rules (watchlists), merged over the configured ones. */
  placeholders: () => Record<string, string[]> = () => ({});

  constructor(
    private readonly store: Store,
    private readonly config: VigilConfig,
    private readonly logger: Logger,
  ) {
    this.rules = this.load();
  }

  private load(): RuleSet {
    const routing = this.config.rules.routing ? loadRoutingFile(this.config.rules.routing) : undefined;
    const set = RuleSet.load({
      paths: rulePaths(this.config).filter((p) => existsSync(p)),
      placeholders: { ...this.config.rules.placeholders, ...this.placeholders() },
      routing,
      latenessMs: this.config.rules.lateness_seconds * 1000,
    });
    for (const rejection of set.rejections) this.logger.warn({ rule: rejection.rule_id, file: rejection.file }, `rule not loaded: ${formatRejection(rejection)}`);
    this.logger.info({ rules: set.size, rejected: set.rejections.length }, 'detection rules loaded');
    return set;
  }

  /** Reloads the rules when a file under their paths changes (debounced). A broken reload keeps the old set. */
  watch(): void {
    if (!this.config.rules.reload) return;
    for (const path of this.config.rules.paths) {
      if (!existsSync(path)) {
        this.logger.warn({ path }, 'rules path does not exist (yet); not watched');
        continue;
      }
      try {
        this.watchers.push(watch(path, { recursive: true }, () => this.scheduleReload()));
      } catch (error) {
        this.logger.warn({ err: error, path }, 'cannot watch rules path');
      }
    }
  }

  /** Loads the rules again now (a watchlist they use changed); a broken load keeps the old set. */
  reload(): void {
    try {
      this.rules = this.load();
    } catch (error) {
      this.logger.error({ err: error }, 'rule reload failed; keeping the previous rules');
    }
  }

  private scheduleReload(): void {
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = null;
      this.reload();
    }, 300);
    this.reloadTimer.unref();
  }

  async process(events: CommittedEvent[]): Promise<void> {
    const alerts: Alert[] = [];
    for (const { event } of events) {
      for (const detection of this.rules.process(event)) alerts.push(detection.alert);
    }
    if (this.intel) alerts.push(...(await this.intel.detect(events.map((e) => e.event))));
    const checkpoint = { name: this.name, position: events[events.length - 1]!.position };
    if (this.publish) await this.publish(alerts, checkpoint);
    else await this.store.write({ events: [], deadLetters: [], alerts, checkpoint });
    if (alerts.length > 0) this.onAlerts?.(alerts);
  }

  async list(): Promise<{ items: RuleSummary[]; rejected: RuleRejection[] }> {
    const hits = new Map((await this.store.ruleHits()).map((h) => [h.rule_id, h]));
    return {
      items: this.rules.rules.map((rule) => ({
        ...rule,
        enabled: true,
        hits: hits.get(rule.id)?.hits ?? 0,
        last_hit: hits.get(rule.id)?.last_hit ?? null,
      })),
      rejected: this.rules.rejections.map((r) => ({ file: r.file, rule_id: r.rule_id, reason: r.reason, kind: r.kind })),
    };
  }

  attackMatrix(): ReturnType<typeof attackMatrix> {
    return (this.matrix ??= attackMatrix());
  }

  close(): void {
    for (const watcher of this.watchers) watcher.close();
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
  }
}
