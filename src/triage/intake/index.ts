/** Parsers for alerts sent by outside tools: Vigil's own shape, Alertmanager webhooks, PagerDuty Events v2. */
export { parseVigilAlerts, MAX_VIGIL_ALERTS } from './vigil.ts';
export { parseAlertmanagerWebhook, alertmanagerFingerprint, levelFromSeverity, MAX_ALERTMANAGER_ALERTS } from './alertmanager.ts';
export { parsePagerDutyEvent, PagerDutyError, type PagerDutyAction, type PagerDutyEvent } from './pagerduty.ts';
export { isObject, isoOf, parseZonedTimestamp, type JsonObject } from './common.ts';
