import { existsSync } from 'node:fs';
import { formatRejection, lint, RuleSet, summarizeRejections } from '../../detect/index.ts';
import { UsageError } from '../context.ts';

/** `vigil rules lint PATH...`: what would run, what would not, and why. */
export function rulesLint(paths: string[], options: { json?: boolean }): number {
  if (paths.length === 0) throw new UsageError('rules lint needs at least one PATH');
  for (const path of paths) if (!existsSync(path)) throw new UsageError(`cannot read ${path}`);
  const result = lint(paths);
  // What the accepted rules cost at run time: rules the literal prefilter cannot skip, and the heaviest.
  const costs = RuleSet.load({ paths }).costs(10);
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({
        files: result.files,
        rules: result.rules,
        accepted: result.accepted,
        rejected: result.rejected.map((r) => ({ file: r.file, rule_id: r.rule_id, reason: r.reason, kind: r.kind, feature: r.feature })),
        unsupported: result.unsupported,
        correlations: result.correlations,
        filters: result.filters,
        always_run: costs.always_run.map(({ rule_id, title, cost }) => ({ rule_id, title, cost })),
        most_expensive: costs.most_expensive.map(({ rule_id, title, cost }) => ({ rule_id, title, cost })),
      })}\n`,
    );
    return 0;
  }
  for (const rejection of result.rejected) process.stdout.write(`${formatRejection(rejection)}\n`);
  const summary = summarizeRejections(result.rejected);
  const share = result.rules > 0 ? ((result.accepted / result.rules) * 100).toFixed(1) : '100.0';
  process.stdout.write(
    `\n${result.files} file(s), ${result.rules} rule(s): ${result.accepted} accepted (${share}%), ` +
      `${result.rejected.length - result.unsupported} rejected, ${result.unsupported} unsupported; ` +
      `${result.correlations} correlation(s), ${result.filters} filter(s)\n`,
  );
  for (const kind of ['error', 'unsupported'] as const) {
    const byFeature = Object.entries(summary[kind]).sort((a, b) => b[1] - a[1]);
    if (byFeature.length > 0) process.stdout.write(`${kind === 'error' ? 'rejected' : 'unsupported'} by feature: ${byFeature.map(([f, n]) => `${f} ${n}`).join(', ')}\n`);
  }
  if (costs.always_run.length > 0) {
    process.stdout.write(`${costs.always_run.length} rule(s) with no required literal run on every event of their logsource, e.g. ${costs.always_run.slice(0, 3).map((c) => `'${c.title}' (cost ${c.cost})`).join(', ')}\n`);
  }
  if (costs.most_expensive.length > 0) {
    process.stdout.write(`most expensive (value tests per evaluation): ${costs.most_expensive.slice(0, 5).map((c) => `'${c.title}' ${c.cost}`).join(', ')}\n`);
  }
  return 0;
}
