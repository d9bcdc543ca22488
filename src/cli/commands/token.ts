import { openLocal } from '../../app/index.ts';
import type { TokenRecord } from '../../store/index.ts';
import { loadConfig, localActor, remoteTarget, type GlobalOptions } from '../context.ts';

async function withTokens<T>(options: GlobalOptions, local: (s: Awaited<ReturnType<typeof openLocal>>['tokens']) => Promise<T>, remote: (c: NonNullable<ReturnType<typeof remoteTarget>>) => Promise<T>): Promise<T> {
  const client = remoteTarget(options);
  if (client) return remote(client);
  const services = await openLocal(loadConfig(options));
  try {
    return await local(services.tokens);
  } finally {
    await services.close();
  }
}

export async function tokenCreate(options: GlobalOptions & { role: string; name?: string }): Promise<number> {
  const issued = await withTokens(options, (t) => t.create(options.role, options.name, localActor()), (c) => c.createToken(options.role, options.name));
  if (options.json) process.stdout.write(`${JSON.stringify(issued)}\n`);
  else process.stdout.write(`${issued.token}\n`);
  process.stderr.isTTY && !options.json && process.stderr.write(`token '${issued.record.name}' (${issued.record.id}) with role ${issued.record.role}; it is shown only now\n`);
  return 0;
}

export async function tokenList(options: GlobalOptions): Promise<number> {
  const items: TokenRecord[] = await withTokens(options, (t) => t.list(), async (c) => (await c.listTokens()).items);
  if (options.json) process.stdout.write(`${JSON.stringify({ items, next_cursor: null })}\n`);
  else {
    process.stdout.write(`${'ID'.padEnd(18)} ${'NAME'.padEnd(24)} ${'ROLE'.padEnd(8)} ${'CREATED'.padEnd(24)} STATE\n`);
    for (const t of items) {
      process.stdout.write(`${t.id.padEnd(18)} ${t.name.padEnd(24)} ${t.role.padEnd(8)} ${t.created_at.padEnd(24)} ${t.revoked_at ? `revoked ${t.revoked_at}` : 'active'}\n`);
    }
  }
  return 0;
}

export async function tokenRevoke(id: string, options: GlobalOptions): Promise<number> {
  const record = await withTokens(options, (t) => t.revoke(id, localActor()), (c) => c.revokeToken(id));
  if (options.json) process.stdout.write(`${JSON.stringify(record)}\n`);
  else process.stdout.write(`revoked ${record.name} (${record.id})\n`);
  return 0;
}
