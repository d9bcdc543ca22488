import { securityEvent, startServer } from './lib.ts';
import { Agent, request } from 'node:http';
const args = process.argv.slice(2);
const server = await startServer(args.filter(a => !a.startsWith('--max')), {}, args.filter(a => a.startsWith('--max')));
const N = 100000;
const lines = Array.from({ length: N }, (_, i) => JSON.stringify(securityEvent(i)));
const bodies: Buffer[] = []; for (let i = 0; i < lines.length; i += 1000) bodies.push(Buffer.from(lines.slice(i, i + 1000).join('\n')));
const agent = new Agent({ keepAlive: true, maxSockets: 2 });
for (let round = 0; round < 2; round++) {
let next = 0;
const t0 = performance.now();
await Promise.all([0, 1].map(async () => { while (next < bodies.length) { const b = bodies[next++]!; await new Promise((res, rej) => { const r = request(new URL('/api/v1/events', server.url), { method: 'POST', agent, headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/x-ndjson' } }, (s) => { s.resume(); s.on('end', res); }); r.on('error', rej); r.end(b); }); } }));
console.log(args.join(' '), 'rate', Math.round(N / ((performance.now() - t0) / 1000)));
}
agent.destroy();
await server.stop();
