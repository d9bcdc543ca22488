import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ALERT_LEVELS, INCIDENT_STATUSES, VigilError } from '../../core/index.ts';
import { parseAlertmanagerWebhook, parsePagerDutyEvent, parseVigilAlerts, PagerDutyError } from '../../triage/index.ts';
import type { ApiDeps } from '../facades.ts';
import { ErrorSchema, PageSchema } from '../schemas.ts';

const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const literals = (values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)));
const actorOf = (request: { principal?: { name: string } }) => request.principal!.name;

const IncidentQuery = Type.Object({
  status: Type.Optional(Type.String({ description: "open (default), all, or states separated by commas (e.g. 'new,acknowledged')" })),
  q: Type.Optional(Type.String({ description: 'Search language over incident fields, e.g. `priority:P1 AND assignee:alice`' })),
  sort: Type.Optional(Type.String({ description: '-score (default), -detected_at, last_seen, priority...' })),
  from: Type.Optional(Type.String({ description: 'Detected at or after' })),
  to: Type.Optional(Type.String()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
  cursor: Type.Optional(Type.String()),
});
const IncidentPatch = Type.Object(
  {
    status: Type.Optional(literals(INCIDENT_STATUSES)),
    assignee: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 256 }), Type.Null()])),
    severity: Type.Optional(literals(ALERT_LEVELS)),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
    reason: Type.Optional(Type.String({ maxLength: 4096 })),
  },
  { additionalProperties: false, minProperties: 1 },
);
const ObservableBody = Type.Object(
  {
    type: literals(['ip', 'domain', 'url', 'hash', 'email', 'user', 'host', 'filename', 'other']),
    value: Type.String({ minLength: 1, maxLength: 4096 }),
    ioc: Type.Optional(Type.Boolean()),
    tags: Type.Optional(Type.Array(Type.String({ maxLength: 256 }), { maxItems: 100 })),
  },
  { additionalProperties: false },
);
const tags = ['incidents'];

