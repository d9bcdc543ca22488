/**
 * Logsource routing, field mapping and the literal prefilter for Sigma detection (DESIGN §5, §10).
 *
 *   config     RoutingConfig (YAML or code), its validator and loader, merging.
 *   default    DEFAULT_ROUTING (also shipped as default-logsources.yaml).
 *   compile    CompiledRouting: field mappings, conditions, logsource resolution.
 *   view       buildEventView / EventContext: how rules read an event.
 *   router     Router: event → the rules' logsources it belongs to.
 *   candidates CandidateIndex: the per-logsource Aho-Corasick prefilter.
 *   engine     DetectionEngine: route → candidates → match.
 */
export {
  checkRoutingConfig, loadDefaultRoutingFile, loadRoutingFile, mergeRoutingConfigs, parseRoutingYaml,
  validateRoutingConfig, DEFAULT_ROUTING_FILE, RoutingConfigError,
  type BranchConfig, type ConditionScalar, type ConditionSpec, type FieldsetConfig, type LogsourceMappingConfig,
  type RoutingConfig, type RoutingProblem,
} from './config.ts';
export { DEFAULT_ROUTING } from './default.ts';
export {
  compileRouting, defaultCompiledRouting, describeLogsource, logsourceKey, readPath, splitPath, CompiledRouting,
  FieldMapping, type CompiledBranch, type CompiledCondition, type LogsourceResolution, type Path,
} from './compile.ts';
export { buildEventView, collectKeywords, EventContext, KEYWORD_LIMITS } from './view.ts';
export { Router, type RouteTarget, type UnsupportedLogsource } from './router.ts';
export { AhoCorasick, type PatternSink } from './aho-corasick.ts';
export { CandidateIndex, type CandidateEntry, type CandidateIndexStats } from './candidates.ts';
export { DetectionEngine, type EngineStats, type LogsourceStats } from './engine.ts';
