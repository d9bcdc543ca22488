import type { RouteConfig, TriageConfig } from '../config/index.ts';
import { Inhibitor } from './inhibit.ts';
import { RouteTree } from './routes.ts';

/**
 * Alerts about changes themselves (unrecorded, outside their window, in a freeze) go to the change
 * owners, grouped per rule and asset, not into the attack queue; a configured route for
 * source="changes" replaces this one (and a configured route matching them first takes them).
 */
const CHANGE_ROUTE: RouteConfig = { name: 'change-management', matchers: ['source="changes"'], group_by: ['rule_id', 'host'], correlate_entities: false };

export function withChangeRoute(route: RouteConfig): RouteConfig {
  const own = (route.routes ?? []).some((r) => (r.matchers ?? []).some((m) => /^source\s*=\s*"?changes"?$/.test(m.trim())));
  // Last, so the configured routes keep their positions (and the paths errors name).
  return own ? route : { ...route, routes: [...(route.routes ?? []), CHANGE_ROUTE] };
}

/** Throws a VigilError naming the path when the route tree, matchers or inhibition rules do not compile. */
export function validateTriageConfig(config: TriageConfig): void {
  new RouteTree(withChangeRoute(config.route));
  new Inhibitor(config.inhibit_rules);
}
