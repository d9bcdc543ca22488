import { ALERT_LEVELS, SCORE_FACTORS, type AlertLevel, type Priority, type ScoreExplanation, type ScoreFactor, type ScorePart } from '../core/index.ts';

export type ScoreWeights = Record<ScoreFactor, number>;
/** Lowest score of P1..P4; below P4 is P5. */
export type PriorityThresholds = Record<'P1' | 'P2' | 'P3' | 'P4', number>;

/** What the score is computed from, gathered by the engine for one incident. */
export interface ScoreFacts {
  level: { level: AlertLevel; rule: string };
  /** Most critical asset among the incident's hosts and addresses (criticality 1-5). */
  asset: { name: string; criticality: number; known: boolean };
  /** Most critical service involved (tier 1-4), or null. */
  service: { name: string; tier: number } | null;
  /**
   * The entity whose phases weigh most: each phase counts the rarity (0-1) of its rarest rule, so
   * `weight` is at most the number of phases.
   */
  killChain: { entity: string; phases: string[]; weight: number } | null;
  /** Highest indicator confidence (0-100) of its alerts, or null when none carries one. */
  indicatorConfidence: number | null;
  /** Its rarest rule and how often that rule fired within the rarity window. */
  rarity: { rule: string; count: number; window: string };
}

const round = (n: number, places = 1): number => Math.round(n * 10 ** places) / 10 ** places;

/** How rare a rule firing `count` times is: 1 once, 0.5 at ten times, 0.33 at a hundred. */
export const rarityValue = (count: number): number => 1 / (1 + Math.log10(Math.max(1, count)));

export function priorityOf(score: number, thresholds: PriorityThresholds): Priority {
  if (score >= thresholds.P1) return 'P1';
  if (score >= thresholds.P2) return 'P2';
  if (score >= thresholds.P3) return 'P3';
  if (score >= thresholds.P4) return 'P4';
  return 'P5';
}

/** Each factor's strength, 0 to 1, with the reason an analyst reads. */
function factor(name: ScoreFactor, facts: ScoreFacts): { value: number; reason: string } {
  switch (name) {
    case 'rule_level': {
      const index = ALERT_LEVELS.indexOf(facts.level.level);
      return { value: index / (ALERT_LEVELS.length - 1), reason: `highest rule level is ${facts.level.level} (${facts.level.rule})` };
    }
    case 'asset_criticality':
      return {
        value: (facts.asset.criticality - 1) / 4,
        reason: facts.asset.known
          ? `asset ${facts.asset.name} has criticality ${facts.asset.criticality} of 5`
          : `no asset in the inventory; assumed criticality ${facts.asset.criticality} of 5`,
      };
    case 'service_tier':
      return facts.service
        ? { value: (4 - facts.service.tier) / 3, reason: `service ${facts.service.name} is tier ${facts.service.tier}` }
        : { value: 0, reason: 'no business service involved' };
    case 'kill_chain': {
      const phases = facts.killChain?.phases ?? [];
      const weight = facts.killChain?.weight ?? 0;
      // One phase is what every single detection has; progression starts at the second and is
      // full at three phases of rarely firing rules.
      return {
        value: Math.min(1, Math.max(0, weight - 1) / 2),
        reason:
          phases.length === 0
            ? 'no kill-chain phase (no ATT&CK tactic)'
            : `${phases.length} kill-chain phase${phases.length > 1 ? 's' : ''} on ${facts.killChain!.entity}: ${phases.join(' → ')}` +
              (phases.length > 1 && weight < phases.length - 0.005 ? ` (worth ${weight} by how seldom their rules fire)` : ''),
      };
    }
    case 'indicator_confidence':
      return facts.indicatorConfidence === null
        ? { value: 0, reason: 'no threat-intel indicator' }
        : { value: facts.indicatorConfidence / 100, reason: `indicator confidence ${facts.indicatorConfidence}` };
    case 'rarity': {
      const n = Math.max(1, facts.rarity.count);
      return { value: rarityValue(n), reason: `rule ${facts.rarity.rule} fired ${n} time${n > 1 ? 's' : ''} in ${facts.rarity.window}` };
    }
  }
}

/**
 * The priority score, 0 to 100: each factor's strength times its weight, over the sum of the
 * weights, so thresholds keep their meaning when weights change.
 */
export function scoreIncident(facts: ScoreFacts, weights: ScoreWeights, thresholds: PriorityThresholds): ScoreExplanation {
  const total = SCORE_FACTORS.reduce((sum, f) => sum + weights[f], 0) || 1;
  const parts: ScorePart[] = SCORE_FACTORS.map((name) => {
    const { value, reason } = factor(name, facts);
    return { factor: name, value: round(value, 3), weight: weights[name], points: round((value * weights[name] * 100) / total, 2), reason };
  });
  const score = round(parts.reduce((sum, p) => sum + p.points, 0));
  const priority = priorityOf(score, thresholds);
  const top = parts.filter((p) => p.points > 0).sort((a, b) => b.points - a.points);
  const summary = `${priority} (score ${score}): ${top.map((p) => `${p.reason} (+${round(p.points)})`).join('; ') || 'nothing raises it'}`;
  return { score, priority, parts, summary };
}
