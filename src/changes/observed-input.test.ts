import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VigilError } from '../core/index.ts';
import { MAX_CHANGE_EVENTS, PagerDutyChangeError, parseChangeEvents, parsePagerDutyChangeEvent } from './observed-input.ts';

const NOW = new Date('2026-03-01T09:00:00.000Z');

const event = (overrides: Record<string, unknown> = {}): Record<string, unknown> => {
  const body: Record<string, unknown> = { asset: 'fw-edge-1', type: 'firewall', summary: 'Opened 443 on the edge firewall', ...overrides };
  for (const [k, v] of Object.entries(body)) if (v === undefined) delete body[k];
  return body;
};

/** Asserts the body is refused as invalid_change_event naming `field`, and returns the message. */
function refused(body: unknown, field: string): string {
  try {
    parseChangeEvents(body, NOW);
  } catch (e) {
    assert.ok(e instanceof VigilError, `expected a VigilError, got ${e}`);
    assert.equal(e.code, 'invalid_change_event');
    assert.equal(e.status, 400);
    assert.equal(e.field, field, e.message);
    assert.ok(e.message.startsWith(`${field}: `), e.message);
    return e.message;
  }
  assert.fail(`expected ${JSON.stringify(body)} to be refused on ${field}`);
}

describe('parseChangeEvents', () => {
  it('maps a full event, timestamp normalised to UTC', () => {
    const body = {
      asset: 'db-main-1',
      service: 'payments',
      type: 'database',
      actor: 'alice',
      timestamp: '2026-03-01T10:15:00+02:00',
      summary: 'Added index on payments.created_at',
      source: 'ansible',
      evidence: { playbook: 'db-index.yml', run_id: 4411 },
    };
    assert.deepEqual(parseChangeEvents(body, NOW), [
      {
        source: 'ansible',
        type: 'database',
        asset: 'db-main-1',
        service: 'payments',
        actor: 'alice',
        timestamp: '2026-03-01T08:15:00.000Z',
        summary: 'Added index on payments.created_at',
        evidence: { playbook: 'db-index.yml', run_id: 4411 },
      },
    ]);
  });

  it('fills the defaults: type other, now, source api, no actor or service, empty evidence', () => {
    assert.deepEqual(parseChangeEvents({ asset: 'web-1', summary: 'Rotated TLS certificate' }, NOW), [
      {
        source: 'api',
        type: 'other',
        asset: 'web-1',
        service: null,
        actor: null,
        timestamp: '2026-03-01T09:00:00.000Z',
        summary: 'Rotated TLS certificate',
        evidence: {},
      },
    ]);
  });

  it('accepts a service instead of an asset', () => {
    const [only] = parseChangeEvents({ service: 'checkout', type: 'deploy', summary: 'Deployed v2.3.1' }, NOW);
    assert.equal(only!.asset, null);
    assert.equal(only!.service, 'checkout');
  });

  it('accepts an array, in order, and an empty one', () => {
    const out = parseChangeEvents([event(), event({ asset: 'fw-edge-2', type: undefined })], NOW);
    assert.deepEqual(
      out.map((o) => [o.asset, o.type]),
      [['fw-edge-1', 'firewall'], ['fw-edge-2', 'other']],
    );
    assert.deepEqual(parseChangeEvents([], NOW), []);
  });

  it('names the item and field of the first problem in a batch', () => {
    assert.equal(refused([event(), event({ summary: '' })], '[1].summary'), '[1].summary: required: a non-empty string');
    refused([event(), event(), event({ type: 'reboot' })], '[2].type');
    refused([event({ asset: undefined })], '[0].asset');
    refused([event({ timestamp: 'yesterday' })], '[0].timestamp');
    refused([event({ evidence: ['a'] })], '[0].evidence');
    refused([event(), 'not an object'], '[1]');
  });

  it('names the bare field for a single object', () => {
    refused(event({ summary: undefined }), 'summary');
    refused('text', 'body');
    refused(null, 'body');
  });

  it('rejects unknown fields, hinting at snake_case', () => {
    assert.match(refused(event({ change_id: 'CHG-1' }), 'change_id'), /unknown field$/);
    assert.match(refused([event({ evidenceUrl: 'x' })], '[0].evidenceUrl'), /unknown field$/);
    assert.match(refused(event({ Summary: 'x' }), 'Summary'), /unknown field/);
  });

  it('requires an asset unless a service is given', () => {
    assert.match(refused(event({ asset: undefined }), 'asset'), /required unless service is given/);
    refused(event({ asset: null, service: null }), 'asset');
  });

  it('checks names, types, actor, source and summary length', () => {
    refused(event({ asset: 'two words' }), 'asset');
    refused(event({ service: 42 }), 'service');
    assert.match(refused(event({ type: 'Deploy' }), 'type'), /one of firewall, network, deploy, config, database, access, other/);
    refused(event({ actor: '' }), 'actor');
    refused(event({ actor: 7 }), 'actor');
    refused(event({ source: 'my source' }), 'source');
    assert.match(refused(event({ summary: 'x'.repeat(1025) }), 'summary'), /at most 1024 characters \(got 1025\)/);
    assert.equal(parseChangeEvents(event({ summary: 'x'.repeat(1024) }), NOW)[0]!.summary.length, 1024);
    assert.equal(parseChangeEvents(event({ actor: null }), NOW)[0]!.actor, null);
  });

  it('requires an offset on timestamps and a real date', () => {
    assert.match(refused(event({ timestamp: '2026-03-01T10:00:00' }), 'timestamp'), /offset is required .*2026-03-01T10:00:00Z/);
    refused(event({ timestamp: '2026-02-30T10:00:00Z' }), 'timestamp');
    refused(event({ timestamp: 1772355600 }), 'timestamp');
  });

  it(`accepts ${MAX_CHANGE_EVENTS} events and refuses one more`, () => {
    const one = event();
    assert.equal(parseChangeEvents(Array(MAX_CHANGE_EVENTS).fill(one), NOW).length, MAX_CHANGE_EVENTS);
    assert.match(refused(Array(MAX_CHANGE_EVENTS + 1).fill(one), 'body'), /at most 10000 change events per request, got 10001/);
  });
});

