/**
 * GitHub webhooks → observed changes. Only what actually changed production counts: a successful
 * deployment, or a push to the default branch. Everything else is acknowledged and ignored, so
 * a webhook subscribed to "everything" does not fill the change log with noise.
 */
import { hmacSha256Matches } from '../lib/index.ts';
import { VigilError } from '../core/index.ts';
import { isObject, isoOf, parseZonedTimestamp, type JsonObject } from '../triage/index.ts';
import type { ObservedChangeInput } from './observed-input.ts';

export interface GithubEventResult {
  observed: ObservedChangeInput | null;
  /** Why nothing was observed. */
  ignored?: string;
  /**
   * Names the caller resolves to an inventory asset through aliases, most specific first
   * (environment, repository full name, repository name); empty when ignored.
   */
  names: string[];
}

const SIGNATURE = /^sha256=([0-9a-fA-F]+)$/;

/**
 * Checks `X-Hub-Signature-256` (`sha256=<hex HMAC-SHA256 of the raw body>`). The body must be the
 * bytes GitHub sent, before any JSON parsing: re-serialising changes them.
 */
export function verifyGithubSignature(secret: string, rawBody: Buffer | string, header: string | undefined): boolean {
  // An empty secret would let anyone compute a valid signature.
  if (!secret || typeof header !== 'string') return false;
  const m = SIGNATURE.exec(header.trim());
  return m !== null && hmacSha256Matches(secret, [rawBody], m[1]!);
}

const invalid = (field: string, reason: string) => new VigilError('invalid_github_event', `${field}: ${reason}`, 400, field);

function obj(parent: JsonObject, key: string, path: string): JsonObject {
  const v = parent[key];
  if (!isObject(v)) throw invalid(path, 'required: an object');
  return v;
}

function str(parent: JsonObject, key: string, path: string): string {
  const v = parent[key];
  if (typeof v !== 'string' || v.trim() === '') throw invalid(path, 'required: a non-empty string');
  return v;
}

/** A non-blank string at parent[key], else undefined (for fields GitHub may send as null or ""). */
function optStr(parent: unknown, key: string): string | undefined {
  const v = isObject(parent) ? parent[key] : undefined;
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

function time(v: unknown, path: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  const ms = parseZonedTimestamp(v);
  if (ms === null) throw invalid(path, 'expected an ISO 8601 timestamp with a zone');
  return ms;
}

const uniq = (names: Array<string | undefined>): string[] => [...new Set(names.filter((n): n is string => !!n))];

const ignore = (reason: string): GithubEventResult => ({ observed: null, ignored: reason, names: [] });

/**
 * Maps one webhook delivery (`X-GitHub-Event`, parsed body, `X-GitHub-Delivery`). Throws a
 * VigilError (400, `invalid_github_event`) when an event we use lacks a field we need.
 */
export function parseGithubEvent(event: string, body: unknown, now: Date, delivery?: string): GithubEventResult {
  if (event === 'ping') return ignore('ping');
  if (event !== 'deployment_status' && event !== 'push') return ignore(`event ${event} is not a change`);
  if (!isObject(body)) throw invalid('body', 'expected a JSON object');
  return event === 'push' ? push(body, now, delivery) : deploymentStatus(body, now, delivery);
}

function deploymentStatus(body: JsonObject, now: Date, delivery: string | undefined): GithubEventResult {
  const status = obj(body, 'deployment_status', 'deployment_status');
  const state = str(status, 'state', 'deployment_status.state');
  // Only a finished, successful deployment changed anything; pending, failure... did not (yet).
  if (state !== 'success') return ignore(`deployment_status state ${state}`);

  const deployment = obj(body, 'deployment', 'deployment');
  const repository = obj(body, 'repository', 'repository');
  const environment = str(deployment, 'environment', 'deployment.environment');
  const sha = str(deployment, 'sha', 'deployment.sha');
  const fullName = str(repository, 'full_name', 'repository.full_name');
  const names = uniq([environment, fullName, optStr(repository, 'name')]);

  const at =
    time(status.updated_at, 'deployment_status.updated_at') ?? time(status.created_at, 'deployment_status.created_at') ?? now.getTime();
  const url = optStr(status, 'target_url') ?? optStr(status, 'log_url');
  const evidence: Record<string, unknown> = {};
  if (delivery) evidence.delivery = delivery;
  Object.assign(evidence, { repository: fullName, sha, environment });
  if (url) evidence.url = url;

  return {
    observed: {
      source: 'github',
      type: 'deploy',
      asset: environment,
      service: null,
      actor: optStr(status.creator, 'login') ?? optStr(body.sender, 'login') ?? null,
      timestamp: isoOf(at),
      summary: `Deployed ${fullName}@${sha.slice(0, 7)} to ${environment}`,
      evidence,
    },
    names,
  };
}

function push(body: JsonObject, now: Date, delivery: string | undefined): GithubEventResult {
  const repository = obj(body, 'repository', 'repository');
  const ref = str(body, 'ref', 'ref');
  const defaultBranch = str(repository, 'default_branch', 'repository.default_branch');
  if (ref !== `refs/heads/${defaultBranch}`) return ignore(`push to ${ref}, not the default branch ${defaultBranch}`);
  if (body.deleted === true) return ignore(`push deleted ${ref}`);

  const fullName = str(repository, 'full_name', 'repository.full_name');
  const name = str(repository, 'name', 'repository.name');
  const after = str(body, 'after', 'after');
  const commits = Array.isArray(body.commits) ? body.commits.length : 0;
  const headCommit = isObject(body.head_commit) ? body.head_commit : undefined;

  // Push time, not commit time: a commit authored last week and pushed now changes things now.
  // GitHub sends `repository.pushed_at` as epoch seconds in push payloads.
  const pushedAt = typeof repository.pushed_at === 'number' && Number.isFinite(repository.pushed_at) ? repository.pushed_at * 1000 : undefined;
  const at = pushedAt ?? time(headCommit?.timestamp, 'head_commit.timestamp') ?? now.getTime();

  const evidence: Record<string, unknown> = {};
  if (delivery) evidence.delivery = delivery;
  Object.assign(evidence, { repository: fullName, before: body.before ?? null, after, compare: optStr(body, 'compare') ?? null });
  if (body.forced === true) evidence.forced = true;

  return {
    observed: {
      source: 'github',
      type: 'deploy',
      asset: name,
      service: null,
      actor: optStr(body.pusher, 'name') ?? optStr(body.sender, 'login') ?? null,
      timestamp: isoOf(at),
      summary: `${body.forced === true ? 'Force-pushed' : 'Pushed'} ${commits} commit${commits === 1 ? '' : 's'} to ${fullName} ${defaultBranch} (${after.slice(0, 7)})`,
      evidence,
    },
    names: uniq([fullName, name]),
  };
}
