import Fastify, { LogController, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import { installAuth } from './auth.ts';
import { errorBody, installErrorHandler } from './errors.ts';
import type { ApiDeps } from './facades.ts';
import { alertRoutes } from './routes/alerts.ts';
import { auditRoutes } from './routes/audit.ts';
import { eventRoutes } from './routes/events.ts';
import { incidentRoutes } from './routes/incidents.ts';
import { changeRoutes } from './routes/changes.ts';
import { intelRoutes } from './routes/intel.ts';
import { notifyRoutes } from './routes/notify.ts';
import { inventoryRoutes } from './routes/inventory.ts';
import { opsRoutes } from './routes/ops.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { liveRoutes, uiRoutes } from './routes/ui.ts';

export const API_VERSION = '0.1.0';

/**
 * A body whose declared length is over its route's limit is refused before it is read, keeping
 * the connection: Node discards the unread body after the answer, so the client finishes sending
 * and reads the 413 instead of losing it to a reset. A body far over the limit is not worth
 * reading: that connection closes. (Compressed bodies are limited as they are decoded.)
 */
function refuseDeclaredOversize(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    const declared = Number(request.headers['content-length']);
    const limit = request.routeOptions.bodyLimit;
    const encoding = String(request.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
    if (!limit || !Number.isFinite(declared) || declared <= limit || (encoding !== 'identity' && encoding !== '')) return;
    if (declared > 16 * limit) reply.header('connection', 'close');
    return reply.status(413).send(errorBody('payload_too_large', `Request body is larger than ${limit} bytes`, 'body'));
  });
}

/** The HTTP API: every route under /api/v1 checks its token and role. */
export async function buildServer(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(deps.logger && typeof deps.logger === 'object' ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit: 1024 * 1024,
    trustProxy: false,
    // One log line per request would cost more than ingesting the request's events.
    logController: new LogController({ disableRequestLogging: true }),
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false } },
    forceCloseConnections: true,
    return503OnClosing: true,
  } as never) as unknown as FastifyInstance;
  installErrorHandler(app);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Vigil API', version: API_VERSION, description: 'Security-event and incident hub' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  installAuth(app, deps.tokens);
  refuseDeclaredOversize(app);
  await app.register(async (scope) => {
    await opsRoutes(scope, deps);
    await tokenRoutes(scope, deps);
    await eventRoutes(scope, deps);
    await alertRoutes(scope, deps);
    await inventoryRoutes(scope, deps);
    await incidentRoutes(scope, deps);
    await changeRoutes(scope, deps);
    await intelRoutes(scope, deps);
    await notifyRoutes(scope, deps);
    await auditRoutes(scope, deps);
    await liveRoutes(scope, deps);
    await uiRoutes(scope, deps);
  });
  return app;
}
