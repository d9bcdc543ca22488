import { securityEvent } from './lib.ts';
import { parseBody } from '../src/sources/http/body.ts';
import { IngestPipeline } from '../src/app/ingest.ts';
import { pushEventRow, documentJson } from '../src/store/sqlite/rows.ts';
import { ORIGINAL_TEXT } from '../src/core/index.ts';
const N = 100000;
const body = Buffer.from(Array.from({ length: N }, (_, i) => JSON.stringify(securityEvent(i))).join('\n'));
let captured: any[] = [];
const pipeline = new IngestPipeline({ write: async (b) => { captured = b.events; } }, { maxFields: 1000, maxDepth: 20 });
for (let r = 0; r < 3; r++) {
  let t = performance.now();
  const recs = parseBody(body, 'ndjson');
  const tParse = performance.now() - t; t = performance.now();
  await pipeline.ingest(recs, { type: 'http', name: 'http' });
  const tNorm = performance.now() - t; t = performance.now();
  const rows: unknown[] = []; for (const e of captured) pushEventRow(rows, e);
  const tRows = performance.now() - t;
  console.log({ parse_us: (tParse * 1000 / N).toFixed(2), ingest_us: (tNorm * 1000 / N).toFixed(2), rows_us: (tRows * 1000 / N).toFixed(2), hasText: captured[0][ORIGINAL_TEXT] !== undefined, docLen: documentJson(captured[0]).length });
}
