import { existsSync } from 'node:fs';
import { formatRejection, lint, summarizeRejections } from '../../detect/index.ts';
import { UsageError } from '../context.ts';

/** `vigil rules lint PATH...`: what would run, what would not, and why. */
export function rulesLint(paths: string[], options: { json?: boolean }): number {
  if (paths.length === 0) throw new UsageError('rules lint needs at least one PATH');
  for (const path of paths) if (!existsSync(path)) throw new UsageError(`cannot read ${path}`);
  const result = lint(paths);
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
  return 0;
}