/** Incidents, silences, triage statistics and alert intake (Vigil's shape, Alertmanager, PagerDuty). */
export async function incidentRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { intake, incidents, silences } = deps;

  if (intake) {
    app.post(
      '/api/v1/alerts',
      { config: { permission: 'ingest' }, schema: { summary: "Send alerts in Vigil's shape (one object or an array) into triage", tags: ['alerts'], response: { 400: ErrorSchema } } },
      async (request) => intake.ingest(parseVigilAlerts(request.body, new Date())),
    );
    app.post(
      '/api/v1/integrations/alertmanager',
      {
        config: { permission: 'ingest' },
        schema: { summary: 'Prometheus Alertmanager webhook (version 4): point a webhook_config here', tags: ['integrations'], response: { 400: ErrorSchema } },
      },
      async (request) => intake.ingest(parseAlertmanagerWebhook(request.body, new Date())),
    );
    // PagerDuty senders cannot add headers: the routing_key may carry an ingest token instead.
    app.post(
      '/api/v1/integrations/pagerduty/v2/enqueue',
      {
        config: { permission: 'ingest', tokenIn: { body: 'routing_key' } },
        schema: {
          summary: 'PagerDuty Events API v2 (trigger, acknowledge, resolve). Authorise with a bearer token or put an ingest token in routing_key',
          tags: ['integrations'],
        },
      },
      async (request, reply) => {
        let event;
        try {
          event = parsePagerDutyEvent(request.body, new Date());
        } catch (error) {
          if (error instanceof PagerDutyError) return reply.status(400).send({ status: 'invalid event', message: 'Event object is invalid', errors: error.errors });
          throw error;
        }
        await intake.ingest([event.alert]);
        return reply.status(202).send({ status: 'success', message: 'Event processed', dedup_key: event.dedup_key });
      },
    );
  }

  if (incidents) {
    app.get(
      '/api/v1/incidents',
      { config: { permission: 'read' }, schema: { summary: 'Incidents, most urgent first', tags, querystring: IncidentQuery, response: { 200: PageSchema, 400: ErrorSchema } } },
      async (request) => incidents.list(request.query as Record<string, never>),
    );
    app.get(
      '/api/v1/incidents/:id',
      { config: { permission: 'read' }, schema: { summary: 'One incident with its alerts, score breakdown, timeline and notifications', tags, params: IdParam, response: { 404: ErrorSchema } } },
      async (request) => {
        const { id } = request.params as { id: string };
        const incident = await incidents.get(id);
        if (!incident) throw new VigilError('not_found', `incident '${id}' not found`, 404, 'id');
        return incident;
      },
    );
    app.get(
      '/api/v1/incidents/:id/timeline',
      {
        config: { permission: 'read' },
        schema: { summary: "An incident's timeline, oldest first", tags, params: IdParam, querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })), cursor: Type.Optional(Type.String({ pattern: '^\\d+$' })) }) },
      },
      async (request) => {
        const { id } = request.params as { id: string };
        const { limit, cursor } = request.query as { limit?: number; cursor?: string };
        return incidents.timeline(id, limit ?? 500, cursor ? Number(cursor) : undefined);
      },
    );
    app.patch(
      '/api/v1/incidents/:id',
      { config: { permission: 'write' }, schema: { summary: 'Change state, assignee, severity or title (forbidden state changes answer 409)', tags, params: IdParam, body: IncidentPatch, response: { 400: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema } } },
      async (request) => incidents.patch((request.params as { id: string }).id, request.body as never, actorOf(request)),
    );
    app.post(
      '/api/v1/incidents/:id/notes',
      { config: { permission: 'write' }, schema: { summary: 'Add a note to the timeline', tags, params: IdParam, body: Type.Object({ text: Type.String({ minLength: 1, maxLength: 65536 }) }, { additionalProperties: false }) } },
      async (request, reply) => reply.status(201).send(await incidents.note((request.params as { id: string }).id, (request.body as { text: string }).text, actorOf(request))),
    );
    app.post(
      '/api/v1/incidents/:id/tasks',
      {
        config: { permission: 'write' },
        schema: { summary: 'Add a task', tags, params: IdParam, body: Type.Object({ title: Type.String({ minLength: 1, maxLength: 1024 }), assignee: Type.Optional(Type.Union([Type.String({ maxLength: 256 }), Type.Null()])) }, { additionalProperties: false }) },
      },
      async (request, reply) => reply.status(201).send(await incidents.addTask((request.params as { id: string }).id, request.body as never, actorOf(request))),
    );
    app.patch(
      '/api/v1/incidents/:id/tasks/:task_id',
      {
        config: { permission: 'write' },
        schema: {
          summary: 'Update a task (done, assignee, title)',
          tags,
          params: Type.Object({ id: Type.String({ maxLength: 64 }), task_id: Type.String({ maxLength: 64 }) }),
          body: Type.Object(
            { status: Type.Optional(literals(['open', 'done'])), assignee: Type.Optional(Type.Union([Type.String({ maxLength: 256 }), Type.Null()])), title: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })) },
            { additionalProperties: false, minProperties: 1 },
          ),
        },
      },
      async (request) => {
        const { id, task_id } = request.params as { id: string; task_id: string };
        return incidents.updateTask(id, task_id, request.body as never, actorOf(request));
      },
    );
    app.post(
      '/api/v1/incidents/:id/observables',
      { config: { permission: 'write' }, schema: { summary: 'Add an observable (IP, domain, hash...)', tags, params: IdParam, body: ObservableBody } },
      async (request, reply) => reply.status(201).send(await incidents.addObservable((request.params as { id: string }).id, request.body as never, actorOf(request))),
    );
    app.post(
      '/api/v1/incidents/:id/merge',
      { config: { permission: 'write' }, schema: { summary: 'Merge another incident (source) into this one', tags, params: IdParam, body: Type.Object({ source: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }) } },
      async (request) => incidents.merge((request.params as { id: string }).id, (request.body as { source: string }).source, actorOf(request)),
    );
    app.post(
      '/api/v1/incidents/:id/split',
      {
        config: { permission: 'write' },
        schema: { summary: 'Move alerts out into a new incident', tags, params: IdParam, body: Type.Object({ alert_ids: Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: 10000 }) }, { additionalProperties: false }) },
      },
      async (request, reply) => reply.status(201).send(await incidents.split((request.params as { id: string }).id, (request.body as { alert_ids: string[] }).alert_ids, actorOf(request))),
    );
    app.get(
      '/api/v1/stats/noise',
      {
        config: { permission: 'read' },
        schema: { summary: 'The noise ledger: events → detections → alerts → incidents → notified, with every drop and its reason', tags: ['stats'], querystring: Type.Object({ from: Type.Optional(Type.String()), to: Type.Optional(Type.String()) }) },
      },
      async (request) => incidents.noise(request.query as { from?: string; to?: string }),
    );
    app.get(
      '/api/v1/stats/response',
      {
        config: { permission: 'read' },
        schema: {
          summary: 'MTTD, MTTA, MTTR and dwell time by priority and period',
          tags: ['stats'],
          querystring: Type.Object({ from: Type.Optional(Type.String()), to: Type.Optional(Type.String()), period: Type.Optional(literals(['hour', 'day', 'week', 'month'])) }),
        },
      },
      async (request) => incidents.response(request.query as { from?: string; to?: string; period?: string }),
    );
  }

  if (silences) {
    const silenceTags = ['silences'];
    app.get('/api/v1/silences', { config: { permission: 'read' }, schema: { summary: 'Silences with their state (pending, active, expired)', tags: silenceTags } }, async () => ({
      items: await silences.list(),
      next_cursor: null,
    }));
    app.get('/api/v1/silences/:id', { config: { permission: 'read' }, schema: { summary: 'One silence', tags: silenceTags, params: IdParam, response: { 404: ErrorSchema } } }, async (request) =>
      silences.get((request.params as { id: string }).id),
    );
    app.post(
      '/api/v1/silences',
      {
        config: { permission: 'write' },
        schema: { summary: 'Mute alerts matching the matchers from starts_at to ends_at (or for a duration), on alert event time', tags: silenceTags, response: { 201: Type.Any(), 400: ErrorSchema } },
      },
      async (request, reply) => reply.status(201).send(await silences.create(request.body, actorOf(request))),
    );
    app.delete(
      '/api/v1/silences/:id',
      { config: { permission: 'write' }, schema: { summary: 'Expire a silence now', tags: silenceTags, params: IdParam, response: { 404: ErrorSchema, 409: ErrorSchema } } },
      async (request) => silences.expire((request.params as { id: string }).id, actorOf(request)),
    );
  }
}