/** The example of PagerDuty's "Send a Change Event" documentation. */
const CHANGE = `{
  "routing_key": "samplekeyhere",
  "payload": {
    "summary": "Build Success: Increase snapshot create timeout to 30 seconds",
    "timestamp": "2020-07-17T08:42:58.315+0000",
    "source": "acme-build-pipeline-tool-default-i-9999",
    "custom_details": {
      "build_state": "passed",
      "build_number": "2",
      "run_time": "1236s"
    }
  },
  "links": [
    {
      "href": "https://acme.pagerduty.dev/build/2",
      "text": "View more details in Acme!"
    }
  ]
}`;

const change = (payload: Record<string, unknown> = {}, top: Record<string, unknown> = {}) => {
  const body = JSON.parse(CHANGE);
  body.payload = { ...body.payload, ...payload };
  return { ...body, ...top };
};

function errorsOf(body: unknown): string[] {
  try {
    parsePagerDutyChangeEvent(body, NOW);
  } catch (error) {
    assert.ok(error instanceof PagerDutyChangeError, `expected a PagerDutyChangeError, got ${String(error)}`);
    assert.ok(error instanceof VigilError);
    assert.equal(error.status, 400);
    assert.equal(error.message, 'Event object is invalid');
    assert.deepEqual(error.details, { errors: error.errors });
    return error.errors;
  }
  assert.fail(`expected ${JSON.stringify(body)} to be rejected`);
}

