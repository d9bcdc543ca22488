import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VigilError } from '../../core/index.ts';
import { alertmanagerFingerprint, levelFromSeverity, parseAlertmanagerWebhook } from './alertmanager.ts';

const NOW = new Date('2024-05-01T12:00:00.000Z');

/**
 * A firing notification as Alertmanager 0.25+ sends it (version 4 with `truncatedAlerts`), kept as
 * raw JSON text: Go escapes `&` in generatorURL as \u0026.
 */
const FIRING = `{
  "receiver": "sms",
  "status": "firing",
  "alerts": [
    {
      "status": "firing",
      "labels": {
        "alertname": "ProbeFailure",
        "instance": "https://server.example.org",
        "job": "http_checks",
        "monitor": "master",
        "severity": "critical"
      },
      "annotations": {
        "description": "Instance https://server.example.org has been down for over 5m. Job: http_checks",
        "summary": "BlackBox Probe Failure: https://server.example.org"
      },
      "startsAt": "2023-02-06T13:08:45.828Z",
      "endsAt": "0001-01-01T00:00:00Z",
      "generatorURL": "http://prometheus.example.org:9090/graph?g0.expr=probe_success+%3D%3D+0\\u0026g0.tab=1",
      "fingerprint": "1a30ba71cca2921f"
    }
  ],
  "groupLabels": { "alertname": "ProbeFailure" },
  "commonLabels": {
    "alertname": "ProbeFailure",
    "instance": "https://server.example.org",
    "job": "http_checks",
    "monitor": "master",
    "severity": "critical"
  },
  "commonAnnotations": {
    "description": "Instance https://server.example.org has been down for over 5m. Job: http_checks",
    "summary": "BlackBox Probe Failure: https://server.example.org"
  },
  "externalURL": "http://prometheus.example.org:9093",
  "version": "4",
  "groupKey": "{}/{severity=\\"critical\\"}:{alertname=\\"ProbeFailure\\"}",
  "truncatedAlerts": 0
}`;

/** An older Alertmanager (no fingerprint, no truncatedAlerts), nanosecond startsAt with an offset. */
const NO_FINGERPRINT = `{
  "receiver": "webhook",
  "status": "firing",
  "alerts": [
    {
      "status": "firing",
      "labels": { "alertname": "Test", "dc": "eu-west-1", "instance": "localhost:9090", "job": "prometheus24" },
      "annotations": { "description": "some description" },
      "startsAt": "2018-08-03T09:52:26.739266876+02:00",
      "endsAt": "0001-01-01T00:00:00Z",
      "generatorURL": "http://example.com:9090/graph?g0.expr=go_memstats_alloc_bytes+%3E+0\\u0026g0.tab=1"
    }
  ],
  "groupLabels": { "alertname": "Test", "job": "prometheus24" },
  "commonLabels": { "alertname": "Test", "dc": "eu-west-1", "instance": "localhost:9090", "job": "prometheus24" },
  "commonAnnotations": { "description": "some description" },
  "externalURL": "http://example.com:9093",
  "version": "4",
  "groupKey": "{}:{alertname=\\"Test\\", job=\\"prometheus24\\"}"
}`;

/** A group notification with one alert still firing and one resolved, node_exporter style. */
const MIXED = {
  version: '4',
  groupKey: '{}/{}:{alertname="NodeDown"}',
  truncatedAlerts: 0,
  status: 'firing',
  receiver: 'vigil',
  groupLabels: { alertname: 'NodeDown' },
  commonLabels: { alertname: 'NodeDown', job: 'node', severity: 'warning' },
  commonAnnotations: {},
  externalURL: 'http://alertmanager.example.com:9093',
  alerts: [
    {
      status: 'firing',
      labels: { alertname: 'NodeDown', instance: '10.0.4.17:9100', job: 'node', severity: 'warning', tags: 'attack.t1489, attack.impact' },
      annotations: {},
      startsAt: '2024-05-01T11:55:00.123456789Z',
      endsAt: '2024-05-01T12:10:00Z',
      generatorURL: '',
      fingerprint: '5f1b0dc0f6c7a4e2',
    },
    {
      status: 'resolved',
      labels: { alertname: 'NodeDown', instance: '[2001:db8::17]:9100', nodename: 'db-2', job: 'node', severity: 'warning', user: 'root', business_service: 'billing' },
      annotations: { summary: 'db-2 is back' },
      startsAt: '2024-05-01T11:00:00Z',
      endsAt: '2024-05-01T11:45:30.5+01:00',
      generatorURL: 'http://prometheus:9090/graph',
      fingerprint: '9a8b7c6d5e4f3a2b',
    },
  ],
};

