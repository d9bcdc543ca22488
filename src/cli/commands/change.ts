/**
 * `vigil change ...`: change records on a running server (their requests, approvals and lifecycle), and
 * `vigil change policy check`, which checks freeze policies in a file offline, optionally against a change.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { describeSchedule, evaluatePolicies, validateChangeInput, validatePolicy, type PolicyLookup } from '../../changes/index.ts';
import { parseTime, VigilError, type Change, type FreezePolicy, type PolicyFinding } from '../../core/index.ts';
import { UsageError, type GlobalOptions } from '../context.ts';
import { RemoteError } from '../remote.ts';
import { requireServer, truncate } from './incident.ts';

const out = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

const dash = (value: string | null | undefined): string => (value === null || value === undefined || value === '' ? '-' : value);
const list = (values: readonly string[] | undefined): string => (values && values.length ? values.join(', ') : '-');
const approvals = (c: Change): string => `${new Set(c.approvals.map((a) => a.by)).size}/${c.approvals_required}`;
const windowOf = (c: Pick<Change, 'window'>): string => `${c.window.start}–${c.window.end}`;

/**
 * Runs a request against the server. A missing change (404), a refused step (409) or a window a freeze
 * policy forbids (422) is the command's answer, not a usage mistake: the server's message goes to
 * stderr and the exit code is 1.
 */
async function attempt<T>(label: string | null, fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; code: number }> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    if (error instanceof RemoteError && (error.status === 404 || error.status === 409 || error.status === 422)) {
      const message = error.message.replace(/^\d{3} /, '');
      process.stderr.write(`vigil: ${label === null || message.includes(label) ? message : `${label}: ${message}`}\n`);
      return { ok: false, code: 1 };
    }
    throw error;
  }
}