describe('parsePagerDutyChangeEvent', () => {
  it('maps the documented example', () => {
    assert.deepEqual(parsePagerDutyChangeEvent(JSON.parse(CHANGE), NOW), {
      source: 'pagerduty',
      type: 'deploy',
      asset: 'acme-build-pipeline-tool-default-i-9999',
      service: null,
      actor: null,
      timestamp: '2020-07-17T08:42:58.315Z',
      summary: 'Build Success: Increase snapshot create timeout to 30 seconds',
      evidence: {
        links: [{ href: 'https://acme.pagerduty.dev/build/2', text: 'View more details in Acme!' }],
        custom_details: { build_state: 'passed', build_number: '2', run_time: '1236s' },
      },
    });
  });

  it('keeps the routing key out of the result (it is a credential)', () => {
    assert.ok(!JSON.stringify(parsePagerDutyChangeEvent(JSON.parse(CHANGE), NOW)).includes('samplekeyhere'));
  });

  it('takes the type and the actor from custom_details', () => {
    const out = parsePagerDutyChangeEvent(change({ custom_details: { type: 'Config', user: 'carol', author: 'dave' } }), NOW);
    assert.equal(out.type, 'config');
    assert.equal(out.actor, 'carol');
    assert.equal(parsePagerDutyChangeEvent(change({ custom_details: { actor: 'erin', user: 'carol' } }), NOW).actor, 'erin');
    assert.equal(parsePagerDutyChangeEvent(change({ custom_details: { author: 'dave' } }), NOW).actor, 'dave');
    // An unknown type is just a detail: the change stays a deploy.
    assert.equal(parsePagerDutyChangeEvent(change({ custom_details: { type: 'release' } }), NOW).type, 'deploy');
  });

  it('accepts the minimum: routing key and summary; now, no asset, no details', () => {
    const body = { routing_key: 'e93facc04764012d7bfb002500d5d1a6', payload: { summary: 'Secret rotated' } };
    assert.deepEqual(parsePagerDutyChangeEvent(body, NOW), {
      source: 'pagerduty',
      type: 'deploy',
      asset: null,
      service: null,
      actor: null,
      timestamp: '2026-03-01T09:00:00.000Z',
      summary: 'Secret rotated',
      evidence: { links: [] },
    });
  });

  it('keeps custom_details that are not an object, as PagerDuty does', () => {
    const out = parsePagerDutyChangeEvent(change({ custom_details: 'deployed by jenkins' }), NOW);
    assert.equal(out.evidence.custom_details, 'deployed by jenkins');
    assert.equal(out.actor, null);
  });

  it('reports every problem at once', () => {
    const body = change(
      { summary: '', timestamp: '2020-07-17 08:42:58', source: 12 },
      { routing_key: '  ', links: [{ text: 'no href' }, { href: 'https://x.example', text: 5 }] },
    );
    assert.deepEqual(errorsOf(body), [
      "'routing_key' is missing or blank",
      "'links[0].href' is missing or blank",
      "'links[1].text' must be a string",
      "'payload.summary' is missing or blank",
      "'payload.source' must be a string",
      "'payload.timestamp' must be an ISO 8601 timestamp with a zone offset",
    ]);
  });

  it('refuses a missing or malformed payload, a long summary, a body that is not an object', () => {
    assert.deepEqual(errorsOf({ routing_key: 'k' }), ["'payload' is missing"]);
    assert.deepEqual(errorsOf({ payload: [] }), ["'routing_key' is missing or blank", "'payload' must be an object"]);
    assert.deepEqual(errorsOf(change({ summary: 'x'.repeat(1025) })), ["'payload.summary' must be at most 1024 characters"]);
    assert.deepEqual(errorsOf(change({}, { links: 'https://x.example' })), ["'links' must be an array"]);
    assert.deepEqual(errorsOf(change({}, { routing_key: 42 })), ["'routing_key' must be a string"]);
    assert.deepEqual(errorsOf([]), ['Event object must be a JSON object']);
  });
});
