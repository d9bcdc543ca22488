/** Sigma correlation rules on event time. Semantics: see the header of engine.ts. */
export { CorrelationEngine } from './engine.ts';
export { checkSpecs, validateSpecs } from './validate.ts';
export {
  CORRELATION_TYPES,
  CorrelationConfigError,
  type CorrelationAlert,
  type CorrelationCondition,
  type CorrelationEngineOptions,
  type CorrelationResult,
  type CorrelationSpec,
  type CorrelationStats,
  type CorrelationType,
} from './types.ts';
