import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { parsePagerDutyWebhook, toVigilAction, verifyPagerDutySignature, type PagerDutyWebhook } from './inbound.ts';

const SECRET = 'ChangeMe-5ffHQhVkzU1tJ0pL2mF7a9xE';
const OLD_SECRET = 'Previous-0a1b2c3d4e5f6a7b8c9d0e1f';
const v1 = (secret: string, body: string | Buffer) => `v1=${createHmac('sha256', secret).update(body).digest('hex')}`;

// Modelled on the incident payload in PagerDuty's "Webhooks v3 Overview".
function incidentEvent(eventType: string, overrides: { incident_key?: unknown; dedup_key?: unknown; agent?: unknown } = {}) {
  const data: Record<string, unknown> = {
    id: 'PGR0VU2',
    type: 'incident',
    self: 'https://api.pagerduty.com/incidents/PGR0VU2',
    html_url: 'https://acme.pagerduty.com/incidents/PGR0VU2',
    number: 2,
    status: eventType === 'incident.resolved' ? 'resolved' : 'acknowledged',
    incident_key: 'INC-42',
    created_at: '2020-04-09T15:16:27Z',
    title: 'Brute force against vpn-gw-1',
    service: { html_url: 'https://acme.pagerduty.com/services/PF9KMXH', id: 'PF9KMXH', self: 'https://api.pagerduty.com/services/PF9KMXH', summary: 'Vigil', type: 'service_reference' },
    assignees: [{ html_url: 'https://acme.pagerduty.com/users/PTUXL6G', id: 'PTUXL6G', self: 'https://api.pagerduty.com/users/PTUXL6G', summary: 'User 123', type: 'user_reference' }],
    escalation_policy: { id: 'PUS0KTE', summary: 'Default', type: 'escalation_policy_reference' },
    teams: [{ id: 'PFCVPS0', summary: 'Engineering', type: 'team_reference' }],
    priority: { id: 'PSO75BM', summary: 'P1', type: 'priority_reference' },
    urgency: 'high',
    conference_bridge: null,
    resolve_reason: null,
  };
  if ('incident_key' in overrides) {
    if (overrides.incident_key === undefined) delete data.incident_key;
    else data.incident_key = overrides.incident_key;
  }
  if (overrides.dedup_key !== undefined) data.dedup_key = overrides.dedup_key;
  return {
    event: {
      id: '5ac64822-4adc-4fda-ade0-410becf0de4f',
      event_type: eventType,
      resource_type: 'incident',
      occurred_at: '2020-10-02T18:45:22.169Z',
      agent:
        'agent' in overrides
          ? overrides.agent
          : { html_url: 'https://acme.pagerduty.com/users/PLH1HKV', id: 'PLH1HKV', self: 'https://api.pagerduty.com/users/PLH1HKV', summary: 'Tenex Engineer', type: 'user_reference' },
      client: { name: 'PagerDuty' },
      data,
    },
  };
}

describe('verifyPagerDutySignature', () => {
  const raw = JSON.stringify(incidentEvent('incident.acknowledged'));

  it('accepts a single matching signature, for a string or a Buffer body', () => {
    assert.deepEqual(verifyPagerDutySignature(SECRET, v1(SECRET, raw), raw), { ok: true });
    assert.deepEqual(verifyPagerDutySignature(SECRET, v1(SECRET, raw), Buffer.from(raw)), { ok: true });
  });

  it('accepts when any of several comma-separated signatures matches (secret rotation)', () => {
    assert.deepEqual(verifyPagerDutySignature(SECRET, `${v1(OLD_SECRET, raw)},${v1(SECRET, raw)}`, raw), { ok: true });
    assert.deepEqual(verifyPagerDutySignature(SECRET, `${v1(SECRET, raw)}, ${v1(OLD_SECRET, raw)}`, raw), { ok: true });
    // Unknown versions are skipped, not fatal.
    assert.deepEqual(verifyPagerDutySignature(SECRET, `v2=abc,${v1(SECRET, raw)}`, raw), { ok: true });
  });

  it('rejects when no signature matches', () => {
    assert.deepEqual(verifyPagerDutySignature(SECRET, `${v1(OLD_SECRET, raw)},${v1('third', raw)}`, raw), { ok: false, reason: 'signature mismatch' });
    assert.deepEqual(verifyPagerDutySignature(SECRET, v1(SECRET, raw), raw.replace('INC-42', 'INC-43')), { ok: false, reason: 'signature mismatch' });
  });

  it('rejects a missing or malformed header and an empty secret', () => {
    assert.deepEqual(verifyPagerDutySignature(SECRET, undefined, raw), { ok: false, reason: 'missing X-PagerDuty-Signature header' });
    assert.deepEqual(verifyPagerDutySignature(SECRET, '', raw), { ok: false, reason: 'missing X-PagerDuty-Signature header' });
    const malformed = { ok: false, reason: 'malformed X-PagerDuty-Signature header: no v1=<64 hex digits> signature' };
    const hex = v1(SECRET, raw).slice(3);
    assert.deepEqual(verifyPagerDutySignature(SECRET, hex, raw), malformed);
    assert.deepEqual(verifyPagerDutySignature(SECRET, `v0=${hex}`, raw), malformed);
    assert.deepEqual(verifyPagerDutySignature(SECRET, `v1=${hex}0`, raw), malformed);
    assert.deepEqual(verifyPagerDutySignature('', v1('', raw), raw), { ok: false, reason: 'no webhook secret configured' });
  });
});

