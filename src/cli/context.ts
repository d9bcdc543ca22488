import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { adminTokenPath } from '../app/index.ts';
import { applyOverrides, loadConfigFile, resolveConfig, type Overrides, type VigilConfig } from '../config/index.ts';
import { RemoteClient } from './remote.ts';

export interface GlobalOptions {
  config?: string;
  data?: string;
  url?: string;
  token?: string;
  json?: boolean;
}

/** vigil.yaml from --config, $VIGIL_CONFIG or ./vigil.yaml when present; then env and flags. */
export function loadConfig(options: GlobalOptions & Overrides): VigilConfig {
  const file = options.config ?? process.env.VIGIL_CONFIG ?? (existsSync('vigil.yaml') ? 'vigil.yaml' : undefined);
  const base = file ? loadConfigFile(file) : resolveConfig({});
  return applyOverrides(base, { ...options, data: options.data });
}

/** --url/--token (or VIGIL_URL/VIGIL_TOKEN) mean a running server; otherwise the data folder. */
export function remoteTarget(options: GlobalOptions): RemoteClient | null {
  const url = options.url ?? process.env.VIGIL_URL;
  if (!url) return null;
  let token = options.token ?? process.env.VIGIL_TOKEN;
  if (!token) {
    // Convenience on the server's own machine: the first-start admin token.
    const file = adminTokenPath(resolve(options.data ?? process.env.VIGIL_DATA ?? './data'));
    if (existsSync(file)) token = readFileSync(file, 'utf8').trim();
  }
  if (!token) throw new UsageError('--url needs a token: pass --token or set VIGIL_TOKEN');
  return new RemoteClient(url, token);
}

/** A mistake in how the command was called: exit code 2. */
export class UsageError extends Error {}

/** Who a local command acts as, for the audit trail. */
export function localActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}
