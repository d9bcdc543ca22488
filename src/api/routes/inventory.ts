import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { VigilError } from '../../core/index.ts';
import type { ApiDeps, InventoryFacade } from '../facades.ts';
import { ErrorSchema, PageSchema } from '../schemas.ts';

const Names = Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { maxItems: 1000 });
const AssetBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 128 }),
    kind: Type.String({ minLength: 1, maxLength: 64 }),
    criticality: Type.Integer({ minimum: 1, maximum: 5 }),
    tags: Type.Optional(Names),
    services: Type.Optional(Names),
    aliases: Type.Optional(Names),
    description: Type.Optional(Type.String({ maxLength: 4096 })),
    owner: Type.Optional(Type.String({ maxLength: 256 })),
  },
  { additionalProperties: false },
);
const ServiceBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 128 }),
    tier: Type.Integer({ minimum: 1, maximum: 4 }),
    depends_on: Type.Optional(Names),
    aliases: Type.Optional(Names),
    description: Type.Optional(Type.String({ maxLength: 4096 })),
    owner: Type.Optional(Type.String({ maxLength: 256 })),
    team: Type.Optional(Type.String({ maxLength: 256 })),
  },
  { additionalProperties: false },
);
const ListQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })), cursor: Type.Optional(Type.String({ maxLength: 256 })) });
const NameParam = Type.Object({ name: Type.String({ minLength: 1, maxLength: 128 }) });
const partial = (schema: typeof AssetBody | typeof ServiceBody) =>
  Type.Object(Object.fromEntries(Object.entries(schema.properties).filter(([k]) => k !== 'name').map(([k, v]) => [k, Type.Optional(v as never)])), { additionalProperties: false, minProperties: 1 });

/** Inventory: assets (criticality 1-5) and business services (tier 1-4, depends_on). */
export async function inventoryRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const inventory = deps.inventory;
  if (!inventory) return;
  const kinds = [
    { path: 'assets', label: 'asset', body: AssetBody, create: (b: never, a: string) => inventory.createAsset(b, a), update: (n: string, b: never, a: string) => inventory.updateAsset(n, b, a), remove: (n: string, a: string) => inventory.deleteAsset(n, a), get: (n: string) => inventory.getAsset(n), list: (l: number, c?: string) => inventory.listAssets(l, c) },
    { path: 'services', label: 'service', body: ServiceBody, create: (b: never, a: string) => inventory.createService(b, a), update: (n: string, b: never, a: string) => inventory.updateService(n, b, a), remove: (n: string, a: string) => inventory.deleteService(n, a), get: (n: string) => inventory.getService(n), list: (l: number, c?: string) => inventory.listServices(l, c) },
  ] as const;
  for (const kind of kinds) {
    const tags = ['inventory'];
    app.post(`/api/v1/${kind.path}`, { config: { permission: 'write' }, schema: { summary: `Create a ${kind.label}`, tags, body: kind.body, response: { 201: Type.Any(), 400: ErrorSchema, 409: ErrorSchema, 422: ErrorSchema } } }, async (request, reply) =>
      reply.status(201).send(await kind.create(request.body as never, request.principal!.name)),
    );
    app.get(`/api/v1/${kind.path}`, { config: { permission: 'read' }, schema: { summary: `List ${kind.path} by name`, tags, querystring: ListQuery, response: { 200: PageSchema } } }, async (request) => {
      const { limit, cursor } = request.query as { limit?: number; cursor?: string };
      return kind.list(limit ?? 100, cursor);
    });
    app.get(`/api/v1/${kind.path}/:name`, { config: { permission: 'read' }, schema: { summary: `One ${kind.label}`, tags, params: NameParam, response: { 404: ErrorSchema } } }, async (request) => {
      const { name } = request.params as { name: string };
      const found = await kind.get(name);
      if (!found) throw new VigilError('not_found', `${kind.label} '${name}' not found`, 404, 'name');
      return found;
    });
    app.patch(`/api/v1/${kind.path}/:name`, { config: { permission: 'write' }, schema: { summary: `Change a ${kind.label}`, tags, params: NameParam, body: partial(kind.body), response: { 400: ErrorSchema, 404: ErrorSchema, 422: ErrorSchema } } }, async (request) =>
      kind.update((request.params as { name: string }).name, request.body as never, request.principal!.name),
    );
    app.delete(`/api/v1/${kind.path}/:name`, { config: { permission: 'write' }, schema: { summary: `Delete a ${kind.label}`, tags, params: NameParam, response: { 204: Type.Null(), 404: ErrorSchema, 409: ErrorSchema } } }, async (request, reply) => {
      await kind.remove((request.params as { name: string }).name, request.principal!.name);
      return reply.status(204).send();
    });
  }
  app.post(
    '/api/v1/inventory/import',
    {
      config: { permission: 'write' },
      schema: {
        summary: 'Create or replace many services and assets; each bad entry is reported alone',
        tags: ['inventory'],
        body: Type.Object({ services: Type.Optional(Type.Array(Type.Any(), { maxItems: 100_000 })), assets: Type.Optional(Type.Array(Type.Any(), { maxItems: 100_000 })) }, { additionalProperties: false }),
      },
    },
    async (request) => (inventory as InventoryFacade).import(request.body as { services?: unknown[]; assets?: unknown[] }, request.principal!.name),
  );
}
