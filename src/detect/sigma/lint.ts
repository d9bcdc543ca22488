/**
 * `vigil rules lint`: load, check and compile everything under the given paths and report what
 * would not run, and why. The caller formats (`--json` prints files, rules, accepted, rejected).
 */
import { compileFilter, compileRule } from './compile.ts';
import { SigmaRuleError } from './errors.ts';
import { loadRules } from './load.ts';
import type { RuleRejection } from '../types.ts';
import type { LintResult, LoadOptions, SigmaRejection } from './types.ts';

export function lint(paths: string[], options: LoadOptions = {}): LintResult {
  const r = loadRules(paths, options);
  const rejected: SigmaRejection[] = [...r.rejections];
  const fail = (file: string, id: string | null, title: string, document: number, e: unknown): void => {
    rejected.push(
      e instanceof SigmaRuleError
        ? { file, rule_id: id, title, reason: e.message, kind: e.kind, feature: e.feature, document }
        : { file, rule_id: id, title, reason: `internal error: ${(e as Error)?.message ?? String(e)}`, kind: 'error', feature: 'internal', document },
    );
  };
  let accepted = 0;
  for (const rule of r.rules) {
    try {
      compileRule(rule);
      accepted++;
    } catch (e) {
      fail(rule.meta.file, rule.syntheticId ? null : rule.meta.id, rule.meta.title, rule.meta.document, e);
    }
  }
  let filters = 0;
  for (const f of r.filters) {
    try {
      compileFilter(f);
      filters++;
    } catch (e) {
      fail(f.file, f.syntheticId ? null : f.id, f.title, f.document, e);
    }
  }
  const correlations = r.correlations.length;
  accepted += filters + correlations;
  // Documents that failed before they could be counted (unreadable paths) still count as examined.
  const examined = Math.max(r.documents, accepted + rejected.length);
  return {
    files: r.files,
    rules: examined,
    accepted,
    rejected,
    unsupported: rejected.filter((x) => x.kind === 'unsupported').length,
    correlations,
    filters,
  };
}

/** Rejections counted by kind, then by feature class. */
export function summarizeRejections(rejected: readonly SigmaRejection[]): Record<'error' | 'unsupported', Record<string, number>> {
  const out: Record<'error' | 'unsupported', Record<string, number>> = { error: {}, unsupported: {} };
  for (const r of rejected) {
    const by = out[r.kind];
    const k = r.feature ?? 'other';
    by[k] = (by[k] ?? 0) + 1;
  }
  return out;
}

/** One line per rejection: `file: rule: reason`. */
export function formatRejection(r: RuleRejection & { document?: number }): string {
  const who = r.rule_id ?? (r.title !== undefined ? `'${r.title}'` : r.document !== undefined ? `document ${r.document}` : '-');
  return `${r.file}: ${who}: ${r.reason}${r.kind === 'unsupported' ? ' [unsupported]' : ''}`;
}
