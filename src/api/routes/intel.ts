import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { badRequest, INDICATOR_TYPES, isIndicatorType } from '../../core/index.ts';
import type { ApiDeps, IntelFacade } from '../facades.ts';
import { ErrorSchema, PageSchema } from '../schemas.ts';

const tags = ['intel'];
const actorOf = (request: { principal?: { name: string } }) => request.principal!.name;
const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 2100 }) });
const NameParam = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) });
/** Largest import file. */
const MAX_IMPORT_BYTES = 256 * 1024 * 1024;
const MAX_BULK = 100_000;

/** The indicators of a POST body: one indicator, a list, or `{ "indicators": [...] }`. */
function entriesOf(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  if (body && typeof body === 'object' && Array.isArray((body as { indicators?: unknown }).indicators)) return (body as { indicators: unknown[] }).indicators;
  if (body && typeof body === 'object') return [body];
  throw badRequest('body must be an indicator, a list of indicators, or {"indicators": [...]}', 'body');
}

const flag = (value: string | undefined, field: string): boolean | undefined => {
  if (value === undefined) return undefined;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw badRequest(`${field} must be true or false`, field);
};

/** Threat intelligence: indicators (one, many, imported files), feeds, retro-hunts, watchlists. */
export async function intelRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const intel = deps.intel;
  if (!intel) return;

  app.post(
    '/api/v1/intel/indicators',
    {
      config: { permission: 'write' },
      bodyLimit: 64 * 1024 * 1024,
      schema: {
        summary: 'Add or update indicators (one, a list, or {"indicators": [...]}); each bad entry is reported alone; new and changed ones start a retro-hunt',
        tags,
        querystring: Type.Object({ source: Type.Optional(Type.String({ maxLength: 200 })), retro_hunt: Type.Optional(Type.String()) }),
        response: { 201: Type.Any(), 400: ErrorSchema, 413: ErrorSchema },
      },
    },
    async (request, reply) => {
      const query = request.query as { source?: string; retro_hunt?: string };
      const entries = entriesOf(request.body);
      if (entries.length > MAX_BULK) throw badRequest(`at most ${MAX_BULK} indicators per request (use /api/v1/intel/import for files)`, 'indicators');
      const retroHunt = flag(query.retro_hunt, 'retro_hunt');
      const report = await intel.add(entries, actorOf(request), { ...(query.source ? { source: query.source } : {}), ...(retroHunt === undefined ? {} : { retroHunt }) });
      return reply.status(201).send(report);
    },
  );
  app.get(
    '/api/v1/intel/indicators',
    {
      config: { permission: 'read' },
      schema: {
        summary: 'Indicators by id order, with their sightings; filter by type, source, value prefix, and validity now',
        tags,
        querystring: Type.Object({
          type: Type.Optional(Type.String()),
          source: Type.Optional(Type.String()),
          prefix: Type.Optional(Type.String({ maxLength: 2048 })),
          valid: Type.Optional(Type.String()),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
          cursor: Type.Optional(Type.String({ maxLength: 2100 })),
        }),
        response: { 200: PageSchema, 400: ErrorSchema },
      },
    },
    async (request) => {
      const query = request.query as { type?: string; source?: string; prefix?: string; valid?: string; limit?: number; cursor?: string };
      if (query.type !== undefined && !isIndicatorType(query.type)) throw badRequest(`type must be one of ${INDICATOR_TYPES.join(', ')}`, 'type');
      const valid = flag(query.valid, 'valid');
      return intel.list({ ...query, ...(valid === undefined ? {} : { valid }) } as Parameters<IntelFacade['list']>[0]);
    },
  );
  // The id is "type:value": a CIDR's or URL's value holds '/', sent percent-encoded.
  app.get(
    '/api/v1/intel/indicators/:id',
    { config: { permission: 'read' }, schema: { summary: 'One indicator (id "type:value", percent-encoded) with its sightings', tags, params: IdParam, response: { 404: ErrorSchema } } },
    async (request) => intel.get((request.params as { id: string }).id),
  );
  app.delete(
    '/api/v1/intel/indicators/:id',
    { config: { permission: 'write' }, schema: { summary: 'Delete one indicator', tags, params: IdParam, response: { 204: Type.Null(), 404: ErrorSchema } } },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const deleted = await intel.delete([id], actorOf(request));
      if (deleted.length === 0) return reply.status(404).send({ error: { code: 'not_found', message: `indicator '${id}' not found`, field: 'id' } });
      return reply.status(204).send();
    },
  );
  app.delete(
    '/api/v1/intel/indicators',
    {
      config: { permission: 'write' },
      schema: {
        summary: 'Delete indicators in bulk: by ids in the body, or every indicator of ?source=',
        tags,
        querystring: Type.Object({ source: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }),
        body: Type.Optional(Type.Object({ ids: Type.Array(Type.String({ minLength: 1, maxLength: 2100 }), { maxItems: MAX_BULK }) }, { additionalProperties: false })),
        response: { 400: ErrorSchema },
      },
    },
    async (request) => {
      const { source } = request.query as { source?: string };
      const body = request.body as { ids?: string[] } | undefined;
      if (source && body?.ids) throw badRequest('give ids or source, not both', 'source');
      if (source) return { deleted: await intel.deleteSource(source, actorOf(request)) };
      if (!body?.ids) throw badRequest('give {"ids": [...]} in the body or ?source=', 'ids');
      return { deleted: (await intel.delete(body.ids, actorOf(request))).length };
    },
  );

  await app.register(async (scope) => {
    // A file as it is: STIX or MISP JSON, CSV or a plain list, whatever its content type.
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_IMPORT_BYTES }, (_request, body, done) => done(null, body));
    scope.removeContentTypeParser(['application/json', 'text/plain']);
    scope.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'buffer', bodyLimit: MAX_IMPORT_BYTES }, (_request, body, done) => done(null, body));
    scope.post(
      '/api/v1/intel/import',
      {
        config: { permission: 'write' },
        bodyLimit: MAX_IMPORT_BYTES,
        schema: {
          summary: 'Import a file of indicators: a STIX 2.1 bundle, a MISP event, CSV with a header, or one value per line. A malformed file imports nothing (422 says why)',
          tags,
          querystring: Type.Object({
            format: Type.Union(['stix', 'misp', 'csv', 'lines'].map((f) => Type.Literal(f))),
            source: Type.String({ minLength: 1, maxLength: 200 }),
            type: Type.Optional(Type.String()),
            confidence: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
            retro_hunt: Type.Optional(Type.String()),
          }),
          response: { 201: Type.Any(), 400: ErrorSchema, 413: ErrorSchema, 422: ErrorSchema },
        },
      },
      async (request, reply) => {
        const query = request.query as { format: 'stix' | 'misp' | 'csv' | 'lines'; source: string; type?: string; confidence?: number; retro_hunt?: string };
        if (query.type !== undefined && !isIndicatorType(query.type)) throw badRequest(`type must be one of ${INDICATOR_TYPES.join(', ')}`, 'type');
        if (!Buffer.isBuffer(request.body) || request.body.length === 0) throw badRequest('the body is the file to import', 'body');
        const retroHunt = flag(query.retro_hunt, 'retro_hunt');
        const report = await intel.import(request.body.toString('utf8'), query.format, query.source, actorOf(request), {
          ...(query.type && isIndicatorType(query.type) ? { type: query.type } : {}),
          ...(query.confidence !== undefined ? { confidence: query.confidence } : {}),
          ...(retroHunt === undefined ? {} : { retroHunt }),
        });
        return reply.status(201).send(report);
      },
    );
  });

  app.get('/api/v1/intel/feeds', { config: { permission: 'read' }, schema: { summary: 'Configured feeds: last pull, last error, failures in a row, next pull', tags } }, async () => ({ items: intel.feeds() }));
  app.post(
    '/api/v1/intel/feeds/:name/pull',
    { config: { permission: 'write' }, schema: { summary: 'Pull a feed now (a failure is reported in the answer, not thrown)', tags, params: NameParam, response: { 404: ErrorSchema } } },
    async (request) => intel.pullFeed((request.params as { name: string }).name),
  );

  app.get(
    '/api/v1/intel/hunts',
    { config: { permission: 'read' }, schema: { summary: 'Retro-hunts, newest first, with their progress', tags, querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }) } },
    async (request) => ({ items: await intel.hunts((request.query as { limit?: number }).limit ?? 100) }),
  );
  app.get(
    '/api/v1/intel/hunts/:id',
    { config: { permission: 'read' }, schema: { summary: 'One retro-hunt: status, events scanned of the total, matches, alerts', tags, params: IdParam, response: { 404: ErrorSchema } } },
    async (request) => intel.hunt((request.params as { id: string }).id),
  );
  app.post(
    '/api/v1/intel/hunts',
    {
      config: { permission: 'write' },
      schema: {
        summary: 'Search stored events (the configured days back) for these indicators',
        tags,
        body: Type.Object({ indicators: Type.Array(Type.String({ minLength: 1, maxLength: 2100 }), { minItems: 1, maxItems: MAX_BULK }) }, { additionalProperties: false }),
        response: { 202: Type.Any(), 400: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (request, reply) => reply.status(202).send(await intel.startHunt((request.body as { indicators: string[] }).indicators, actorOf(request))),
  );

  app.get('/api/v1/watchlists', { config: { permission: 'read' }, schema: { summary: 'Watchlists (VIP users, crown-jewel hosts, known scanners)', tags } }, async () => ({ items: await intel.watchlists() }));
  app.get(
    '/api/v1/watchlists/:name',
    { config: { permission: 'read' }, schema: { summary: 'One watchlist with its entries', tags, params: NameParam, response: { 404: ErrorSchema } } },
    async (request) => intel.watchlist((request.params as { name: string }).name),
  );
  app.put(
    '/api/v1/watchlists/:name',
    {
      config: { permission: 'write' },
      bodyLimit: 16 * 1024 * 1024,
      schema: { summary: 'Create or replace a watchlist: {kind, entries, description, weight}', tags, params: NameParam, response: { 200: Type.Any(), 201: Type.Any(), 400: ErrorSchema } },
    },
    async (request, reply) => {
      const result = await intel.putWatchlist((request.params as { name: string }).name, request.body, actorOf(request));
      return reply.status(result.created ? 201 : 200).send(result.watchlist);
    },
  );
  app.delete(
    '/api/v1/watchlists/:name',
    { config: { permission: 'write' }, schema: { summary: 'Delete a watchlist', tags, params: NameParam, response: { 204: Type.Null(), 404: ErrorSchema } } },
    async (request, reply) => {
      await intel.deleteWatchlist((request.params as { name: string }).name, actorOf(request));
      return reply.status(204).send();
    },
  );
}
