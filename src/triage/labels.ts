import type { Alert } from '../core/index.ts';
import { KILL_CHAIN_PHASES, killChainPhaseOfTactic } from '../detect/index.ts';

/** The labels matchers see: the alert's own labels over the ones Vigil derives from it. */
export function matchLabels(alert: Pick<Alert, 'labels' | 'rule' | 'source' | 'entities' | 'status'>): Record<string, string> {
  return {
    alertname: alert.rule.title,
    rule_id: alert.rule.id,
    rule_title: alert.rule.title,
    level: alert.rule.level,
    severity: alert.rule.level,
    source: alert.source,
    status: alert.status,
    host: alert.entities.hosts[0] ?? '',
    user: alert.entities.users[0] ?? '',
    ip: alert.entities.ips[0] ?? '',
    service: alert.entities.services[0] ?? '',
    ...alert.labels,
  };
}

/** Kill-chain phases of all an alert's tactics (not only the latest). */
export function phasesOf(alert: Pick<Alert, 'attack'>): string[] {
  const phases = new Set<string>();
  for (const tactic of alert.attack.tactics) {
    const phase = killChainPhaseOfTactic(tactic);
    if (phase) phases.add(phase);
  }
  if (alert.attack.kill_chain_phase) phases.add(alert.attack.kill_chain_phase);
  return KILL_CHAIN_PHASES.filter((p) => phases.has(p));
}
