/** "2xx means on disk": kill -9 right after the answer, restart, everything is there. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { ndjson, startServer, tempDir } from './harness.ts';

describe('durability', () => {
  it('keeps every record answered 202 across a SIGKILL', async () => {
    const dataDir = tempDir();
    try {
      const first = await startServer({ dataDir, syslog: false });
      let accepted = 0;
      // Several concurrent requests in flight, then SIGKILL the moment the last answer arrives.
      const batches = Array.from({ length: 8 }, (_, b) => ndjson(Array.from({ length: 500 }, (_, i) => ({ message: `durable ${b}-${i}`, host: { name: `d${b}` } }))));
      const answers = await Promise.all(
        batches.map((body) => first.api('/api/v1/events', { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body })),
      );
      first.child.kill('SIGKILL');
      for (const answer of answers) {
        assert.equal(answer.status, 202);
        accepted += (await answer.json()).accepted;
      }
      await new Promise((r) => first.child.once('exit', r));
      assert.equal(accepted, 4000);

      const second = await startServer({ dataDir, syslog: false });
      try {
        const response = await second.api('/api/v1/events?q=durable&limit=1');
        assert.equal(response.status, 200, 'the admin token survives too');
        const counts = await Promise.all(
          Array.from({ length: 8 }, async (_, b) => (await (await second.api(`/api/v1/events/fields/host.name/top?q=host.name:d${b}`)).json()).items[0]?.count),
        );
        assert.deepEqual(counts, Array(8).fill(500));
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