describe('parsePagerDutyWebhook', () => {
  it('reads an incident.acknowledged event', () => {
    assert.deepEqual(parsePagerDutyWebhook(incidentEvent('incident.acknowledged')), {
      ok: true,
      eventId: '5ac64822-4adc-4fda-ade0-410becf0de4f',
      eventType: 'incident.acknowledged',
      occurredAt: '2020-10-02T18:45:22.169Z',
      agent: 'Tenex Engineer',
      agentType: 'user_reference',
      incidentKey: 'INC-42',
      pagerdutyIncidentId: 'PGR0VU2',
    });
  });

  it('falls back to dedup_key, and to null without either or without an agent', () => {
    const viaDedup = parsePagerDutyWebhook(incidentEvent('incident.resolved', { incident_key: undefined, dedup_key: 'INC-7' }));
    assert.equal(viaDedup.ok && viaDedup.incidentKey, 'INC-7');
    const none = parsePagerDutyWebhook(incidentEvent('incident.resolved', { incident_key: null, agent: null }));
    assert.equal(none.ok, true);
    if (!none.ok) return;
    assert.equal(none.incidentKey, null);
    assert.equal(none.agent, null);
    assert.equal(none.agentType, null);
    assert.equal(none.pagerdutyIncidentId, 'PGR0VU2');
  });

  it('reads the incident reference of an incident.annotated event (no incident key there)', () => {
    const body = {
      event: {
        id: '01DEN6TJ0W0BQPRB2FHM6N7G7C',
        event_type: 'incident.annotated',
        resource_type: 'incident',
        occurred_at: '2020-10-02T18:50:01.000Z',
        agent: { id: 'PLH1HKV', summary: 'Tenex Engineer', type: 'user_reference' },
        client: null,
        data: {
          incident: { html_url: 'https://acme.pagerduty.com/incidents/PGR0VU2', id: 'PGR0VU2', summary: 'A little bump in the road', type: 'incident_reference' },
          id: 'P2LA89X',
          content: 'Rebooted the proxy',
          trimmed: false,
          type: 'incident_note',
        },
      },
    };
    const parsed = parsePagerDutyWebhook(body);
    assert.equal(parsed.ok, true);
    if (!parsed.ok) return;
    assert.equal(parsed.eventType, 'incident.annotated');
    assert.equal(parsed.pagerdutyIncidentId, 'PGR0VU2');
    assert.equal(parsed.incidentKey, null);
  });

  it('names what is missing from a broken body', () => {
    const good = incidentEvent('incident.acknowledged');
    assert.deepEqual(parsePagerDutyWebhook(null), { ok: false, error: 'event: required, an object' });
    assert.deepEqual(parsePagerDutyWebhook({ messages: [] }), { ok: false, error: 'event: required, an object' });
    assert.deepEqual(parsePagerDutyWebhook({ event: { ...good.event, id: '' } }), { ok: false, error: 'event.id: required, a non-empty string' });
    assert.deepEqual(parsePagerDutyWebhook({ event: { ...good.event, event_type: 3 } }), {
      ok: false,
      error: 'event.event_type: required, a non-empty string',
    });
    assert.deepEqual(parsePagerDutyWebhook({ event: { ...good.event, occurred_at: 'yesterday' } }), {
      ok: false,
      error: 'event.occurred_at: required, an ISO 8601 date-time',
    });
    assert.deepEqual(parsePagerDutyWebhook({ event: { ...good.event, data: null } }), { ok: false, error: 'event.data: required, an object' });
  });
});

describe('toVigilAction', () => {
  const parse = (body: unknown): PagerDutyWebhook => {
    const parsed = parsePagerDutyWebhook(body);
    assert.equal(parsed.ok, true);
    return parsed as PagerDutyWebhook;
  };

  it('acks and resolves the Vigil incident named by the incident key', () => {
    assert.deepEqual(toVigilAction(parse(incidentEvent('incident.acknowledged'))), { action: 'ack', incident: 'INC-42' });
    assert.deepEqual(toVigilAction(parse(incidentEvent('incident.resolved', { incident_key: 'inc-0042' }))), { action: 'resolve', incident: 'INC-42' });
  });

  it('ignores other event types, keeping the incident for the caller', () => {
    for (const type of ['incident.reassigned', 'incident.annotated', 'incident.triggered', 'incident.reopened', 'service.updated']) {
      assert.deepEqual(toVigilAction(parse(incidentEvent(type))), { action: 'ignore', incident: 'INC-42', reason: `event type ${type} is not acted on` });
    }
  });

  it('ignores incidents Vigil did not page', () => {
    assert.deepEqual(toVigilAction(parse(incidentEvent('incident.acknowledged', { incident_key: 'd3640fbd41094207a1c11e58e46b1662' }))), {
      action: 'ignore',
      incident: null,
      reason: 'incident key "d3640fbd41094207a1c11e58e46b1662" is not a Vigil incident id',
    });
    assert.deepEqual(toVigilAction(parse(incidentEvent('incident.resolved', { incident_key: null }))), {
      action: 'ignore',
      incident: null,
      reason: 'no incident key',
    });
  });
});