function table(headers: string[], rows: string[][], indent = ''): string[] {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const format = (cells: string[]) =>
    indent +
    cells
      .map((cell, c) => (c === cells.length - 1 ? cell : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [format(headers), ...rows.map(format)];
}

const conflictLine = (c: Change['conflicts'][number]): string => `${c.change_id} on ${c.on}: ${c.reason} (overlap ${c.overlap.start}–${c.overlap.end})`;

// ---------------------------------------------------------------------------------------------
// create

export interface ChangeCreateOptions extends GlobalOptions {
  title?: string;
  type?: string;
  asset?: string[];
  service?: string[];
  start?: string;
  end?: string;
  implementer?: string;
  requester?: string;
  emergency?: boolean;
  description?: string;
  backoutPlan?: string;
  risk?: string;
  link?: string[];
  draft?: boolean;
}

export async function changeCreate(options: ChangeCreateOptions): Promise<number> {
  if (options.title === undefined || options.title.trim() === '') throw new UsageError('change create needs --title');
  if (options.type === undefined) throw new UsageError('change create needs --type (firewall, network, deploy, config, database, access or other)');
  if (options.start === undefined || options.end === undefined) throw new UsageError('change create needs --start and --end: ISO times with an offset, e.g. 2026-03-10T10:00:00Z');
  const client = requireServer(options, 'vigil change create');
  const body: Record<string, unknown> = {
    title: options.title,
    type: options.type,
    assets: options.asset ?? [],
    services: options.service ?? [],
    window: { start: options.start, end: options.end },
  };
  if (options.implementer !== undefined) body.implementer = options.implementer;
  if (options.requester !== undefined) body.requester = options.requester;
  if (options.description !== undefined) body.description = options.description;
  if (options.backoutPlan !== undefined) body.backout_plan = options.backoutPlan;
  if (options.risk !== undefined) body.risk = options.risk;
  if (options.emergency) body.emergency = true;
  if (options.draft) body.draft = true;
  if (options.link?.length) body.links = options.link.map((href) => ({ href }));
  const result = await attempt(null, () => client.createChange(body));
  if (!result.ok) return result.code;
  const change = result.value;
  if (options.json) {
    out(JSON.stringify(change));
    return 0;
  }
  out(`${change.id} ${change.status} (approvals ${approvals(change)})`);
  for (const warning of change.warnings) out(`warning: ${warning.message}`);
  for (const conflict of change.conflicts) out(`conflict: ${conflictLine(conflict)}`);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// list

export interface ChangeListOptions extends GlobalOptions {
  from?: string;
  to?: string;
  status?: string;
  limit?: number;
  cursor?: string;
}

/** ISO 8601 or date math (now-7d): the server takes instants, so relative times are resolved here. */
const instant = (value: string | undefined, now: Date, roundUp = false): string | undefined =>
  value === undefined || value === '' ? undefined : parseTime(value, now, { roundUp }).toISOString();

export async function changeList(options: ChangeListOptions): Promise<number> {
  const client = requireServer(options, 'vigil change list');
  const now = new Date();
  const page = await client.listChanges({ from: instant(options.from, now), to: instant(options.to, now), status: options.status, limit: options.limit, cursor: options.cursor });
  if (options.json) {
    out(JSON.stringify(page));
    return 0;
  }
  if (page.items.length === 0) {
    const filters = [options.status && `status ${options.status}`, options.from && `from ${options.from}`, options.to && `to ${options.to}`].filter(Boolean);
    out(`no changes${filters.length ? ` (${filters.join(', ')})` : ''}`);
    return 0;
  }
  const headers = ['ID', 'STATUS', 'TYPE', 'WINDOW', 'ASSETS', 'IMPLEMENTER', 'APPROVALS', 'CONFLICTS'];
  const rows = page.items.map((c) => [c.id, c.status, c.type, windowOf(c), truncate(list(c.assets), 40), dash(c.implementer), approvals(c), String(c.conflicts.length)]);
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const used = widths.reduce((sum, w) => sum + w + 2, 0);
  const titleWidth = Math.max(20, (process.stdout.columns || 160) - used);
  const line = (cells: string[], title: string) => `${cells.map((cell, c) => (c === 7 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ')}  ${title}`;
  out(line(headers, 'TITLE'));
  page.items.forEach((change, n) => out(line(rows[n]!, truncate(change.title, titleWidth))));
  if (page.next_cursor) process.stderr.write(`more changes: add --cursor ${page.next_cursor}\n`);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// show

export async function changeShow(id: string, options: GlobalOptions): Promise<number> {
  const client = requireServer(options, 'vigil change show');
  const result = await attempt(id, () => client.getChange(id));
  if (!result.ok) return result.code;
  const change = result.value;
  if (options.json) {
    out(JSON.stringify(change));
    return 0;
  }
  const field = (name: string, value: string) => out(`${`${name}:`.padEnd(14)}${value}`);
  const block = (name: string, text: string) => {
    if (!text.trim()) return field(name, '-');
    out(`${name}:`);
    for (const l of text.split('\n')) out(`  ${l}`);
  };
  out(`${change.id}  ${change.title}`);
  field('Status', `${change.status} (approvals ${approvals(change)})`);
  field('Type', change.type);
  field('Risk', change.risk);
  field('Emergency', change.emergency ? 'yes' : 'no');
  field('Window', windowOf(change));
  field('Assets', list(change.assets));
  field('Services', list(change.services));
  field('Implementer', dash(change.implementer));
  field('Requester', dash(change.requester));
  field('Created', `${change.created_at} by ${change.created_by}`);
  field('Updated', change.updated_at);
  field('Started', dash(change.started_at));
  field('Ended', dash(change.ended_at));
  field('Links', change.links.length ? change.links.map((l) => (l.text ? `${l.text} <${l.href}>` : l.href)).join(', ') : '-');
  block('Description', change.description);
  block('Backout plan', change.backout_plan);
  out();
  out(`Approvals (${approvals(change)}):`);
  if (change.approvals.length) for (const row of table(['BY', 'AT', 'COMMENT'], change.approvals.map((a) => [a.by, a.at, dash(a.comment)]), '  ')) out(row);
  out();
  out(`Warnings (${change.warnings.length}):`);
  for (const w of change.warnings) out(`  ${w.action}: ${w.message}`);
  out();
  out(`Conflicts (${change.conflicts.length}):`);
  if (change.conflicts.length) {
    for (const row of table(['CHANGE', 'ON', 'OVERLAP', 'REASON'], change.conflicts.map((c) => [c.change_id, c.on, `${c.overlap.start}–${c.overlap.end}`, c.reason]), '  ')) out(row);
  }
  out();
  const timeline = change.timeline ?? [];
  out(`Timeline (${timeline.length}):`);
  if (timeline.length) {
    for (const row of table(['TIME', 'ACTOR', 'KIND', 'TEXT'], timeline.map((t) => [String(t.at), String(t.actor), String(t.kind), String(t.text).replace(/\n/g, ' ⏎ ')]), '  ')) out(row);
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// lifecycle actions

export type ChangeActionName = 'request' | 'approve' | 'start' | 'complete' | 'fail' | 'rollback' | 'cancel';

export async function changeAction(action: ChangeActionName, id: string, options: GlobalOptions & { comment?: string }): Promise<number> {
  const client = requireServer(options, `vigil change ${action}`);
  const result = await attempt(id, () => client.changeAction(id, action, options.comment));
  if (!result.ok) return result.code;
  const change = result.value;
  if (options.json) {
    out(JSON.stringify(change));
    return 0;
  }
  let detail = '';
  if (action === 'approve' || action === 'request' || change.status === 'requested' || change.status === 'approved') {
    const by = [...new Set(change.approvals.map((a) => a.by))];
    detail = ` (approvals ${approvals(change)}${by.length ? `: ${by.join(', ')}` : ''})`;
  } else if (change.status === 'in_progress' && change.started_at) detail = ` (started ${change.started_at})`;
  else if (change.ended_at && (change.status === 'completed' || change.status === 'failed' || change.status === 'rolled_back')) detail = ` (ended ${change.ended_at})`;
  out(`${change.id} ${change.status}${detail}`);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// policy check (offline)

interface PolicyResult {
  path: string;
  name: string | null;
  policy?: FreezePolicy;
  error?: string;
}

/** The policies a file holds, each with its path in the file: one policy, a list, `{policies: [...]}` or a vigil.yaml. */
function policiesIn(document: unknown): { entries: Array<{ path: string; raw: unknown }>; problem?: string } {
  if (Array.isArray(document)) return { entries: document.map((raw, i) => ({ path: `[${i}]`, raw })) };
  if (typeof document !== 'object' || document === null) return { entries: [], problem: '(root): expected a policy, a list of policies, or a vigil.yaml with changes.policies' };
  const o = document as Record<string, unknown>;
  if ('changes' in o && !('name' in o)) {
    const changes = o.changes as Record<string, unknown> | null;
    const policies = changes && typeof changes === 'object' ? changes.policies : undefined;
    if (!Array.isArray(policies)) return { entries: [], problem: 'changes.policies: expected a list of policies' };
    return { entries: policies.map((raw, i) => ({ path: `changes.policies[${i}]`, raw })) };
  }
  if ('policies' in o && !('name' in o)) {
    if (!Array.isArray(o.policies)) return { entries: [], problem: 'policies: expected a list of policies' };
    return { entries: o.policies.map((raw, i) => ({ path: `policies[${i}]`, raw })) };
  }
  return { entries: [{ path: 'policy', raw: document }] };
}

/** No inventory offline: no asset tags, services or tiers. */
const NO_INVENTORY: PolicyLookup = { assetTags: () => [], assetServices: () => [], serviceTier: () => null };

function readChange(text: string): Parameters<typeof evaluatePolicies>[1] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--change: not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError('--change: expected a JSON object like {"type":"firewall","assets":["fw-1"],"window":{"start":"…","end":"…"}}');
  try {
    // The server's own checks; a title is not needed to evaluate the window.
    const { draft: _draft, ...input } = validateChangeInput({ title: 'policy check', ...parsed }, new Date(), 'cli');
    return { ...input, approvals: [] };
  } catch (error) {
    if (error instanceof VigilError) throw new UsageError(`--change: ${error.message}`);
    throw error;
  }
}

export async function changePolicyCheck(file: string, options: { json?: boolean; change?: string }): Promise<number> {
  if (!existsSync(file)) throw new UsageError(`cannot read ${file}: no such file`);
  const change = options.change !== undefined ? readChange(options.change) : null;
  let document: unknown;
  let problem: string | undefined;
  try {
    document = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    problem = `cannot parse: ${(error as Error).message.split('\n')[0]!.replace(/:\s*$/, '')}`;
  }
  const results: PolicyResult[] = [];
  if (!problem) {
    const found = policiesIn(document);
    problem = found.problem;
    if (!problem && found.entries.length === 0) problem = '(root): no policies';
    for (const { path, raw } of found.entries) {
      const rawName = typeof raw === 'object' && raw !== null && typeof (raw as { name?: unknown }).name === 'string' ? (raw as { name: string }).name : null;
      try {
        const policy = validatePolicy(raw, path);
        results.push({ path, name: policy.name, policy });
      } catch (error) {
        if (!(error instanceof VigilError)) throw error;
        results.push({ path, name: rawName, error: error.message });
      }
    }
  }
  const valid = results.filter((r): r is PolicyResult & { policy: FreezePolicy } => r.policy !== undefined);
  const failed = problem !== undefined || results.some((r) => r.error !== undefined);

  let evaluation: { findings: Array<PolicyFinding & { blocks: boolean }>; blocking: string[]; approvalsRequired: number; offline: string[] } | null = null;
  if (change) {
    let verdict: ReturnType<typeof evaluatePolicies>;
    try {
      verdict = evaluatePolicies(valid.map((r) => r.policy), change, NO_INVENTORY);
    } catch (error) {
      if (error instanceof VigilError) throw new UsageError(`--change: ${error.message}`);
      throw error;
    }
    const byName = new Map(valid.map((r) => [r.policy.name, r.policy]));
    // A block stops the change unless it is an emergency and the policy lets emergencies through.
    const findings = verdict.findings.map((f) => {
      const policy = byName.get(f.policy);
      return { ...f, blocks: f.action === 'block' && !(change.emergency && policy?.emergency) };
    });
    evaluation = {
      findings,
      blocking: findings.filter((f) => f.blocks).map((f) => f.policy),
      approvalsRequired: verdict.approvalsRequired,
      // Scopes by asset tag or service tier need the server's inventory: offline they match nothing.
      offline: valid.filter((r) => r.policy.scope.asset_tags || r.policy.scope.service_tiers).map((r) => r.policy.name),
    };
  }
  const code = failed ? 1 : evaluation && evaluation.blocking.length > 0 ? 3 : 0;

  if (options.json) {
    out(
      JSON.stringify({
        file,
        valid: !failed,
        ...(problem ? { error: problem } : {}),
        policies: results.map((r) => (r.policy ? { path: r.path, name: r.name, ok: true, schedule: describeSchedule(r.policy), action: r.policy.action } : { path: r.path, name: r.name, ok: false, error: r.error })),
        ...(evaluation
          ? {
              evaluation: {
                blocked: evaluation.blocking.length > 0,
                blocking: evaluation.blocking,
                approvals_required: evaluation.approvalsRequired,
                findings: evaluation.findings,
                not_evaluated_offline: evaluation.offline,
              },
            }
          : {}),
      }),
    );
    return code;
  }
  if (problem) out(`ERROR ${file}: ${problem}`);
  for (const r of results) {
    if (r.policy) out(`OK ${r.policy.name}: ${describeSchedule(r.policy)}`);
    else out(`ERROR ${r.error}${r.name ? ` (policy ${r.name})` : ''}`);
  }
  if (evaluation && change) {
    out();
    out(`change ${change.type} on ${list(change.assets)}${change.emergency ? ' (emergency)' : ''}, window ${windowOf(change)}:`);
    for (const name of evaluation.offline) out(`NOTE ${name} is scoped by asset tags or service tiers, which need the server's inventory: not evaluated offline`);
    for (const f of evaluation.findings) out(`${f.blocks ? 'BLOCK' : f.action === 'warn' ? 'WARN' : 'APPROVAL'} ${f.message}`);
    if (evaluation.blocking.length > 0) out(`blocked by ${evaluation.blocking.join(', ')}`);
    else out(`${evaluation.findings.length === 0 ? 'no policy objects; ' : ''}allowed with ${evaluation.approvalsRequired} approval${evaluation.approvalsRequired === 1 ? '' : 's'}`);
  }
  return code;
}
