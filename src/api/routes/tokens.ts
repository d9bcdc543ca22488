import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ROLES } from '../../core/index.ts';
import type { ApiDeps } from '../facades.ts';
import { ErrorSchema } from '../schemas.ts';

const TokenRecord = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Type.String(),
  created_at: Type.String(),
  last_used_at: Type.Union([Type.String(), Type.Null()]),
  revoked_at: Type.Union([Type.String(), Type.Null()]),
});

export async function tokenRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  app.get('/api/v1/whoami', { config: { permission: 'any' }, schema: { summary: 'The caller’s token', tags: ['auth'], response: { 200: TokenRecord } } }, async (request) => request.principal!);

  app.get(
    '/api/v1/tokens',
    { config: { permission: 'admin' }, schema: { summary: 'List tokens (never their secrets)', tags: ['auth'], response: { 200: Type.Object({ items: Type.Array(TokenRecord), next_cursor: Type.Null() }) } } },
    async () => ({ items: await deps.tokens.list(), next_cursor: null }),
  );

  app.post(
    '/api/v1/tokens',
    {
      config: { permission: 'admin' },
      schema: {
        summary: 'Create a token; the secret is in this answer only',
        tags: ['auth'],
        body: Type.Object({ role: Type.Union(ROLES.map((r) => Type.Literal(r))), name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) }, { additionalProperties: false }),
        response: { 201: Type.Object({ token: Type.String(), record: TokenRecord }), 400: ErrorSchema, 409: ErrorSchema },
      },
    },
    async (request, reply) => {
      const { role, name } = request.body as { role: string; name?: string };
      return reply.status(201).send(await deps.tokens.create(role, name, request.principal!.name));
    },
  );

  app.delete(
    '/api/v1/tokens/:id',
    { config: { permission: 'admin' }, schema: { summary: 'Revoke a token by id or name', tags: ['auth'], params: Type.Object({ id: Type.String() }), response: { 200: TokenRecord, 404: ErrorSchema } } },
    async (request) => deps.tokens.revoke((request.params as { id: string }).id, request.principal!.name),
  );
}
