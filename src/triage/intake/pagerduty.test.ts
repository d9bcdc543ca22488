import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VigilError } from '../../core/index.ts';
import { PagerDutyError, parsePagerDutyEvent } from './pagerduty.ts';

const NOW = new Date('2024-05-01T12:00:00.000Z');

/** The trigger example of PagerDuty's "Send an Alert Event" (Events API v2) documentation. */
const TRIGGER = `{
  "payload": {
    "summary": "Example alert on host1.example.com",
    "timestamp": "2015-07-17T08:42:58.315+0000",
    "source": "monitoringtool:cloudvendor:central-region-dc-01:852559987:cluster/api-stats-prod-003",
    "severity": "info",
    "component": "postgres",
    "group": "prod-datapipe",
    "class": "deploy",
    "custom_details": {
      "ping time": "1500ms",
      "load avg": 0.75
    }
  },
  "routing_key": "samplekeyhere",
  "dedup_key": "samplekeyhere",
  "images": [{
    "src": "https://www.pagerduty.com/wp-content/uploads/2016/05/pagerduty-logo-green.png",
    "href": "https://example.com/",
    "alt": "Example text"
  }],
  "links": [{
    "href": "https://example.com/",
    "text": "Link text"
  }],
  "event_action": "trigger",
  "client": "Sample Monitoring Service",
  "client_url": "https://monitoring.example.com"
}`;

const ACKNOWLEDGE = `{
  "routing_key": "samplekeyhere",
  "dedup_key": "samplekeyhere",
  "event_action": "acknowledge"
}`;

const RESOLVE = `{
  "routing_key": "samplekeyhere",
  "dedup_key": "samplekeyhere",
  "event_action": "resolve"
}`;

/** The minimal trigger of PagerDuty's examples: no dedup_key, no timestamp. */
const MINIMAL = {
  routing_key: 'e93facc04764012d7bfb002500d5d1a6',
  event_action: 'trigger',
  payload: { summary: 'Example alert on host1.example.com', source: '192.0.2.10', severity: 'critical' },
};

function errorsOf(body: unknown): string[] {
  try {
    parsePagerDutyEvent(body, NOW);
  } catch (error) {
    assert.ok(error instanceof PagerDutyError, `expected a PagerDutyError, got ${String(error)}`);
    assert.ok(error instanceof VigilError);
    assert.equal(error.status, 400);
    assert.equal(error.message, 'Event object is invalid');
    assert.deepEqual(error.details, { errors: error.errors });
    return error.errors;
  }
  assert.fail(`expected ${JSON.stringify(body)} to be rejected`);
}

const trigger = (patch: Record<string, unknown>) => {
  const body = JSON.parse(TRIGGER);
  body.payload = { ...body.payload, ...patch };
  return body;
};

