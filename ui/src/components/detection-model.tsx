/** Detection rules and the ATT&CK matrix as the API gives them, and rule coverage per technique. */

export interface RuleSummary {
  id: string;
  title: string;
  level: string;
  status: string;
  kind?: string;
  file?: string;
  tags: string[];
  enabled: boolean;
  hits: number;
  last_hit: string | null;
}

export interface RuleRejection {
  file: string;
  rule_id: string | null;
  reason: string;
  kind?: string;
}

export interface RulesAnswer {
  items: RuleSummary[];
  rejected?: RuleRejection[];
}

export interface AttackMatrix {
  version?: string;
  tactics: Array<{ id: string; name: string; shortname: string }>;
  techniques: Array<{ id: string; name: string; tactics: string[]; subtechnique: boolean }>;
}

/** One technique's coverage: the rules tagged with it or one of its sub-techniques. */
export interface Coverage {
  rules: RuleSummary[];
  enabled: number;
  hits: number;
  /** Sub-techniques the rules name (T1059.001...). */
  subtechniques: string[];
}

const TECHNIQUE_TAG = /^attack\.(t\d{4})(?:\.(\d{3}))?$/i;

/** Technique ids of a rule's tags: { parent: 'T1059', full: 'T1059.001' }. */
export function techniquesOf(tags: string[]): Array<{ parent: string; full: string }> {
  const out: Array<{ parent: string; full: string }> = [];
  for (const tag of tags) {
    const m = TECHNIQUE_TAG.exec(tag);
    if (!m) continue;
    const parent = m[1]!.toUpperCase();
    out.push({ parent, full: m[2] ? `${parent}.${m[2]}` : parent });
  }
  return out;
}

/** Coverage per parent technique id; sub-techniques count into their parent. */
export function coverageByTechnique(rules: RuleSummary[]): Map<string, Coverage> {
  const map = new Map<string, Coverage>();
  for (const rule of rules) {
    const seen = new Set<string>();
    for (const { parent, full } of techniquesOf(rule.tags)) {
      let cov = map.get(parent);
      if (!cov) map.set(parent, (cov = { rules: [], enabled: 0, hits: 0, subtechniques: [] }));
      if (full !== parent && !cov.subtechniques.includes(full)) cov.subtechniques.push(full);
      if (seen.has(parent)) continue;
      seen.add(parent);
      cov.rules.push(rule);
      if (rule.enabled) {
        cov.enabled++;
        cov.hits += rule.hits;
      }
    }
  }
  return map;
}

export type CoverageClass = 'cov-none' | 'cov-disabled' | 'cov-rule' | 'cov-hit';

export function coverageClass(cov: Coverage | undefined): CoverageClass {
  if (!cov || cov.rules.length === 0) return 'cov-none';
  if (cov.enabled === 0) return 'cov-disabled';
  return cov.hits > 0 ? 'cov-hit' : 'cov-rule';
}

/** Heat 1-3 of a hit count against the largest one (log scale, so one noisy rule does not wash out the rest). */
export function heat(hits: number, max: number): 0 | 1 | 2 | 3 {
  if (hits <= 0 || max <= 0) return 0;
  const share = Math.log10(hits + 1) / Math.log10(max + 1);
  return share > 0.66 ? 3 : share > 0.33 ? 2 : 1;
}

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
