import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { Value } from 'typebox/value';
import { ConfigSchema, type VigilConfig } from './schema.ts';

export interface ConfigProblem {
  /** Dotted path of the key at fault, e.g. `server.port`. */
  path: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(
    readonly problems: ConfigProblem[],
    readonly file?: string,
  ) {
    super(`${file ?? 'configuration'}: ${problems.map((p) => `${p.path || '(root)'}: ${p.message}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

const pointerToPath = (pointer: string): string =>
  pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');

/** Every problem of a raw (parsed) configuration object, each with its path. */
export function checkConfig(raw: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const error of Value.Errors(ConfigSchema, raw)) {
    const e = error as { keyword: string; instancePath: string; params: Record<string, unknown>; message: string };
    if (e.keyword === 'boolean') continue; // reported again, better, as additionalProperties
    const base = pointerToPath(e.instancePath);
    if (e.keyword === 'additionalProperties') {
      for (const key of (e.params.additionalProperties as string[]) ?? []) {
        problems.push({ path: base ? `${base}.${key}` : key, message: 'unknown key' });
      }
      continue;
    }
    problems.push({ path: base, message: e.message });
  }
  return problems;
}

/** Parse YAML text; syntax errors become problems with line and column. */
export function parseConfigText(text: string): { raw: unknown; problems: ConfigProblem[] } {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      raw: undefined,
      problems: doc.errors.map((e) => ({
        path: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '',
        message: e.message.split('\n')[0] ?? e.message,
      })),
    };
  }
  const raw = doc.toJS() ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) return { raw, problems: [{ path: '', message: 'must be a mapping' }] };
  return { raw, problems: checkConfig(raw) };
}

/** A complete configuration: defaults filled in. Throws ConfigError listing every problem. */
export function resolveConfig(raw: unknown = {}, file?: string): VigilConfig {
  const problems = checkConfig(raw);
  if (problems.length > 0) throw new ConfigError(problems, file);
  return Value.Default(ConfigSchema, structuredClone(raw)) as VigilConfig;
}

export function loadConfigFile(file: string): VigilConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([{ path: '', message: `cannot read: ${(error as Error).message}` }], file);
  }
  const { raw, problems } = parseConfigText(text);
  if (problems.length > 0) throw new ConfigError(problems, file);
  return resolveConfig(raw, file);
}

export interface Overrides {
  host?: string;
  port?: number;
  data?: string;
  syslogPort?: number;
  logLevel?: string;
}

/** Command-line flags over environment over file over defaults. */
export function applyOverrides(config: VigilConfig, flags: Overrides, env: NodeJS.ProcessEnv = process.env): VigilConfig {
  const out = structuredClone(config);
  const envInt = (name: string): number | undefined => {
    const v = env[name];
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError([{ path: name, message: `not a port number: '${v}'` }], 'environment');
    return n;
  };
  out.server.host = flags.host ?? env.VIGIL_HOST ?? out.server.host;
  out.server.port = flags.port ?? envInt('VIGIL_PORT') ?? out.server.port;
  out.data = flags.data ?? env.VIGIL_DATA ?? out.data;
  out.syslog.port = flags.syslogPort ?? envInt('VIGIL_SYSLOG_PORT') ?? out.syslog.port;
  if (flags.logLevel) out.log.level = flags.logLevel as VigilConfig['log']['level'];
  return out;
}
