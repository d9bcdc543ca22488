import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { ApiDeps } from '../facades.ts';
import { ErrorSchema, PageSchema } from '../schemas.ts';

const tags = ['notify'];
const actorOf = (request: { principal?: { name: string } }) => request.principal!.name;
const NameParam = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) });
const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 300 }) });

/** Notification channels, policies, deliveries; and the callbacks of Slack, PagerDuty and Jira. */
export async function notifyRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const notify = deps.notify;
  if (!notify) return;

  app.get('/api/v1/notify/channels', { config: { permission: 'read' }, schema: { summary: 'Configured channels (names and types, never their secrets)', tags } }, async () => ({ items: notify.channels() }));
  app.post(
    '/api/v1/notify/channels/:name/test',
    { config: { permission: 'admin' }, schema: { summary: 'Send a test message to a channel now', tags, params: NameParam, response: { 404: ErrorSchema } } },
    async (request) => notify.test((request.params as { name: string }).name, actorOf(request)),
  );
  app.get('/api/v1/notify/policies', { config: { permission: 'read' }, schema: { summary: 'Notification policies: from vigil.yaml and made through the API', tags } }, async () => ({ items: notify.policies() }));
  app.post(
    '/api/v1/notify/policies',
    { config: { permission: 'admin' }, schema: { summary: 'Create or replace a policy: {name, when: {priority, service, service_tier, team, verdict, event}, channels, escalation}', tags, response: { 201: Type.Any(), 400: ErrorSchema, 409: ErrorSchema } } },
    async (request, reply) => reply.status(201).send(await notify.putPolicy(request.body, actorOf(request))),
  );
  app.delete(
    '/api/v1/notify/policies/:name',
    { config: { permission: 'admin' }, schema: { summary: 'Delete a policy made through the API', tags, params: NameParam, response: { 204: Type.Null(), 404: ErrorSchema, 409: ErrorSchema } } },
    async (request, reply) => {
      await notify.deletePolicy((request.params as { name: string }).name, actorOf(request));
      return reply.status(204).send();
    },
  );
  app.get(
    '/api/v1/notify/deliveries',
    {
      config: { permission: 'read' },
      schema: {
        summary: 'The outbox, newest first: every message with its channel, status, attempts, next attempt and last error',
        tags,
        querystring: Type.Object({
          status: Type.Optional(Type.String()),
          channel: Type.Optional(Type.String()),
          incident: Type.Optional(Type.String()),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          cursor: Type.Optional(Type.String({ pattern: '^\\d+$' })),
        }),
        response: { 200: PageSchema },
      },
    },
    async (request) => notify.deliveries(request.query as Record<string, never>),
  );
  app.get(
    '/api/v1/notify/deliveries/:id',
    { config: { permission: 'read' }, schema: { summary: 'One delivery with its message', tags, params: IdParam, response: { 404: ErrorSchema } } },
    async (request) => notify.delivery((request.params as { id: string }).id),
  );
  app.post(
    '/api/v1/notify/deliveries/:id/resend',
    { config: { permission: 'write' }, schema: { summary: 'Send a delivery again (a new idempotency key)', tags, params: IdParam, response: { 404: ErrorSchema, 409: ErrorSchema } } },
    async (request) => notify.resend((request.params as { id: string }).id, actorOf(request)),
  );

  // The tools sign the raw body: these routes keep it as bytes and check the signature themselves.
  await app.register(async (scope) => {
    scope.addContentTypeParser(['application/json', 'application/x-www-form-urlencoded'], { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, (_request, body, done) => done(null, body));
    const inbound = (path: string, kind: 'slack_command' | 'slack_interaction' | 'pagerduty' | 'jira', summary: string) =>
      scope.post(path, { config: { permission: 'public' }, schema: { summary, tags: ['integrations'] } }, async (request, reply) => {
        const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const answer = await notify.inbound(kind, { raw, headers: request.headers });
        return reply.status(answer.status).send(answer.body);
      });
    inbound('/api/v1/integrations/slack/commands', 'slack_command', 'Slack slash command /vigil (X-Slack-Signature v0 checked with integrations.slack.signing_secret; replays older than 5 minutes refused)');
    inbound('/api/v1/integrations/slack/interactions', 'slack_interaction', 'Slack buttons on Vigil messages (acknowledge, resolve), signature checked as for commands');
    inbound('/api/v1/integrations/pagerduty/webhook', 'pagerduty', 'PagerDuty webhook v3 (X-PagerDuty-Signature): acknowledging or resolving there moves the incident');
    inbound('/api/v1/integrations/jira/webhook', 'jira', 'Jira webhook (X-Hub-Signature): closing the issue Vigil opened resolves the incident');
  });
}
