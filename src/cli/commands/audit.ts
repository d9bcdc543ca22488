import { openLocal } from '../../app/index.ts';
import { loadConfig, remoteTarget, type GlobalOptions } from '../context.ts';

/** `vigil audit verify`: checks the hash chain; exit 1 and the first broken record when it is broken. */
export async function auditVerify(options: GlobalOptions): Promise<number> {
  const remote = remoteTarget(options);
  let verdict: { ok: boolean; records: number; broken: { seq: number; reason: string } | null };
  if (remote) verdict = await remote.verifyAudit();
  else {
    const local = await openLocal(loadConfig(options));
    try {
      verdict = await local.audit.verify();
    } finally {
      await local.close();
    }
  }
  if (options.json) process.stdout.write(`${JSON.stringify(verdict)}\n`);
  else if (verdict.ok) process.stdout.write(`audit chain intact: ${verdict.records} record(s)\n`);
  else process.stdout.write(`audit chain BROKEN at record ${verdict.broken!.seq}: ${verdict.broken!.reason} (${verdict.records} record(s) read)\n`);
  return verdict.ok ? 0 : 1;
}
