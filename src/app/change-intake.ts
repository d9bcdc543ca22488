import { VigilError, type Alert, type IncomingAlert } from '../core/index.ts';
import type { VigilConfig } from '../config/index.ts';
import { observedChangeOfDetection, parseChangeEvents, parseGithubEvent, parsePagerDutyChangeEvent, PagerDutyChangeError, verifyGithubSignature, type ObservedChangeInput } from '../changes/index.ts';
import type { ChangeService } from './changes.ts';
import type { TriageService } from './triage.ts';

/**
 * Observed changes from every way they arrive (the API, PagerDuty change events, GitHub
 * webhooks, Sigma rules tagged vigil.change.<type>): recorded first, so the alerts that follow
 * in the same batch already see them, then the alerts they raise go through triage.
 */
export class ChangeIntake {
  constructor(
    private readonly changes: ChangeService,
    private readonly triage: TriageService,
    private readonly config: VigilConfig,
  ) {}

  private async observe(inputs: ObservedChangeInput[]) {
    const { observed, alerts } = await this.changes.observe(inputs);
    const triaged = alerts.length > 0 ? await this.triage.ingest(alerts) : { incidents: [] as string[] };
    return {
      accepted: observed.length,
      observed: observed.map((o) => ({ id: o.id, asset: o.asset, service: o.service, matched_change: o.matched_change, outside_window: o.outside_window ?? false, violations: o.violations.map((v) => v.policy) })),
      alerts: alerts.map((a) => a.rule.id),
      incidents: triaged.incidents,
    };
  }

  observeEvents(body: unknown) {
    return this.observe(parseChangeEvents(body, new Date()));
  }

  async observePagerDuty(body: unknown): Promise<{ ok: true } | { errors: string[] }> {
    try {
      await this.observe([parsePagerDutyChangeEvent(body, new Date())]);
      return { ok: true };
    } catch (error) {
      if (error instanceof PagerDutyChangeError) return { errors: error.errors };
      throw error;
    }
  }

  /** A GitHub delivery: a bad or missing signature is 401 and nothing is stored. */
  async observeGithub(request: { event: string; delivery?: string; signature?: string; contentType: string }, raw: Buffer): Promise<{ status: number; body: unknown }> {
    const secret = this.config.integrations.github.secret;
    if (!secret) return { status: 401, body: { error: { code: 'unauthorized', message: 'integrations.github.secret is not configured: deliveries cannot be verified' } } };
    if (!verifyGithubSignature(secret, raw, request.signature)) {
      return { status: 401, body: { error: { code: 'unauthorized', message: 'X-Hub-Signature-256 does not match the body signed with the configured secret', field: 'X-Hub-Signature-256' } } };
    }
    if (!request.contentType.startsWith('application/json')) {
      return { status: 415, body: { error: { code: 'unsupported_media_type', message: 'set the webhook content type to application/json' } } };
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch (error) {
      throw new VigilError('invalid_json', `body: ${(error as Error).message}`, 400, 'body');
    }
    const result = parseGithubEvent(request.event, body, new Date(), request.delivery);
    if (!result.observed) return { status: 202, body: { ignored: result.ignored ?? 'not a change' } };
    const place = await this.changes.resolveName(result.names);
    const observed = { ...result.observed, asset: place.asset, service: place.service };
    return { status: 202, body: await this.observe([observed]) };
  }

  /**
   * Detections of rules tagged vigil.change.<type> become observed changes before the detections
   * themselves are triaged; the alerts they raise go with them, under the same checkpoint.
   */
  async detections(alerts: Alert[], checkpoint: { name: string; position: number }): Promise<unknown> {
    const inputs = alerts.map(observedChangeOfDetection).filter((input): input is ObservedChangeInput => input !== null);
    let raised: IncomingAlert[] = [];
    if (inputs.length > 0) raised = (await this.changes.observe(inputs)).alerts;
    return this.triage.ingest([...alerts, ...raised], checkpoint);
  }
}
