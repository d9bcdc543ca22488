import type { FastifyInstance, FastifyRequest } from 'fastify';
import { roleAllows, type Permission } from '../core/index.ts';
import type { TokenRecord } from '../store/index.ts';
import { errorBody } from './errors.ts';
import type { TokensFacade } from './facades.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the route needs; `public` routes (only /healthz) need no token. */
    permission?: Permission | 'public' | 'any';
  }
  interface FastifyRequest {
    principal?: TokenRecord;
  }
}

const bearer = (request: FastifyRequest): string | null => {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
};

/**
 * Checks token and role on every route. A route that declares no permission is refused:
 * forgetting to declare one fails closed.
 */
export function installAuth(app: FastifyInstance, tokens: TokensFacade): void {
  app.addHook('onRequest', async (request, reply) => {
    const permission = request.routeOptions.config?.permission;
    if (permission === 'public') return;
    if (request.routeOptions.url === undefined) return; // 404s: let the not-found handler answer
    const token = bearer(request);
    if (!token) {
      reply.header('www-authenticate', 'Bearer realm="vigil"');
      return reply.status(401).send(errorBody('unauthorized', 'missing bearer token'));
    }
    const principal = await tokens.verify(token);
    if (!principal) {
      reply.header('www-authenticate', 'Bearer realm="vigil", error="invalid_token"');
      return reply.status(401).send(errorBody('unauthorized', 'invalid or revoked token'));
    }
    request.principal = principal;
    if (permission === 'any') return;
    if (!permission || !roleAllows(principal.role, permission)) {
      return reply
        .status(403)
        .send(errorBody('forbidden', `role '${principal.role}' may not ${permission ?? 'use this route'}`));
    }
  });
}
