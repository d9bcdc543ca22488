import { createGunzip, createInflate } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { VigilError } from '../../core/index.ts';
import { bodyFormat, parseBody } from '../../sources/http/index.ts';
import type { ApiDeps } from '../facades.ts';
import { ErrorSchema, PageSchema } from '../schemas.ts';

const SearchQuery = Type.Object({
  q: Type.Optional(Type.String({ description: 'Query in the search language, e.g. `host.name:web* AND NOT event.outcome:success`' })),
  from: Type.Optional(Type.String({ description: 'Start of the time range: ISO 8601 or relative (`now-24h`)' })),
  to: Type.Optional(Type.String({ description: 'End of the time range (exclusive): ISO 8601 or relative' })),
  sort: Type.Optional(Type.String({ description: '`-@timestamp` (default), `@timestamp`, or another indexed field, `-` for descending' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
  cursor: Type.Optional(Type.String({ description: 'next_cursor of the previous page' })),
});

const IngestReply = Type.Object({
  accepted: Type.Integer(),
  rejected: Type.Array(Type.Object({ index: Type.Integer(), error: Type.String() })),
});

/** Event routes: ingest (its own body parsing), search, fetch, facets. */
export async function eventRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  await app.register(async (ingest) => {
    ingest.removeAllContentTypeParsers();
    ingest.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: deps.limits.maxBodyBytes }, (_request, body, done) => done(null, body));
    // Decompress before the body limit counts, so the limit applies to what is decoded (no zip bombs).
    ingest.addHook('preParsing', async (request, _reply, payload) => {
      const encoding = String(request.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
      if (encoding === 'identity' || encoding === '') return payload;
      if (encoding !== 'gzip' && encoding !== 'x-gzip' && encoding !== 'deflate') {
        throw new VigilError('unsupported_media_type', `Content-Encoding '${encoding}' is not supported (gzip, deflate)`, 415, 'content-encoding');
      }
      const decoder = encoding === 'deflate' ? createInflate() : createGunzip();
      let encodedLength = 0;
      payload.on('data', (chunk: Buffer) => (encodedLength += chunk.length));
      payload.on('error', (error) => decoder.destroy(error));
      const decoded = payload.pipe(decoder) as typeof decoder & { receivedEncodedLength?: number };
      Object.defineProperty(decoded, 'receivedEncodedLength', { get: () => encodedLength, configurable: true });
      return decoded;
    });
    ingest.post(
      '/api/v1/events',
      {
        bodyLimit: deps.limits.maxBodyBytes,
        config: { permission: 'ingest' },
        schema: {
          summary: 'Ingest events',
          description:
            'One JSON object, a JSON array, NDJSON (`application/x-ndjson`) or log lines (`text/plain`); `Content-Encoding: gzip` accepted. ' +
            'Bad records are rejected alone, with their reason, and kept in the dead-letter store. 202 means committed to disk.',
          tags: ['events'],
          response: { 202: IngestReply, 400: ErrorSchema, 413: ErrorSchema, 503: ErrorSchema },
        },
      },
      async (request, reply) => {
        const body = request.body as Buffer | undefined;
        if (!body || body.length === 0) throw new VigilError('bad_request', 'body is empty', 400, 'body', { position: 0 });
        const records = parseBody(body, bodyFormat(request.headers['content-type']));
        const peer = `${request.ip}:${request.socket.remotePort ?? 0}`;
        const outcome = await deps.events.ingest(records, { type: 'http', name: 'http', address: peer });
        return reply.status(202).send(outcome);
      },
    );
  });

  app.get(
    '/api/v1/events',
    {
      config: { permission: 'read' },
      schema: { summary: 'Search events', tags: ['events'], querystring: SearchQuery, response: { 200: PageSchema, 400: ErrorSchema } },
    },
    async (request) => deps.events.search(request.query as Record<string, never>),
  );

  app.get(
    '/api/v1/events/histogram',
    {
      config: { permission: 'read' },
      schema: {
        summary: 'Count of matching events over time',
        tags: ['events'],
        querystring: Type.Object({ ...SearchQuery.properties, interval: Type.Optional(Type.String({ description: 'Bucket size like 1m, 1h, 1d; chosen from the range when absent' })) }),
      },
    },
    async (request) => deps.events.histogram(request.query as Record<string, never>),
  );

  app.get(
    '/api/v1/events/fields/:field/top',
    {
      config: { permission: 'read' },
      schema: {
        summary: 'Most frequent values of a field among matching events (facets)',
        tags: ['events'],
        params: Type.Object({ field: Type.String({ minLength: 1, maxLength: 256 }) }),
        querystring: SearchQuery,
      },
    },
    async (request) => {
      const { field } = request.params as { field: string };
      return { field, items: await deps.events.topValues(field, request.query as Record<string, never>) };
    },
  );

  app.get(
    '/api/v1/events/:id',
    {
      config: { permission: 'read' },
      schema: { summary: 'One event', tags: ['events'], params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }), response: { 404: ErrorSchema } },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const event = await deps.events.get(id);
      if (!event) throw new VigilError('not_found', `event '${id}' not found`, 404, 'id');
      return event;
    },
  );

  app.get(
    '/api/v1/dead-letters',
    {
      config: { permission: 'read' },
      schema: {
        summary: 'Records that could not be accepted, with the reason',
        tags: ['events'],
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })), cursor: Type.Optional(Type.String()) }),
      },
    },
    async (request) => {
      const { limit, cursor } = request.query as { limit?: number; cursor?: string };
      return deps.events.deadLetters(limit ?? 100, cursor);
    },
  );
}
