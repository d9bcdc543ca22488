import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { VigilError } from '../../core/index.ts';
import type { ApiDeps } from '../facades.ts';
import { ErrorSchema, PageSchema } from '../schemas.ts';

const AlertQuery = Type.Object({
  q: Type.Optional(Type.String({ description: 'Search language over alert fields, e.g. `rule.level:high AND entities.hosts:web*`' })),
  status: Type.Optional(Type.Union([Type.Literal('firing'), Type.Literal('resolved')])),
  incident_id: Type.Optional(Type.String({ maxLength: 64 })),
  suppressed: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false'), Type.Literal('all')], { description: 'Only suppressed alerts (true), only unsuppressed (false), or both (all, the default)' })),
  from: Type.Optional(Type.String()),
  to: Type.Optional(Type.String()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
  cursor: Type.Optional(Type.String()),
});

/** Alerts and detection rules. */
export async function alertRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const alerts = deps.alerts;
  if (alerts) {
    app.get(
      '/api/v1/alerts',
      { config: { permission: 'read' }, schema: { summary: 'Search alerts, newest first', tags: ['alerts'], querystring: AlertQuery, response: { 200: PageSchema, 400: ErrorSchema } } },
      async (request) => alerts.search(request.query as Record<string, never>),
    );
    app.get(
      '/api/v1/alerts/:id',
      { config: { permission: 'read' }, schema: { summary: 'One alert', tags: ['alerts'], params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: { 404: ErrorSchema } } },
      async (request) => {
        const { id } = request.params as { id: string };
        const alert = await alerts.get(id);
        if (!alert) throw new VigilError('not_found', `alert '${id}' not found`, 404, 'id');
        return alert;
      },
    );
  }
  const rules = deps.rules;
  if (rules) {
    app.get(
      '/api/v1/rules',
      { config: { permission: 'read' }, schema: { summary: 'Detection rules with status, hit count and last hit, and the rules that were rejected with why', tags: ['rules'] } },
      async () => {
        const { items, rejected } = await rules.list();
        return { items, next_cursor: null, rejected };
      },
    );
    app.get(
      '/api/v1/attack/matrix',
      { config: { permission: 'read' }, schema: { summary: 'The MITRE ATT&CK enterprise matrix: tactics in order and techniques with their tactics', tags: ['rules'] } },
      async () => rules.attackMatrix(),
    );
  }
}
