/**
 * The Sigma engine core (sigma-specification 2.1): load and check rules, correlations and
 * filters; parse conditions; compile detection rules once into closures with their anchors.
 *
 * Decisions where the specification is silent (details in each module):
 *  - `x of pattern` matches whole identifiers (`*` = any run); identifiers starting with `_` are
 *    left out of `them` and of patterns that do not themselves start with `_`.
 *  - `neq` (spec 2.1) matches when the field is present and not null and none of the values match.
 *  - Keyword values use contains semantics (a `*` is added at both ends) over EventView.keywords().
 *  - A rule number matches numbers and numeric strings of the same value, and the text as written.
 *  - Time modifiers read the field as a date (ISO text in UTC when no zone, epoch s or ms); a
 *    field-less key (`|hour: 3`) reads the event time. Parts are UTC; `week` is the ISO week.
 *    They may be followed by lt/lte/gt/gte.
 *  - base64/wide outputs are matched case-insensitively like every Sigma string (as pySigma does).
 *  - A filter applies as "rule and not filter" when it names the rule (id or name) or `any`, and
 *    every logsource attribute the filter sets equals the rule's.
 *  - Regexes run on a linear-time engine over the first 64 KiB; shapes that backtrack
 *    catastrophically elsewhere are rejected as unsupported anyway.
 */
export * from './types.ts';
export { SigmaRuleError } from './errors.ts';
export { parseCondition, parseConditions, checkCondition, matchIdentifiers, formatCondition, MAX_CONDITION_DEPTH } from './condition.ts';
export { parseSigmaString, stringPredicate, multiPredicate, longestLiteral, compileValue, compileItem, numericValue, timeValue, timePart, isoWeek } from './values.ts';
export { applyModifiers, MODIFIERS, base64OffsetVariants, windashVariants, MAX_VARIANTS } from './modifiers.ts';
export { compileRegex, LinearRegex, REGEX_INPUT_LIMIT } from './regex.ts';
export { parseIp, parseCidr, cidrMatcher } from './cidr.ts';
export { parseDetection } from './detection.ts';
export { parseCorrelationDoc, parseTimespan, CORRELATION_TYPES } from './correlation.ts';
export { parseFilterDoc } from './filter.ts';
export { loadRules, parseRuleText, parseRuleDoc, ruleFiles } from './load.ts';
export { compileRule, compileDetection, compileFilter, applyFilters, logsourceCovers, type CompiledFilter, type CompileOptions } from './compile.ts';
export { best as bestAnchors, union as unionAnchors, simplify as simplifyAnchors, minLiteral } from './anchors.ts';
export { lint, summarizeRejections, formatRejection } from './lint.ts';
export { objectEventView } from './event.ts';
export { resetEventCache } from './eval.ts';
