import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ApiDeps } from '../facades.ts';

/**
 * The web UI's policy: scripts and styles only from this origin (no inline script, no eval),
 * data only from the API. The UI escapes event data; this stops whatever would slip through.
 */
export const UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

function filesUnder(root: string, dir = root, out = new Map<string, { body: Buffer; type: string }>()): Map<string, { body: Buffer; type: string }> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) filesUnder(root, path, out);
    else out.set(`/${relative(root, path).split('\\').join('/')}`, { body: readFileSync(path), type: TYPES[extname(name)] ?? 'application/octet-stream' });
  }
  return out;
}

function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', UI_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY');
}

/**
 * The built UI (ui/dist, a few files held in memory), served at `/` with its security headers.
 * The pages are public (they hold no data); everything they show comes from the API with a token.
 */
export async function uiRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const root = deps.uiDir;
  if (!root || !existsSync(join(root, 'index.html'))) {
    app.get('/', { config: { permission: 'public' }, schema: { hide: true } }, async (_request, reply) =>
      reply.status(503).type('text/plain; charset=utf-8').send('The web UI is not built: run `npm run build:ui` (npm install does it).\n'),
    );
    return;
  }
  const files = filesUnder(root);
  const index = files.get('/index.html')!;
  const sendIndex = async (_request: unknown, reply: FastifyReply) => secure(reply).header('cache-control', 'no-cache').type(index.type).send(index.body);
  app.get('/', { config: { permission: 'public' }, schema: { hide: true } }, sendIndex);
  app.get('/assets/*', { config: { permission: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const file = files.get(request.url.split('?')[0]!);
    if (!file) return reply.status(404).type('text/plain').send('not found\n');
    // Hashed names never change: cached for good.
    return secure(reply).header('cache-control', 'public, max-age=31536000, immutable').type(file.type).send(file.body);
  });
  for (const [path, file] of files) {
    if (path.startsWith('/assets/') || path === '/index.html') continue;
    app.get(path, { config: { permission: 'public' }, schema: { hide: true } }, async (_request, reply) => secure(reply).type(file.type).send(file.body));
  }
}

/**
 * Server-sent events for the UI's live views (`event: incident`, data: the incident as stored).
 * Read with fetch and the bearer token (EventSource cannot send headers); a comment every 15 s
 * keeps proxies from closing an idle stream.
 */
export async function liveRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const live = deps.live;
  if (!live) return;
  app.get('/api/v1/stream', { config: { permission: 'read' }, schema: { summary: 'Live updates (text/event-stream): incidents as triage changes them', tags: ['ops'] } }, async (request, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(': connected\n\n');
    const unsubscribe = live.subscribe((event) => {
      res.write(`event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
    });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    heartbeat.unref();
    request.raw.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });
}
