import type { FastifyInstance } from 'fastify';
import { buildServer, API_VERSION, type StatusReport } from '../api/index.ts';
import { VigilError, type IncomingRecord, type InputInfo, type Priority } from '../core/index.ts';
import type { TriageConfig, VigilConfig } from '../config/index.ts';
import { validateTriageConfig } from '../triage/index.ts';
import { validatePolicy } from '../changes/index.ts';
import type { Logger } from '../lib/index.ts';
import { startSyslog, type SyslogListener, type SyslogMessage } from '../sources/syslog/index.ts';
import { CommittedFeed } from '../pipeline/index.ts';
import { AlertsService } from './alerts.ts';
import { DetectionService } from './detection.ts';
import { openLocal, type LocalServices } from './local.ts';
import { TriageService } from './triage.ts';
import { ChangeService } from './changes.ts';
import { ChangeIntake } from './change-intake.ts';
import { IncidentViews } from './incident-views.ts';
import { IntelService } from './intel.ts';
import { LiveHub } from './live.ts';
import { NotifyService } from './notify.ts';
import { ChatOps } from './chatops.ts';

/** The built web UI. */
export const UI_DIR = new URL('../../ui/dist/', import.meta.url).pathname;

export interface RunningVigil {
  services: LocalServices;
  http: FastifyInstance;
  url: string;
  syslog: SyslogListener | null;
  /** The admin token when this start created it (first start), else null. */
  adminToken: string | null;
  stop(): Promise<void>;
}

/** Groups a syslog batch by sender, since each ingest call carries one input. */
function syslogSink(ingest: LocalServices['pipeline']) {
  return async (batch: SyslogMessage[]): Promise<void> => {
    const groups = new Map<string, { input: InputInfo; records: IncomingRecord[] }>();
    for (const message of batch) {
      const key = `${message.transport}|${message.peer}`;
      let group = groups.get(key);
      if (!group) {
        group = { input: { type: 'syslog', name: `syslog-${message.transport}`, address: message.peer }, records: [] };
        groups.set(key, group);
      }
      group.records.push(message.error ? { error: message.error, payload: message.text } : { raw: { kind: 'text', value: message.text } });
    }
    await Promise.all([...groups.values()].map((group) => ingest.ingest(group.records, group.input)));
  };
}

