import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { ApiDeps } from '../facades.ts';
import { PageSchema } from '../schemas.ts';

/** The audit trail: admins read it and check its hash chain. */
export async function auditRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const audit = deps.audit;
  if (!audit) return;
  app.get(
    '/api/v1/audit',
    {
      config: { permission: 'admin' },
      schema: {
        summary: 'Audit records in order: who changed what, before and after, hash-chained',
        tags: ['audit'],
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })), cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })) }),
        response: { 200: PageSchema },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query as { limit?: number; cursor?: string };
      return audit.list(limit ?? 100, cursor ? Number(cursor) : undefined);
    },
  );
  app.get(
    '/api/v1/audit/verify',
    { config: { permission: 'admin' }, schema: { summary: 'Check the hash chain; names the first broken record', tags: ['audit'] } },
    async () => audit.verify(),
  );
}
