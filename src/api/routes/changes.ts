import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { VigilError } from '../../core/index.ts';
import type { ApiDeps } from '../facades.ts';
import { ErrorSchema, PageSchema } from '../schemas.ts';

const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const tags = ['changes'];
const actorOf = (request: { principal?: { name: string } }) => request.principal!.name;
const Range = Type.Object({ from: Type.Optional(Type.String()), to: Type.Optional(Type.String()) });

/** Change records, their lifecycle, freeze policies and the change calendar. */
export async function changeRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const changes = deps.changes;
  if (!changes) return;

  app.post(
    '/api/v1/changes',
    {
      config: { permission: 'write' },
      schema: { summary: 'Request a change (or draft it with "draft": true); a window breaking a freeze policy answers 422 naming the policy', tags, response: { 201: Type.Any(), 400: ErrorSchema, 422: ErrorSchema } },
    },
    async (request, reply) => reply.status(201).send(await changes.create(request.body, actorOf(request))),
  );
  app.get(
    '/api/v1/changes',
    {
      config: { permission: 'read' },
      schema: {
        summary: 'Changes whose window overlaps [from, to), in number order',
        tags,
        querystring: Type.Object({ from: Type.Optional(Type.String()), to: Type.Optional(Type.String()), status: Type.Optional(Type.String()), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })), cursor: Type.Optional(Type.String({ pattern: '^\\d+$' })) }),
        response: { 200: PageSchema, 400: ErrorSchema },
      },
    },
    async (request) => changes.list(request.query as Record<string, never>),
  );
  // Before /:id, so "calendar" is not taken for an id.
  app.get(
    '/api/v1/changes/calendar',
    { config: { permission: 'read' }, schema: { summary: 'Changes, freeze windows and conflicts over a range (at most 62 days)', tags, querystring: Range, response: { 400: ErrorSchema } } },
    async (request) => changes.calendar(request.query as { from?: string; to?: string }),
  );
  // Calendar applications cannot send headers: the feed also takes a read token as ?token=.
  app.get(
    '/api/v1/changes/calendar.ics',
    {
      config: { permission: 'read', tokenIn: { query: 'token' } },
      schema: { summary: 'The change calendar as an iCalendar feed (subscribe with ?token=<viewer token>)', tags, querystring: Type.Object({ from: Type.Optional(Type.String()), to: Type.Optional(Type.String()), token: Type.Optional(Type.String({ maxLength: 512 })) }) },
    },
    async (request, reply) => {
      const query = request.query as { from?: string; to?: string };
      const text = await changes.ics(query);
      return reply.type('text/calendar; charset=utf-8').header('content-disposition', 'inline; filename="vigil-changes.ics"').send(text);
    },
  );
  app.get(
    '/api/v1/changes/:id',
    { config: { permission: 'read' }, schema: { summary: 'One change with its approvals, policy findings, conflicts and timeline', tags, params: IdParam, response: { 404: ErrorSchema } } },
    async (request) => {
      const { id } = request.params as { id: string };
      const change = await changes.get(id);
      if (!change) throw new VigilError('not_found', `change '${id}' not found`, 404, 'id');
      return change;
    },
  );
  app.get(
    '/api/v1/changes/:id/explains',
    { config: { permission: 'read' }, schema: { summary: 'What the change explains: incidents and alerts naming it as a likely cause, and the observed changes matched to it', tags, params: IdParam, response: { 404: ErrorSchema } } },
    async (request) => changes.explains((request.params as { id: string }).id),
  );
  app.patch(
    '/api/v1/changes/:id',
    { config: { permission: 'write' }, schema: { summary: 'Edit a change not yet started (a new window or scope needs its approvals again)', tags, params: IdParam, response: { 400: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 422: ErrorSchema } } },
    async (request) => changes.update((request.params as { id: string }).id, request.body, actorOf(request)),
  );
  for (const action of ['request', 'approve', 'start', 'complete', 'fail', 'rollback', 'cancel'] as const) {
    app.post(
      `/api/v1/changes/:id/${action}`,
      {
        config: { permission: 'write' },
        schema: {
          summary: action === 'approve' ? "Approve as the caller (the token's name); each person counts once" : `${action[0]!.toUpperCase()}${action.slice(1)} the change`,
          tags,
          params: IdParam,
          body: Type.Optional(Type.Object({ comment: Type.Optional(Type.String({ maxLength: 4096 })) }, { additionalProperties: false })),
          response: { 404: ErrorSchema, 409: ErrorSchema, 422: ErrorSchema },
        },
      },
      async (request) => changes.act((request.params as { id: string }).id, action, actorOf(request), (request.body as { comment?: string } | undefined)?.comment),
    );
  }

  app.post(
    '/api/v1/change-events',
    {
      config: { permission: 'ingest' },
      schema: { summary: 'Observed changes (asset, type, actor, timestamp, summary, source), one or many: matched to change records; unrecorded ones and freeze breaches raise alerts', tags, response: { 400: ErrorSchema } },
    },
    async (request) => changes.observeEvents(request.body),
  );
  app.get(
    '/api/v1/change-events',
    {
      config: { permission: 'read' },
      schema: {
        summary: 'Observed changes with matched_change (a CHG id, or null when nobody recorded it)',
        tags,
        querystring: Type.Object({ from: Type.Optional(Type.String()), to: Type.Optional(Type.String()), asset: Type.Optional(Type.String({ maxLength: 256 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })), cursor: Type.Optional(Type.String({ pattern: '^\\d+$' })) }),
        response: { 200: PageSchema, 400: ErrorSchema },
      },
    },
    async (request) => changes.listObserved(request.query as Record<string, never>),
  );
  // PagerDuty change-event senders cannot add headers either: routing_key may carry an ingest token.
  app.post(
    '/api/v1/integrations/pagerduty/change/enqueue',
    { config: { permission: 'ingest', tokenIn: { body: 'routing_key' } }, schema: { summary: 'PagerDuty Change Events API shape; authorise with a bearer token or an ingest token as routing_key', tags: ['integrations'] } },
    async (request, reply) => {
      const result = await changes.observePagerDuty(request.body);
      if ('errors' in result) return reply.status(400).send({ status: 'invalid event', message: 'Event object is invalid', errors: result.errors });
      return reply.status(202).send({ status: 'success', message: 'Change event processed' });
    },
  );
  // GitHub signs the raw body: this route keeps it as bytes to check X-Hub-Signature-256.
  await app.register(async (scope) => {
    scope.addContentTypeParser(['application/json', 'application/x-www-form-urlencoded'], { parseAs: 'buffer', bodyLimit: deps.limits.maxBodyBytes }, (_request, body, done) => done(null, body));
    scope.post(
      '/api/v1/integrations/github',
      {
        bodyLimit: deps.limits.maxBodyBytes,
        config: { permission: 'public' },
        schema: { summary: 'GitHub webhooks (deployment_status, push to the default branch), verified with X-Hub-Signature-256 and integrations.github.secret', tags: ['integrations'] },
      },
      async (request, reply) => {
        const raw = request.body as Buffer;
        const result = await changes.observeGithub(
          {
            event: String(request.headers['x-github-event'] ?? ''),
            delivery: typeof request.headers['x-github-delivery'] === 'string' ? request.headers['x-github-delivery'] : undefined,
            signature: typeof request.headers['x-hub-signature-256'] === 'string' ? request.headers['x-hub-signature-256'] : undefined,
            contentType: String(request.headers['content-type'] ?? ''),
          },
          raw,
        );
        return reply.status(result.status).send(result.body);
      },
    );
  });

  app.get('/api/v1/change-policies', { config: { permission: 'read' }, schema: { summary: 'Freeze policies (from vigil.yaml and the API)', tags } }, async () => ({ items: await changes.policies(), next_cursor: null }));
  app.post(
    '/api/v1/change-policies',
    { config: { permission: 'write' }, schema: { summary: 'Create or replace a freeze policy', tags, response: { 201: Type.Any(), 400: ErrorSchema, 409: ErrorSchema } } },
    async (request, reply) => reply.status(201).send(await changes.createPolicy(request.body, actorOf(request))),
  );
  app.delete(
    '/api/v1/change-policies/:name',
    { config: { permission: 'write' }, schema: { summary: 'Delete a freeze policy made through the API', tags, params: Type.Object({ name: Type.String({ minLength: 1, maxLength: 128 }) }), response: { 204: Type.Null(), 404: ErrorSchema, 409: ErrorSchema } } },
    async (request, reply) => {
      await changes.deletePolicy((request.params as { name: string }).name, actorOf(request));
      return reply.status(204).send();
    },
  );
}