/** `vigil serve`: the store, the API and the listeners in one process. */
export async function startVigil(config: VigilConfig, logger: Logger): Promise<RunningVigil> {
  // What only compiles at run time (route tree, matchers, freeze policies) is checked before anything opens.
  validateTriageConfig(config.triage as TriageConfig);
  config.changes.policies.forEach((policy, i) => validatePolicy(policy, `changes.policies[${i}]`));
  const services = await openLocal(config, logger);
  const startedAt = new Date();
  const adminToken = await services.tokens.bootstrapAdmin(services.dataDir);
  let syslog: SyslogListener | null = null;

  // Threat intel before detection: the matcher holds every stored indicator before the first event.
  const intel = new IntelService(services.store, config, services.audit, logger);
  await intel.start({ feeds: false });

  // After the store: detection over committed events, in commit order, from its checkpoint.
  const detection = new DetectionService(services.store, config, logger);
  detection.intel = intel;
  detection.placeholders = () => intel.watchlistsIndex().placeholders();
  if (intel.watchlistsIndex().size > 0) detection.reload();
  intel.onWatchlistsChanged = () => detection.reload();
  const feed = new CommittedFeed(services.store, detection, {
    batch: 2000,
    pollMs: 1000,
    onError: (error) => logger.error({ err: error }, 'detection failed; retrying from the checkpoint'),
  });
  services.pipeline.onCommitted = (events, receipt) => feed.offer(events, receipt);
  await feed.start();
  detection.watch();
  services.metrics.addGauge('vigil_detection_pending', 'Committed events not yet through detection', () => feed.pending());
  detection.onAlerts = (alerts) => {
    for (const alert of alerts) services.metrics.alertsTotal.inc({ source: alert.source });
  };

  // Triage: detections and outside alerts become alerts, incidents and notifications.
  // Change management first: triage asks it for every alert's change verdict.
  const changes = new ChangeService(services.store, config, services.audit, undefined, services.inventoryIndex);
  await changes.start();
  const triage = new TriageService(
    services.store,
    config,
    services.audit,
    logger,
    undefined,
    { verdict: (alert, atMs) => changes.verdict(alert, atMs), expectedPriority: config.changes.expected_priority as Priority },
    services.inventoryIndex,
  );
  await triage.start({ live: true });
  triage.isIdle = () => feed.pending() === 0 && services.store.pendingWrites() === 0;
  // What a retro-hunt finds goes through triage like any detection (with its original event time).
  intel.publish = (alerts) => triage.ingest(alerts);
  triage.watchlists = () => intel.watchlistsIndex();
  const live = new LiveHub();
  // Notifications: committed records go through the policies into the outbox, then out.
  const publicUrl = config.notify.public_url ?? `http://${config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host}:${config.server.port}`;
  const notify = new NotifyService(services.store, config, services.audit, logger, services.inventoryIndex, publicUrl);
  triage.onIncidents = (incidents) => {
    for (const incident of incidents) live.publish('incident', incident);
    notify.kick();
  };
  const changeIntake = new ChangeIntake(changes, triage, config);
  detection.publish = (alerts, checkpoint) => changeIntake.detections(alerts, checkpoint);
  services.metrics.addGauge('vigil_incidents_open', 'Open incidents triage holds', () => triage.openIncidents());
  const views = new IncidentViews(services.store, { defaultLimit: config.search.default_limit, maxLimit: config.search.max_limit });
  await notify.start();
  const chatops = new ChatOps(config, triage, changes, views, notify, logger);

  const status = async (): Promise<StatusReport> => {
    const pendingWrites = services.store.pendingWrites();
    return {
      version: API_VERSION,
      started_at: startedAt.toISOString(),
      uptime_seconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
      store: { kind: services.store.kind, ...(await services.store.stats()) },
      // Accepted but not yet through every stage: waiting for the disk, or for detection.
      pipeline: { pending: pendingWrites + feed.pending(), pending_writes: pendingWrites, pending_detection: feed.pending(), detected_position: feed.position() },
      inputs: {
        http: { address: `${config.server.host}:${config.server.port}` },
        syslog: syslog ? { udp_port: syslog.udpPort, tcp_port: syslog.tcpPort, ...syslog.stats() } : null,
      },
    };
  };

  const http = await buildServer({
    events: services.events,
    alerts: new AlertsService(services.store, { defaultLimit: config.search.default_limit, maxLimit: config.search.max_limit }),
    rules: detection,
    intake: { ingest: (alerts) => triage.ingest(alerts) },
    incidents: {
      list: (params) => views.list(params),
      get: async (id) => views.detail(id, await triage.getIncident(id)),
      timeline: async (id, limit, after) => {
        if (!(await triage.getIncident(id))) throw new VigilError('not_found', `incident '${id}' not found`, 404, 'id');
        return views.timeline(id, limit, after);
      },
      patch: (id, patch, actor) => triage.patchIncident(id, patch, actor),
      note: (id, text, actor) => triage.addNote(id, text, actor),
      addTask: (id, input, actor) => triage.addTask(id, input, actor),
      updateTask: (id, taskId, patch, actor) => triage.updateTask(id, taskId, patch, actor),
      addObservable: (id, input, actor) => triage.addObservable(id, input, actor),
      merge: (target, source, actor) => triage.merge(target, source, actor),
      split: (id, alertIds, actor) => triage.split(id, alertIds, actor),
      noise: (params) => views.noise(params),
      response: (params) => views.response(params),
    },
    changes: {
      create: (body, actor) => changes.create(body, actor),
      get: (id) => changes.get(id),
      list: (params) => changes.list(params),
      update: (id, body, actor) => changes.update(id, body, actor),
      act: (id, action, actor, comment) => changes.act(id, action, actor, comment),
      policies: () => changes.policies(),
      createPolicy: (body, actor) => changes.createPolicy(body, actor),
      deletePolicy: (name, actor) => changes.deletePolicy(name, actor),
      calendar: (params) => changes.calendar(params),
      ics: (params) => changes.ics(params),
      observeEvents: (body) => changeIntake.observeEvents(body),
      observePagerDuty: (body) => changeIntake.observePagerDuty(body),
      observeGithub: (request, raw) => changeIntake.observeGithub(request, raw),
      listObserved: (params) => changes.listObserved(params),
      explains: (id) => changes.explains(id),
    },
    intel: {
      add: (entries, actor, options) => intel.add(entries, actor, options),
      import: (text, format, source, actor, options) => intel.import(text, format, source, actor, options),
      list: (params) => intel.list(params),
      get: (id) => intel.get(id),
      delete: (ids, actor) => intel.delete(ids, actor),
      deleteSource: (source, actor) => intel.deleteSource(source, actor),
      feeds: () => intel.feedStatus(),
      pullFeed: (name) => intel.pullFeed(name),
      hunts: (limit) => intel.hunts(limit),
      hunt: (id) => intel.hunt(id),
      startHunt: (ids, actor) => intel.startHunt(ids, actor),
      watchlists: () => intel.watchlists(),
      watchlist: (name) => intel.watchlist(name),
      putWatchlist: (name, body, actor) => intel.putWatchlist(name, body, actor),
      deleteWatchlist: (name, actor) => intel.deleteWatchlist(name, actor),
    },
    notify: {
      channels: () => notify.listChannels(),
      test: (name, actor) => notify.test(name, actor),
      policies: () => notify.policies(),
      putPolicy: (body, actor) => notify.putPolicy(body, actor),
      deletePolicy: (name, actor) => notify.deletePolicy(name, actor),
      deliveries: (params) => notify.deliveries(params),
      delivery: (id) => notify.delivery(id),
      resend: (id, actor) => notify.resend(id, actor),
      inbound: (kind, request) =>
        ({ slack_command: () => chatops.slackCommand(request), slack_interaction: () => chatops.slackInteraction(request), pagerduty: () => chatops.pagerDuty(request), jira: () => chatops.jira(request) })[kind](),
    },
    silences: {
      list: () => triage.listSilences(),
      get: (id) => triage.getSilence(id),
      create: (body, actor) => triage.createSilence(body, actor),
      expire: (id, actor) => triage.expireSilence(id, actor),
    },
    inventory: services.inventory,
    audit: services.audit,
    tokens: services.tokens,
    ops: {
      status,
      metrics: async () => ({ contentType: services.metrics.registry.contentType, body: await services.metrics.registry.metrics() }),
    },
    limits: { maxBodyBytes: config.ingest.max_body_bytes },
    uiDir: UI_DIR,
    live,
    logger,
  });

  try {
    await http.listen({ host: config.server.host, port: config.server.port });
    if (config.syslog.port > 0) {
      syslog = await startSyslog(
        { host: config.syslog.host, port: config.syslog.port, maxMessageBytes: config.syslog.max_message_bytes, maxConnections: 4096 },
        syslogSink(services.pipeline),
        logger,
      );
    }
  } catch (error) {
    await http.close();
    await feed.stop();
    detection.close();
    await intel.stop();
    await notify.stop();
    await triage.stop();
    await services.close();
    throw error;
  }
  intel.startFeeds();
  const address = http.server.address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;

  // Never delete what detection has not seen yet.
  const retention = setInterval(() => {
    void runRetention(services, logger, feed.position());
  }, config.store.retention_check_minutes * 60_000);
  retention.unref();
  void runRetention(services, logger, feed.position());

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      clearInterval(retention);
      // Stop accepting first, then let what was accepted reach the disk and (briefly) detection, then close.
      // A syslog sink that keeps refusing would hold close() forever: give it ten seconds.
      const syslogClosed = syslog ? Promise.race([syslog.close(), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]) : undefined;
      await Promise.allSettled([http.close(), syslogClosed]);
      await Promise.race([feed.idle(), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
      await feed.stop();
      detection.close();
      await intel.stop();
      await notify.stop();
      await triage.stop();
      await services.close();
    })());

  return { services, http, url: `http://${host}:${port}`, syslog, adminToken, stop };
}

async function runRetention(services: LocalServices, logger: Logger, maxPosition: number): Promise<void> {
  const days = services.config.store.retention_days;
  if (days <= 0) return;
  try {
    const deleted = await services.store.deleteBefore(Date.now() - days * 86_400_000, maxPosition);
    if (deleted > 0) logger.info({ deleted, retention_days: days }, 'retention removed old events');
  } catch (error) {
    logger.warn({ err: error }, 'retention failed');
  }
}
