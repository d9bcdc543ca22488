import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../facades.ts';

export async function opsRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  app.get('/healthz', { config: { permission: 'public' }, schema: { summary: 'Liveness', tags: ['ops'] } }, async () => ({ status: 'ok' }));

  app.get(
    '/api/v1/status',
    { config: { permission: 'read' }, schema: { summary: 'Store and pipeline state; pipeline.pending counts records accepted but not through every stage', tags: ['ops'] } },
    async () => deps.ops.status(),
  );

  app.get('/metrics', { config: { permission: 'read' }, schema: { summary: 'Prometheus metrics', tags: ['ops'] } }, async (_request, reply) => {
    const { contentType, body } = await deps.ops.metrics();
    return reply.header('content-type', contentType).send(body);
  });

  app.get('/api/v1/openapi.json', { config: { permission: 'read' }, schema: { summary: 'This API, as OpenAPI 3', tags: ['ops'] } }, async () =>
    (app as unknown as { swagger(): unknown }).swagger(),
  );
}
