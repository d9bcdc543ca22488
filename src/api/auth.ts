import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { roleAllows, type Permission } from '../core/index.ts';
import type { TokenRecord } from '../store/index.ts';
import { errorBody } from './errors.ts';
import type { TokensFacade } from './facades.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the route needs; `public` routes (/healthz, signed webhooks) need no token. */
    permission?: Permission | 'public' | 'any';
    /** Where else a client that cannot send headers may put its token (calendar apps, PagerDuty senders). */
    tokenIn?: { query?: string; body?: string };
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

/** The token a client that cannot send headers put in the query string or the body, where the route allows it. */
function tokenElsewhere(request: FastifyRequest, where: 'query' | 'body'): string | null {
  const tokenIn = request.routeOptions.config?.tokenIn;
  const name = where === 'query' ? tokenIn?.query : tokenIn?.body;
  if (!name) return null;
  const source = (where === 'query' ? request.query : request.body) as Record<string, unknown> | null | undefined;
  const value = source && typeof source === 'object' ? source[name] : undefined;
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * Checks token and role on every route. A route that declares no permission is refused:
 * forgetting to declare one fails closed. A route may also take the token from a query
 * parameter or a body field (`tokenIn`); a body is checked once it is read, before the handler.
 */
export function installAuth(app: FastifyInstance, tokens: TokensFacade): void {
  const check = async (request: FastifyRequest, reply: FastifyReply, token: string | null, permission: Permission | 'any' | undefined) => {
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
  };
  app.addHook('onRequest', async (request, reply) => {
    const permission = request.routeOptions.config?.permission;
    if (permission === 'public') return;
    if (request.routeOptions.url === undefined) return; // 404s: let the not-found handler answer
    const token = bearer(request) ?? tokenElsewhere(request, 'query');
    // The body is not read yet: a route that takes its token there is checked in preHandler.
    if (!token && request.routeOptions.config?.tokenIn?.body) return;
    return check(request, reply, token, permission);
  });
  app.addHook('preHandler', async (request, reply) => {
    const config = request.routeOptions.config;
    if (!config?.tokenIn?.body || config.permission === 'public' || request.principal) return;
    return check(request, reply, tokenElsewhere(request, 'body'), config.permission);
  });
}