function failure(body: unknown, field: string): VigilError {
  try {
    parseAlertmanagerWebhook(body, NOW);
  } catch (error) {
    assert.ok(error instanceof VigilError, `expected a VigilError, got ${String(error)}`);
    assert.equal(error.status, 400);
    assert.equal(error.code, 'invalid_alert');
    assert.equal(error.field, field);
    assert.ok(error.message.startsWith(`${field}: `), error.message);
    return error;
  }
  assert.fail(`expected rejection at ${field}`);
}

const withAlert = (patch: Record<string, unknown>, drop?: string) => {
  const body = structuredClone(MIXED);
  const alert: Record<string, unknown> = { ...body.alerts[1], ...patch };
  if (drop) delete alert[drop];
  body.alerts[1] = alert as (typeof body.alerts)[1];
  return body;
};

describe('parseAlertmanagerWebhook', () => {
  it('maps a real firing notification', () => {
    const alerts = parseAlertmanagerWebhook(JSON.parse(FIRING), NOW);
    assert.equal(alerts.length, 1);
    assert.deepEqual(alerts[0], {
      fingerprint: 'am:1a30ba71cca2921f',
      source: 'alertmanager',
      rule: { id: 'ProbeFailure', title: 'BlackBox Probe Failure: https://server.example.org', level: 'critical', tags: [] },
      description: 'Instance https://server.example.org has been down for over 5m. Job: http_checks',
      labels: {
        alertname: 'ProbeFailure',
        instance: 'https://server.example.org',
        job: 'http_checks',
        monitor: 'master',
        severity: 'critical',
        receiver: 'sms',
      },
      // a blackbox instance is a URL: its hostname is the host
      entities: { hosts: ['server.example.org'], users: [], ips: [], services: [] },
      attack: { tactics: [], techniques: [], kill_chain_phase: null },
      event_ids: [],
      first_seen: '2023-02-06T13:08:45.828Z',
      last_seen: '2023-02-06T13:08:45.828Z',
      count: 1,
      status: 'firing',
      annotations: {
        description: 'Instance https://server.example.org has been down for over 5m. Job: http_checks',
        summary: 'BlackBox Probe Failure: https://server.example.org',
      },
      links: [{ href: 'http://prometheus.example.org:9090/graph?g0.expr=probe_success+%3D%3D+0&g0.tab=1', text: 'Source' }],
    });
  });

  it('computes the Alertmanager fingerprint when the payload has none', () => {
    // prometheus/common model/signature_test.go vectors
    assert.equal(alertmanagerFingerprint({}), (14695981039346656037n).toString(16));
    assert.equal(alertmanagerFingerprint({ name: 'garland, briggs', fear: 'love is not enough' }), (5799056148416392346n).toString(16));
    assert.equal(
      alertmanagerFingerprint({ 'first-label': 'first-label-value', 'second-label': 'second-label-value', 'third-label': 'third-label-value' }),
      (13843036195897128121n).toString(16),
    );
    const [alert] = parseAlertmanagerWebhook(JSON.parse(NO_FINGERPRINT), NOW);
    const labels = { alertname: 'Test', dc: 'eu-west-1', instance: 'localhost:9090', job: 'prometheus24' };
    assert.equal(alert!.fingerprint, `am:${alertmanagerFingerprint(labels)}`);
    assert.match(alert!.fingerprint, /^am:[0-9a-f]{16}$/);
    assert.equal(alert!.rule.title, 'Test'); // no summary annotation
    assert.equal(alert!.rule.level, 'medium'); // no severity label
    assert.equal(alert!.first_seen, '2018-08-03T07:52:26.739Z');
    assert.deepEqual(alert!.entities.hosts, ['localhost']);
    assert.equal(alert!.labels.receiver, 'webhook');
  });

  it('maps firing and resolved alerts of one group', () => {
    const [firing, resolved] = parseAlertmanagerWebhook(MIXED, NOW);
    assert.equal(firing!.status, 'firing');
    // endsAt of a firing alert is only Prometheus' expiry estimate: ignored
    assert.equal(firing!.first_seen, '2024-05-01T11:55:00.123Z');
    assert.equal(firing!.last_seen, '2024-05-01T11:55:00.123Z');
    assert.equal(firing!.resolved_at, undefined);
    assert.equal(firing!.rule.level, 'medium');
    assert.equal(firing!.links, undefined); // empty generatorURL
    assert.deepEqual(firing!.entities, { hosts: [], users: [], ips: ['10.0.4.17'], services: [] });
    assert.deepEqual(firing!.rule.tags, ['attack.t1489', 'attack.impact']);
    assert.deepEqual(firing!.attack, { tactics: ['impact'], techniques: ['T1489'], kill_chain_phase: 'actions-on-objectives' });

    assert.equal(resolved!.status, 'resolved');
    assert.equal(resolved!.fingerprint, 'am:9a8b7c6d5e4f3a2b');
    assert.equal(resolved!.rule.title, 'db-2 is back');
    assert.equal(resolved!.first_seen, '2024-05-01T11:00:00.000Z');
    assert.equal(resolved!.last_seen, '2024-05-01T10:45:30.500Z');
    assert.equal(resolved!.resolved_at, '2024-05-01T10:45:30.500Z');
    assert.deepEqual(resolved!.entities, { hosts: ['db-2'], users: ['root'], ips: ['2001:db8::17'], services: ['billing'] });
    assert.deepEqual(resolved!.links, [{ href: 'http://prometheus:9090/graph', text: 'Source' }]);
    assert.equal(resolved!.labels.receiver, 'vigil');
  });

  it('resolves at now when a resolved alert has the zero endsAt', () => {
    const [, alert] = parseAlertmanagerWebhook(withAlert({ endsAt: '0001-01-01T00:00:00Z' }), NOW);
    assert.equal(alert!.resolved_at, '2024-05-01T12:00:00.000Z');
    assert.equal(alert!.last_seen, '2024-05-01T12:00:00.000Z');
  });

  it('keeps an alert label named receiver over the receiver name', () => {
    const [, alert] = parseAlertmanagerWebhook(withAlert({ labels: { alertname: 'X', receiver: 'own' } }), NOW);
    assert.equal(alert!.labels.receiver, 'own');
  });

  it('maps severities', () => {
    const cases: Array<[string | undefined, string]> = [
      ['critical', 'critical'], ['page', 'critical'], ['EMERGENCY', 'critical'],
      ['error', 'high'], ['high', 'high'], ['major', 'high'],
      ['warning', 'medium'], ['warn', 'medium'], ['medium', 'medium'], ['minor', 'medium'],
      ['info', 'low'], ['informational', 'low'], ['low', 'low'], ['notice', 'low'],
      ['none', 'informational'], ['debug', 'informational'],
      [undefined, 'medium'], ['P1', 'medium'], ['constructor', 'medium'],
    ];
    for (const [severity, level] of cases) assert.equal(levelFromSeverity(severity), level, String(severity));
  });

  it('names the field of each error', () => {
    assert.match(failure({ ...MIXED, version: '3' }, 'version').message, /must be "4"/);
    failure({ ...MIXED, version: 4 }, 'version');
    failure({ ...MIXED, version: undefined }, 'version');
    failure({ ...MIXED, alerts: undefined }, 'alerts');
    failure({ ...MIXED, alerts: { 0: {} } }, 'alerts');
    failure({ ...MIXED, receiver: 5 }, 'receiver');
    failure([MIXED], 'body');
    failure(withAlert({ labels: { job: 'node' } }), 'alerts[1].labels.alertname');
    failure(withAlert({ labels: { alertname: '' } }), 'alerts[1].labels.alertname');
    failure(withAlert({}, 'labels'), 'alerts[1].labels');
    failure(withAlert({ labels: { alertname: 'X', port: 9100 } }), 'alerts[1].labels.port');
    failure(withAlert({ annotations: { summary: null } }), 'alerts[1].annotations.summary');
    assert.match(failure(withAlert({ startsAt: 'yesterday' }), 'alerts[1].startsAt').message, /RFC 3339/);
    failure(withAlert({ startsAt: '2024-05-01T11:00:00' }), 'alerts[1].startsAt');
    failure(withAlert({ endsAt: '2024-13-01T00:00:00Z' }), 'alerts[1].endsAt');
    failure(withAlert({ status: 'pending' }), 'alerts[1].status');
    failure(withAlert({ generatorURL: 42 }), 'alerts[1].generatorURL');
    failure(withAlert({ fingerprint: 42 }), 'alerts[1].fingerprint');
    failure({ ...MIXED, alerts: [MIXED.alerts[0], 'x'] }, 'alerts[1]');
  });

  it('defaults a missing startsAt to now and accepts an empty alerts list', () => {
    const [, alert] = parseAlertmanagerWebhook(withAlert({ status: 'firing' }, 'startsAt'), NOW);
    assert.equal(alert!.first_seen, '2024-05-01T12:00:00.000Z');
    assert.deepEqual(parseAlertmanagerWebhook({ ...MIXED, alerts: [] }, NOW), []);
  });
});
