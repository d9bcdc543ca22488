import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VigilError } from '../../core/index.ts';
import { sha256Hex } from '../../lib/index.ts';
import { parseVigilAlerts } from './vigil.ts';

const NOW = new Date('2024-05-01T12:00:00.000Z');

/** The VigilError a call throws, asserting the common shape (400, invalid_alert, field). */
function failure(body: unknown, field: string): VigilError {
  try {
    parseVigilAlerts(body, NOW);
  } catch (error) {
    assert.ok(error instanceof VigilError, `expected a VigilError, got ${String(error)}`);
    assert.equal(error.status, 400);
    assert.equal(error.code, 'invalid_alert');
    assert.equal(error.field, field);
    assert.ok(error.message.startsWith(`${field}: `), error.message);
    return error;
  }
  assert.fail(`expected ${JSON.stringify(body)} to be rejected at ${field}`);
}

describe('parseVigilAlerts', () => {
  it('maps a full alert', () => {
    const [alert, ...rest] = parseVigilAlerts(
      {
        rule: { id: 'win-encoded-powershell', title: 'Encoded PowerShell command', level: 'high' },
        labels: { host: 'ws-042', user: 'alice', src_ip: '10.1.2.3', port: 3389, internal: true, env: 'prod' },
        entities: { hosts: ['ws-042', 'ws-043'], users: ['bob'], ips: ['2001:db8::1'], services: ['rdp'] },
        tags: ['attack.t1059.001', 'attack.execution'],
        timestamp: '2024-05-01T14:30:00.250+02:00',
        status: 'firing',
        description: 'powershell -enc seen on a workstation',
        fingerprint: 'edr-7781',
        source: 'edr',
        annotations: { runbook: 'https://wiki.example.com/rb/ps', score: 87 },
        count: 3,
        indicator: { confidence: 80, value: 'evil.example.com', type: 'domain', source: 'misp' },
        event_ids: ['01HX0000000000000000000001'],
      },
      NOW,
    );
    assert.equal(rest.length, 0);
    assert.deepEqual(alert, {
      fingerprint: 'edr-7781',
      source: 'edr',
      rule: {
        id: 'win-encoded-powershell',
        title: 'Encoded PowerShell command',
        level: 'high',
        tags: ['attack.t1059.001', 'attack.execution'],
      },
      description: 'powershell -enc seen on a workstation',
      labels: { host: 'ws-042', user: 'alice', src_ip: '10.1.2.3', port: '3389', internal: 'true', env: 'prod' },
      // explicit entities first, then those from labels, deduplicated
      entities: { hosts: ['ws-042', 'ws-043'], users: ['bob', 'alice'], ips: ['2001:db8::1', '10.1.2.3'], services: ['rdp'] },
      attack: { tactics: ['execution'], techniques: ['T1059.001'], kill_chain_phase: 'exploitation' },
      event_ids: ['01HX0000000000000000000001'],
      first_seen: '2024-05-01T12:30:00.250Z',
      last_seen: '2024-05-01T12:30:00.250Z',
      count: 3,
      status: 'firing',
      annotations: { runbook: 'https://wiki.example.com/rb/ps', score: '87' },
      indicator: { confidence: 80, value: 'evil.example.com', type: 'domain', source: 'misp' },
    });
  });

  it('fills defaults for a minimal alert', () => {
    const [alert] = parseVigilAlerts({ rule: { id: 'r1' } }, NOW);
    assert.deepEqual(alert, {
      fingerprint: sha256Hex(JSON.stringify(['r1', [], { hosts: [], users: [], ips: [], services: [] }])).slice(0, 32),
      source: 'api',
      rule: { id: 'r1', title: 'r1', level: 'medium', tags: [] },
      labels: {},
      entities: { hosts: [], users: [], ips: [], services: [] },
      attack: { tactics: [], techniques: [], kill_chain_phase: null },
      event_ids: [],
      first_seen: '2024-05-01T12:00:00.000Z',
      last_seen: '2024-05-01T12:00:00.000Z',
      count: 1,
      status: 'firing',
    });
    assert.match(alert!.fingerprint, /^[0-9a-f]{32}$/);
  });

  it('derives a fingerprint that ignores key and entity order but not values', () => {
    const fp = (body: unknown) => parseVigilAlerts(body, NOW)[0]!.fingerprint;
    const a = fp({ rule: { id: 'r' }, labels: { a: '1', b: '2' }, entities: { hosts: ['x', 'y'] } });
    const b = fp({ entities: { hosts: ['y', 'x'] }, labels: { b: '2', a: '1' }, rule: { id: 'r', level: 'low' } });
    assert.equal(a, b);
    assert.notEqual(a, fp({ rule: { id: 'r' }, labels: { a: '1', b: '3' }, entities: { hosts: ['x', 'y'] } }));
    assert.notEqual(a, fp({ rule: { id: 'r2' }, labels: { a: '1', b: '2' }, entities: { hosts: ['x', 'y'] } }));
    // a host label is an entity, so it counts once whether given as label + entity or label alone
    assert.equal(fp({ rule: { id: 'r' }, labels: { host: 'h' } }), fp({ rule: { id: 'r' }, labels: { host: 'h' }, entities: { hosts: ['h'] } }));
  });

  it('merges entities from labels, sending host labels that are addresses to ips', () => {
    const [alert] = parseVigilAlerts(
      {
        rule: { id: 'r' },
        labels: { hostname: '192.0.2.7', host: 'db1', ip: 'not-an-ip', dest_ip: '198.51.100.9', service: 'postgres', user: 'svc' },
        entities: { hosts: ['db1'] },
      },
      NOW,
    );
    assert.deepEqual(alert!.entities, { hosts: ['db1'], users: ['svc'], ips: ['192.0.2.7', '198.51.100.9'], services: ['postgres'] });
  });

  it('parses an array, resolved status and a +0000 offset', () => {
    const alerts = parseVigilAlerts(
      [
        { rule: { id: 'a' } },
        { rule: { id: 'b', level: 'critical' }, status: 'resolved', timestamp: '2024-04-30T23:59:59+0000' },
      ],
      NOW,
    );
    assert.equal(alerts.length, 2);
    assert.equal(alerts[0]!.status, 'firing');
    assert.equal(alerts[0]!.resolved_at, undefined);
    assert.equal(alerts[1]!.status, 'resolved');
    assert.equal(alerts[1]!.rule.level, 'critical');
    assert.equal(alerts[1]!.last_seen, '2024-04-30T23:59:59.000Z');
    assert.equal(alerts[1]!.resolved_at, '2024-04-30T23:59:59.000Z');
    assert.deepEqual(parseVigilAlerts([], NOW), []);
  });

  it('names the field of each error', () => {
    assert.match(failure([{ rule: { id: 'ok' } }, { rule: { id: 'x', level: 'severe' } }], '[1].rule.level').message, /one of informational, low, medium, high, critical/);
    assert.match(failure({ rule: { id: 'x' }, severity: 'high', colour: 'red' }, 'severity').message, /unknown fields 'severity', 'colour'/);
    failure({ rule: { id: 'x', name: 'y' } }, 'rule.name');
    failure({ labels: {} }, 'rule');
    failure({ rule: 'r1' }, 'rule');
    assert.match(failure({ rule: { id: '' } }, 'rule.id').message, /required/);
    failure({ rule: { id: 7 } }, 'rule.id');
    failure({ rule: { id: 'x', title: 5 } }, 'rule.title');
    failure({ rule: { id: 'x' }, labels: { host: null } }, 'labels.host');
    failure({ rule: { id: 'x' }, labels: { nested: { a: 1 } } }, 'labels.nested');
    failure({ rule: { id: 'x' }, labels: ['a'] }, 'labels');
    failure({ rule: { id: 'x' }, annotations: { a: [] } }, 'annotations.a');
    failure({ rule: { id: 'x' }, entities: { hosts: 'h1' } }, 'entities.hosts');
    failure({ rule: { id: 'x' }, entities: { users: ['u', 3] } }, 'entities.users[1]');
    failure({ rule: { id: 'x' }, entities: { accounts: [] } }, 'entities.accounts');
    assert.match(failure({ rule: { id: 'x' }, entities: { ips: ['10.0.0.300'] } }, 'entities.ips[0]').message, /not an IP address/);
    failure({ rule: { id: 'x' }, tags: 'attack.execution' }, 'tags');
    assert.match(failure({ rule: { id: 'x' }, timestamp: '2024-05-01T12:00:00' }, 'timestamp').message, /zone offset/);
    failure({ rule: { id: 'x' }, timestamp: '2024-02-30T12:00:00Z' }, 'timestamp');
    failure({ rule: { id: 'x' }, timestamp: 1714564800 }, 'timestamp');
    failure({ rule: { id: 'x' }, status: 'open' }, 'status');
    failure({ rule: { id: 'x' }, count: 0 }, 'count');
    failure({ rule: { id: 'x' }, count: 1.5 }, 'count');
    failure({ rule: { id: 'x' }, fingerprint: '' }, 'fingerprint');
    failure({ rule: { id: 'x' }, source: 3 }, 'source');
    failure({ rule: { id: 'x' }, description: false }, 'description');
    failure({ rule: { id: 'x' }, indicator: { value: 'x' } }, 'indicator.confidence');
    failure({ rule: { id: 'x' }, indicator: { confidence: 101 } }, 'indicator.confidence');
    failure({ rule: { id: 'x' }, indicator: { confidence: 50, score: 1 } }, 'indicator.score');
    failure({ rule: { id: 'x' }, event_ids: [1] }, 'event_ids[0]');
    failure('alert', 'body');
    failure(null, 'body');
    failure([{ rule: { id: 'x' } }, 'x'], '[1]');
  });

  it('caps an array at 10,000 alerts', () => {
    const one = { rule: { id: 'r' } };
    assert.equal(parseVigilAlerts(Array(10_000).fill(one), NOW).length, 10_000);
    assert.match(failure(Array(10_001).fill(one), 'body').message, /at most 10000 alerts/);
  });
});
