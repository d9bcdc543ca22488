import { securityEvent } from './lib.ts';
import { parseBody } from '../src/sources/http/body.ts';
import { IngestPipeline } from '../src/app/ingest.ts';
import { documentJson, fullText, keysOf } from '../src/store/sqlite/rows.ts';
const N = 100000;
const body = Buffer.from(Array.from({ length: N }, (_, i) => JSON.stringify(securityEvent(i))).join('\n'));
let captured: any[] = [];
const pipeline = new IngestPipeline({ write: async (b) => { captured = b.events; } }, { maxFields: 1000, maxDepth: 20 });
await pipeline.ingest(parseBody(body, 'ndjson'), { type: 'http', name: 'http' });
for (const [name, fn] of [['doc', documentJson], ['fts', fullText], ['keys', keysOf], ['ts', (e: any) => Date.parse(e['@timestamp'])]] as const) {
  for (let r = 0; r < 2; r++) { const t = performance.now(); for (const e of captured) (fn as any)(e); if (r) console.log(name, ((performance.now() - t) * 1000 / N).toFixed(2)); }
}