describe('parsePagerDutyEvent', () => {
  it('maps the documented trigger example', () => {
    const result = parsePagerDutyEvent(JSON.parse(TRIGGER), NOW);
    assert.equal(result.dedup_key, 'samplekeyhere');
    assert.equal(result.routing_key, 'samplekeyhere');
    assert.deepEqual(result.alert, {
      fingerprint: 'pd:samplekeyhere',
      source: 'pagerduty',
      rule: { id: 'deploy', title: 'Example alert on host1.example.com', level: 'low', tags: [] },
      labels: {
        pd_source: 'monitoringtool:cloudvendor:central-region-dc-01:852559987:cluster/api-stats-prod-003',
        component: 'postgres',
        group: 'prod-datapipe',
        class: 'deploy',
      },
      entities: {
        hosts: ['monitoringtool:cloudvendor:central-region-dc-01:852559987:cluster/api-stats-prod-003'],
        users: [],
        ips: [],
        services: [],
      },
      attack: { tactics: [], techniques: [], kill_chain_phase: null },
      annotations: { 'ping time': '1500ms', 'load avg': '0.75', summary: 'Example alert on host1.example.com' },
      event_ids: [],
      first_seen: '2015-07-17T08:42:58.315Z',
      last_seen: '2015-07-17T08:42:58.315Z',
      count: 1,
      status: 'firing',
      links: [
        { href: 'https://example.com/', text: 'Link text' },
        { href: 'https://monitoring.example.com', text: 'Sample Monitoring Service' },
      ],
    });
  });

  it('generates a dedup_key, defaults the time and puts an IP source in ips', () => {
    const a = parsePagerDutyEvent(MINIMAL, NOW);
    const b = parsePagerDutyEvent(MINIMAL, NOW);
    assert.match(a.dedup_key, /^[0-9a-f]{32}$/);
    assert.notEqual(a.dedup_key, b.dedup_key);
    assert.equal(a.alert.fingerprint, `pd:${a.dedup_key}`);
    assert.equal(a.routing_key, 'e93facc04764012d7bfb002500d5d1a6');
    assert.equal(a.alert.rule.id, 'pagerduty');
    assert.equal(a.alert.rule.level, 'critical');
    assert.equal(a.alert.first_seen, '2024-05-01T12:00:00.000Z');
    assert.deepEqual(a.alert.labels, { pd_source: '192.0.2.10' });
    assert.deepEqual(a.alert.entities, { hosts: [], users: [], ips: ['192.0.2.10'], services: [] });
    assert.deepEqual(a.alert.annotations, { summary: 'Example alert on host1.example.com' });
    assert.equal(a.alert.links, undefined);
  });

  it('uses component when there is no class, and maps every severity', () => {
    const body = trigger({ class: undefined });
    assert.equal(parsePagerDutyEvent(body, NOW).alert.rule.id, 'postgres');
    const levels = { critical: 'critical', error: 'high', warning: 'medium', info: 'low' };
    for (const [severity, level] of Object.entries(levels)) {
      assert.equal(parsePagerDutyEvent(trigger({ severity }), NOW).alert.rule.level, level, severity);
    }
  });

  it('flattens custom_details of any JSON shape', () => {
    const nested = parsePagerDutyEvent(trigger({ custom_details: { disk: { used: 91, mount: '/' }, tags: ['a'], ok: false, summary: 'x' } }), NOW);
    assert.deepEqual(nested.alert.annotations, {
      disk: '{"used":91,"mount":"/"}',
      tags: '["a"]',
      ok: 'false',
      summary: 'Example alert on host1.example.com', // the event summary wins
    });
    assert.deepEqual(parsePagerDutyEvent(trigger({ custom_details: 'free text' }), NOW).alert.annotations, {
      custom_details: 'free text',
      summary: 'Example alert on host1.example.com',
    });
  });

  it('maps acknowledge to a firing placeholder with acknowledge', () => {
    const result = parsePagerDutyEvent(JSON.parse(ACKNOWLEDGE), NOW);
    assert.equal(result.dedup_key, 'samplekeyhere');
    assert.deepEqual(result.alert, {
      fingerprint: 'pd:samplekeyhere',
      source: 'pagerduty',
      event_ids: [],
      count: 1,
      rule: { id: 'pagerduty', title: 'samplekeyhere', level: 'medium', tags: [] },
      labels: {},
      entities: { hosts: [], users: [], ips: [], services: [] },
      attack: { tactics: [], techniques: [], kill_chain_phase: null },
      first_seen: '2024-05-01T12:00:00.000Z',
      last_seen: '2024-05-01T12:00:00.000Z',
      status: 'firing',
      acknowledge: true,
    });
  });

  it('maps resolve to a resolved placeholder, ignoring any payload', () => {
    const body = { ...JSON.parse(RESOLVE), payload: { severity: 'bogus' } };
    const { alert } = parsePagerDutyEvent(body, NOW);
    assert.equal(alert.fingerprint, 'pd:samplekeyhere');
    assert.equal(alert.status, 'resolved');
    assert.equal(alert.resolved_at, '2024-05-01T12:00:00.000Z');
    assert.equal(alert.acknowledge, undefined);
    assert.equal(alert.rule.title, 'samplekeyhere');
  });

  it('lists every problem, each naming its field', () => {
    assert.deepEqual(errorsOf({ payload: {} }), [
      "'routing_key' is missing or blank",
      "'event_action' is missing or blank",
    ]);
    assert.deepEqual(errorsOf({ routing_key: 'k', event_action: 'trigger', payload: { severity: 'high' } }), [
      "'payload.summary' is missing or blank",
      "'payload.source' is missing or blank",
      "'payload.severity' must be one of critical, error, warning, info",
    ]);
    assert.deepEqual(errorsOf({ routing_key: 'k', event_action: 'trigger' }), ["'payload' is missing (required for trigger)"]);
    assert.deepEqual(errorsOf({ routing_key: 'k', event_action: 'trigger', payload: 'x' }), ["'payload' must be an object"]);
    assert.deepEqual(errorsOf({ routing_key: 'k', event_action: 'escalate' }), ["'event_action' must be one of trigger, acknowledge, resolve"]);
    assert.deepEqual(errorsOf({ routing_key: 'k', event_action: 'acknowledge' }), ["'dedup_key' is missing or blank (required for acknowledge)"]);
    assert.deepEqual(errorsOf({ routing_key: 'k', event_action: 'resolve', dedup_key: ' ' }), ["'dedup_key' is missing or blank (required for resolve)"]);
    assert.deepEqual(errorsOf({ ...JSON.parse(TRIGGER), dedup_key: 'd'.repeat(256) }), ["'dedup_key' must be at most 255 characters"]);
    assert.deepEqual(errorsOf({ ...JSON.parse(TRIGGER), routing_key: 42 }), ["'routing_key' must be a string"]);
    assert.deepEqual(errorsOf(trigger({ summary: 's'.repeat(1025) })), ["'payload.summary' must be at most 1024 characters"]);
    assert.deepEqual(errorsOf(trigger({ severity: 'CRITICAL' })), ["'payload.severity' must be one of critical, error, warning, info"]);
    assert.deepEqual(errorsOf(trigger({ timestamp: '17/07/2015 08:42' })), ["'payload.timestamp' must be an ISO 8601 timestamp with a zone offset"]);
    assert.deepEqual(errorsOf(trigger({ component: 7, group: [] })), ["'payload.component' must be a string", "'payload.group' must be a string"]);
    assert.deepEqual(errorsOf({ ...JSON.parse(TRIGGER), links: [{ text: 'no href' }, { href: 'https://x', text: 1 }] }), [
      "'links[0].href' is missing or blank",
      "'links[1].text' must be a string",
    ]);
    assert.deepEqual(errorsOf({ ...JSON.parse(TRIGGER), links: 'https://x' }), ["'links' must be an array"]);
    assert.deepEqual(errorsOf({ ...JSON.parse(TRIGGER), images: {} }), ["'images' must be an array"]);
    assert.deepEqual(errorsOf([JSON.parse(TRIGGER)]), ['Event object must be a JSON object']);
  });

  it('accepts the 1024 and 255 character limits exactly', () => {
    const body = { ...trigger({ summary: 's'.repeat(1024) }), dedup_key: 'd'.repeat(255) };
    const { alert, dedup_key } = parsePagerDutyEvent(body, NOW);
    assert.equal(alert.rule.title.length, 1024);
    assert.equal(dedup_key.length, 255);
  });
});
