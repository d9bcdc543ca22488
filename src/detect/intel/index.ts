export { canonicalIndicatorValue, MAX_INDICATOR_VALUE_LENGTH } from './canonical.ts';
export { IndicatorSet, NO_MATCH, type ObservableKind } from './indicator-set.ts';
export { eventObservables, forEachObservable, DEFAULT_OBSERVABLE_FIELDS, type Observable, type ObservableField } from './observables.ts';
export { toIndicator, severityOfConfidence, IndicatorError, type NewIndicator, type IndicatorDefaults } from './indicator.ts';
export { IntelMatcher, intelAlert, alertsOfHits, indicatorValidAt, INTEL_SOURCE, type IntelHit } from './matcher.ts';
export { type ImportResult, ImportFormatError } from './import-result.ts';
export { parseStixBundle, indicatorsFromStixObjects, parseStixPattern, translateStixPattern, StixPatternError } from './stix.ts';
export { parseMispEvent } from './misp.ts';
export { parseIndicatorCsv } from './csv.ts';
export { parseIndicatorLines, inferIndicatorType } from './lines.ts';
export {
  pullHttpFeed,
  pullTaxiiCollection,
  FeedScheduler,
  FeedError,
  redactFeedUrl,
  EMPTY_FEED_CURSOR,
  type FeedConfig,
  type FeedCursor,
  type FeedStatus,
} from './feeds.ts';
export { toWatchlist, WatchlistIndex } from './watchlist.ts';
export { refang } from './indicator.ts';
