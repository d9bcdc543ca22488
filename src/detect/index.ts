export * from './types.ts';
export * from './alert.ts';
export * from './ruleset.ts';
export { lint, formatRejection, summarizeRejections, compileRegex, SigmaRuleError } from './sigma/index.ts';
export { attackFromTags, attackMatrix, killChainPhaseOfTactic, KILL_CHAIN_PHASES, type KillChainPhase } from './attack/index.ts';
export { loadRoutingFile, type RoutingConfig } from './routing/index.ts';
export * from './intel/index.ts';
