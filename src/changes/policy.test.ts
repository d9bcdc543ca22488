import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { VigilError, type FreezePolicy } from '../core/index.ts';
import { describeSchedule, evaluatePolicies, forbiddenIntervals, inScope, validatePolicy, type PolicyLookup } from './policy.ts';

/** The policy from the interface brief: firewall changes Monday to Friday 08:00-18:00 London time. */
const BUSINESS_HOURS = {
  name: 'firewall-business-hours',
  scope: { types: ['firewall'] },
  timezone: 'Europe/London',
  allowed: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '18:00' }],
  action: 'block',
  emergency: { approvals: 2 },
};

const policy = (overrides: Record<string, unknown> = {}): FreezePolicy => validatePolicy({ ...BUSINESS_HOURS, ...overrides });

/** Forbidden intervals over an ISO window, as "start end" ISO pairs. */
function forbidden(p: FreezePolicy, start: string, end: string): string[] {
  return forbiddenIntervals(p, Date.parse(start), Date.parse(end)).map((i) => `${new Date(i.start).toISOString()} ${new Date(i.end).toISOString()}`);
}

function rejects(input: unknown, field: string, reason?: RegExp): void {
  assert.throws(
    () => validatePolicy(input),
    (e: unknown) => {
      assert.ok(e instanceof VigilError, String(e));
      assert.equal(e.code, 'invalid_policy');
      assert.equal(e.status, 400);
      assert.equal(e.field, field, e.message);
      assert.ok(e.message.startsWith(`${field}: `), e.message);
      if (reason) assert.match(e.message, reason);
      return true;
    },
  );
}

const EVERY_DAY = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

describe('validatePolicy', () => {
  it('accepts the interface policy as written and normalises it', () => {
    assert.deepEqual(policy(), {
      name: 'firewall-business-hours',
      scope: { types: ['firewall'] },
      timezone: 'Europe/London',
      action: 'block',
      allowed: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '18:00' }],
      emergency: { approvals: 2 },
    });
    const p = policy({ timezone: 'europe/london', allowed: [{ days: ['fri', 'mon', 'fri'], from: '00:00', to: '24:00' }] });
    assert.equal(p.timezone, 'Europe/London');
    assert.deepEqual(p.allowed, [{ days: ['mon', 'fri'], from: '00:00', to: '24:00' }]);
  });

  it('names the field at fault', () => {
    rejects({ ...BUSINESS_HOURS, timezone: 'Mars/Olympus_Mons' }, 'policy.timezone', /unknown time zone Mars\/Olympus_Mons/);
    rejects({ ...BUSINESS_HOURS, timezone: 3 }, 'policy.timezone');
    rejects({ ...BUSINESS_HOURS, allowed: [{ days: ['mon'], from: '8:00', to: '18:00' }] }, 'policy.allowed[0].from', /HH:MM/);
    rejects({ ...BUSINESS_HOURS, allowed: [{ days: ['mon'], from: '08:00', to: '24:30' }] }, 'policy.allowed[0].to');
    rejects({ ...BUSINESS_HOURS, allowed: [{ days: ['mon'], from: '22:00', to: '06:00' }] }, 'policy.allowed[0].to', /split overnight/);
    rejects({ ...BUSINESS_HOURS, allowed: [{ days: ['monday'], from: '08:00', to: '18:00' }] }, 'policy.allowed[0].days[0]');
    rejects({ ...BUSINESS_HOURS, allowed: [{ days: [], from: '08:00', to: '18:00' }] }, 'policy.allowed[0].days');
    rejects({ ...BUSINESS_HOURS, scope: { tags: ['pci'] } }, 'policy.scope.tags', /unknown key/);
    rejects({ ...BUSINESS_HOURS, colour: 'red' }, 'policy.colour', /unknown key/);
    rejects({ ...BUSINESS_HOURS, colour: 'red', size: 1 }, 'policy', /unknown keys colour, size/);
    rejects({ ...BUSINESS_HOURS, allowed: [{ days: ['mon'], from: '08:00', to: '18:00', tz: 'UTC' }] }, 'policy.allowed[0].tz');
    rejects({ ...BUSINESS_HOURS, allowed: undefined }, 'policy', /allowed or blocked/);
    rejects({ ...BUSINESS_HOURS, allowed: undefined, blocked: [] }, 'policy', /allowed or blocked/);
    rejects({ ...BUSINESS_HOURS, allowed: [] }, 'policy.allowed');
    rejects({ ...BUSINESS_HOURS, name: 'has space' }, 'policy.name');
    rejects({ ...BUSINESS_HOURS, name: '' }, 'policy.name');
    rejects({ ...BUSINESS_HOURS, scope: undefined }, 'policy.scope');
    rejects({ ...BUSINESS_HOURS, scope: { types: ['dns'] } }, 'policy.scope.types[0]');
    rejects({ ...BUSINESS_HOURS, scope: { service_tiers: [5] } }, 'policy.scope.service_tiers[0]');
    rejects({ ...BUSINESS_HOURS, scope: { asset_tags: [] } }, 'policy.scope.asset_tags');
    rejects({ ...BUSINESS_HOURS, action: 'deny' }, 'policy.action');
    rejects({ ...BUSINESS_HOURS, emergency: { approvals: 11 } }, 'policy.emergency.approvals');
    rejects({ ...BUSINESS_HOURS, emergency: { approvals: 1.5 } }, 'policy.emergency.approvals');
    rejects({ ...BUSINESS_HOURS, blocked: [{ dates: { from: '2026-02-30', to: '2026-03-02' } }] }, 'policy.blocked[0].dates.from', /not a calendar date/);
    rejects({ ...BUSINESS_HOURS, blocked: [{ dates: { from: '2026-12-24', to: '2026-01-02' } }] }, 'policy.blocked[0].dates.to');
    rejects({ ...BUSINESS_HOURS, blocked: [{ dates: { from: '2026-12-24', to: '2027-01-02' }, every_year: 'yes' }] }, 'policy.blocked[0].every_year');
    rejects('nope', 'policy', /must be an object/);
    assert.throws(() => validatePolicy({ ...BUSINESS_HOURS, action: 'x' }, 'changes.policies[3]'), (e: unknown) => e instanceof VigilError && e.field === 'changes.policies[3].action');
  });

  it('accepts yearly ranges that wrap the new year, and 02-29 whatever the year', () => {
    const p = policy({ blocked: [{ dates: { from: '2025-12-24', to: '2025-01-02' }, every_year: true, label: 'christmas' }, { dates: { from: '2025-02-29', to: '2025-02-29' }, every_year: true }] });
    assert.deepEqual(p.blocked, [
      { dates: { from: '2025-12-24', to: '2025-01-02' }, every_year: true, label: 'christmas' },
      { dates: { from: '2025-02-29', to: '2025-02-29' }, every_year: true },
    ]);
  });
});

describe('forbiddenIntervals', () => {
  const p = policy();

  it('allows a Tuesday afternoon in winter (London = UTC)', () => {
    assert.deepEqual(forbidden(p, '2026-03-03T14:00:00Z', '2026-03-03T15:00:00Z'), []);
  });

  it('forbids exactly the late-evening hour up to midnight', () => {
    assert.deepEqual(forbidden(p, '2026-03-03T23:00:00Z', '2026-03-04T00:00:00Z'), ['2026-03-03T23:00:00.000Z 2026-03-04T00:00:00.000Z']);
    // Clipped to the window, and merged across midnight.
    assert.deepEqual(forbidden(p, '2026-03-03T17:30:00Z', '2026-03-04T09:00:00Z'), ['2026-03-03T18:00:00.000Z 2026-03-04T08:00:00.000Z']);
  });

  it('forbids a Saturday change whole', () => {
    assert.deepEqual(forbidden(p, '2026-03-07T10:00:00Z', '2026-03-07T12:00:00Z'), ['2026-03-07T10:00:00.000Z 2026-03-07T12:00:00.000Z']);
  });

  it('follows British Summer Time: 08:00 local is 07:00Z in summer and 08:00Z in winter', () => {
    assert.deepEqual(forbidden(p, '2026-06-16T07:30:00Z', '2026-06-16T08:30:00Z'), []);
    assert.deepEqual(forbidden(p, '2026-03-03T07:30:00Z', '2026-03-03T08:30:00Z'), ['2026-03-03T07:30:00.000Z 2026-03-03T08:00:00.000Z']);
    assert.deepEqual(forbidden(p, '2026-06-16T16:30:00Z', '2026-06-16T17:30:00Z'), ['2026-06-16T17:00:00.000Z 2026-06-16T17:30:00.000Z']);
  });

  it('is correct across the spring-forward and fall-back weekends', () => {
    // Clocks go forward Sunday 2026-03-29 01:00Z: Friday is GMT, Monday is BST.
    assert.deepEqual(forbidden(p, '2026-03-27T00:00:00Z', '2026-03-31T00:00:00Z'), [
      '2026-03-27T00:00:00.000Z 2026-03-27T08:00:00.000Z',
      '2026-03-27T18:00:00.000Z 2026-03-30T07:00:00.000Z',
      '2026-03-30T17:00:00.000Z 2026-03-31T00:00:00.000Z',
    ]);
    // Clocks go back Sunday 2026-10-25 01:00Z: Friday is BST, Monday is GMT.
    assert.deepEqual(forbidden(p, '2026-10-23T00:00:00Z', '2026-10-27T00:00:00Z'), [
      '2026-10-23T00:00:00.000Z 2026-10-23T07:00:00.000Z',
      '2026-10-23T17:00:00.000Z 2026-10-26T08:00:00.000Z',
      '2026-10-26T18:00:00.000Z 2026-10-27T00:00:00.000Z',
    ]);
  });

  it('skips local times that do not exist and judges a repeated hour each time', () => {
    const nightly = validatePolicy({ name: 'nightly', scope: {}, timezone: 'Europe/London', blocked: [{ days: EVERY_DAY, from: '00:30', to: '01:30' }], action: 'warn' });
    // 00:30-01:00 GMT, then the clock jumps from 01:00 to 02:00.
    assert.deepEqual(forbidden(nightly, '2026-03-28T22:00:00Z', '2026-03-29T03:00:00Z'), ['2026-03-29T00:30:00.000Z 2026-03-29T01:00:00.000Z']);
    // 00:30-01:30 BST (23:30Z-00:30Z), then 01:00-01:30 again in GMT.
    assert.deepEqual(forbidden(nightly, '2026-10-24T22:00:00Z', '2026-10-25T03:00:00Z'), [
      '2026-10-24T23:30:00.000Z 2026-10-25T00:30:00.000Z',
      '2026-10-25T01:00:00.000Z 2026-10-25T01:30:00.000Z',
    ]);
  });

  it('uses local midnights west of UTC across a DST change', () => {
    const weekend = validatePolicy({ name: 'weekend', scope: {}, timezone: 'America/New_York', blocked: [{ days: ['sat', 'sun'], from: '00:00', to: '24:00' }], action: 'block' });
    // Saturday starts at 05:00Z (EST); Monday at 04:00Z (EDT from Sunday 2026-03-08).
    assert.deepEqual(forbidden(weekend, '2026-03-06T00:00:00Z', '2026-03-10T00:00:00Z'), ['2026-03-07T05:00:00.000Z 2026-03-09T04:00:00.000Z']);
  });

  it('blocks whole local dates, yearly ranges wrapping the new year', () => {
    const christmas = (timezone: string) =>
      validatePolicy({ name: 'christmas', scope: {}, timezone, blocked: [{ dates: { from: '2020-12-24', to: '2020-01-02' }, every_year: true, label: 'Christmas' }], action: 'block' });
    assert.deepEqual(forbidden(christmas('Europe/London'), '2026-12-20T00:00:00Z', '2027-01-05T00:00:00Z'), ['2026-12-24T00:00:00.000Z 2027-01-03T00:00:00.000Z']);
    assert.deepEqual(forbidden(christmas('America/New_York'), '2026-12-20T00:00:00Z', '2027-01-05T00:00:00Z'), ['2026-12-24T05:00:00.000Z 2027-01-03T05:00:00.000Z']);
    assert.deepEqual(forbidden(christmas('Europe/London'), '2026-01-01T00:00:00Z', '2026-01-10T00:00:00Z'), ['2026-01-01T00:00:00.000Z 2026-01-03T00:00:00.000Z']);
    assert.deepEqual(forbidden(christmas('Europe/London'), '2026-06-01T00:00:00Z', '2026-06-10T00:00:00Z'), []);

    const easter = validatePolicy({ name: 'easter', scope: {}, timezone: 'Europe/London', blocked: [{ dates: { from: '2026-04-03', to: '2026-04-06' } }], action: 'block' });
    assert.deepEqual(forbidden(easter, '2026-04-01T00:00:00Z', '2026-04-10T00:00:00Z'), ['2026-04-02T23:00:00.000Z 2026-04-06T23:00:00.000Z']);
    assert.deepEqual(forbidden(easter, '2027-04-01T00:00:00Z', '2027-04-10T00:00:00Z'), []);
  });

  it('combines allowed and blocked ranges', () => {
    const p2 = policy({ blocked: [{ days: ['wed'], from: '12:00', to: '13:00' }] });
    assert.deepEqual(forbidden(p2, '2026-03-04T07:00:00Z', '2026-03-04T19:00:00Z'), [
      '2026-03-04T07:00:00.000Z 2026-03-04T08:00:00.000Z',
      '2026-03-04T12:00:00.000Z 2026-03-04T13:00:00.000Z',
      '2026-03-04T18:00:00.000Z 2026-03-04T19:00:00.000Z',
    ]);
  });

  it('refuses windows longer than 366 days, naming window', () => {
    assert.deepEqual(forbidden(p, '2026-03-03T15:00:00Z', '2026-03-03T14:00:00Z'), []);
    assert.equal(forbiddenIntervals(p, Date.parse('2026-01-01T00:00:00Z'), Date.parse('2027-01-01T00:00:00Z')).length, 262); // 261 weekdays: a gap before, between and after each
    assert.throws(
      () => forbiddenIntervals(p, Date.parse('2026-01-01T00:00:00Z'), Date.parse('2027-01-03T00:00:00Z')),
      (e: unknown) => e instanceof VigilError && e.status === 400 && e.field === 'window',
    );
  });
});

const lookup: PolicyLookup = {
  assetTags: (name) => ({ 'fw-1': ['pci', 'edge'], 'db-1': ['prod'] })[name] ?? [],
  assetServices: (name) => ({ 'db-1': ['payments'] })[name] ?? [],
  serviceTier: (name) => ({ payments: 1, wiki: 3 })[name] ?? null,
};

describe('inScope', () => {
  const change = (type: string, assets: string[] = [], services: string[] = []) => ({ type: type as 'firewall', assets, services });

  it('matches by type, asset tag and service tier, all given ones together', () => {
    assert.equal(inScope(policy(), change('firewall'), lookup), true);
    assert.equal(inScope(policy(), change('deploy'), lookup), false);
    assert.equal(inScope(policy({ scope: {} }), change('deploy'), lookup), true);

    const pci = policy({ scope: { asset_tags: ['pci'] } });
    assert.equal(inScope(pci, change('config', ['db-1', 'fw-1']), lookup), true);
    assert.equal(inScope(pci, change('config', ['db-1']), lookup), false);
    assert.equal(inScope(pci, change('config'), lookup), false);

    const tier1 = policy({ scope: { service_tiers: [1] } });
    assert.equal(inScope(tier1, change('deploy', [], ['payments']), lookup), true);
    assert.equal(inScope(tier1, change('deploy', ['db-1'], ['wiki']), lookup), true); // through the asset's service
    assert.equal(inScope(tier1, change('deploy', ['fw-1'], ['wiki', 'unknown']), lookup), false);

    const both = policy({ scope: { types: ['firewall'], asset_tags: ['pci'] } });
    assert.equal(inScope(both, change('firewall', ['fw-1']), lookup), true);
    assert.equal(inScope(both, change('network', ['fw-1']), lookup), false);
  });
});

describe('evaluatePolicies', () => {
  const change = (start: string, end: string, emergency = false) => ({
    type: 'firewall' as const, assets: ['fw-1'], services: [], window: { start, end }, emergency, approvals: [],
  });

  it('blocks outside the allowed hours, naming the policy and the overlap', () => {
    const verdict = evaluatePolicies([policy()], change('2026-03-03T23:00:00Z', '2026-03-04T00:00:00Z'), lookup);
    const expected = {
      policy: 'firewall-business-hours',
      action: 'block' as const,
      overlap: [{ start: '2026-03-03T23:00:00.000Z', end: '2026-03-04T00:00:00.000Z' }],
      message: 'change window 2026-03-03T23:00:00Z–2026-03-04T00:00:00Z falls outside firewall-business-hours (mon-fri 08:00-18:00 Europe/London) from 23:00 to 00:00 local',
    };
    assert.deepEqual(verdict, { findings: [expected], blocking: expected, approvalsRequired: 1 });
    // Offsets in the window are compared as instants.
    assert.equal(evaluatePolicies([policy()], change('2026-03-03T15:00:00+01:00', '2026-03-03T16:00:00+01:00'), lookup).findings.length, 0);
  });

  it('lets an emergency through a block with the policy\'s approvals', () => {
    const verdict = evaluatePolicies([policy()], change('2026-03-07T10:00:00Z', '2026-03-07T11:00:00Z', true), lookup);
    assert.equal(verdict.blocking, null);
    assert.equal(verdict.approvalsRequired, 2);
    assert.equal(verdict.findings.length, 1);
    assert.match(verdict.findings[0].message, /from 10:00 to 11:00 local; emergency change: needs 2 approvals$/);
    // Without emergency approvals in the policy, an emergency is held like any change.
    const strict = evaluatePolicies([policy({ emergency: undefined })], change('2026-03-07T10:00:00Z', '2026-03-07T11:00:00Z', true), lookup);
    assert.equal(strict.blocking?.policy, 'firewall-business-hours');
    assert.equal(strict.approvalsRequired, 1);
  });

  it('reports warnings only, raises approvals for require_approval, and skips out-of-scope policies', () => {
    const night = change('2026-03-03T23:00:00Z', '2026-03-04T00:00:00Z');
    const warn = evaluatePolicies([policy({ action: 'warn' })], night, lookup);
    assert.equal(warn.findings.length, 1);
    assert.equal(warn.findings[0].action, 'warn');
    assert.equal(warn.blocking, null);
    assert.equal(warn.approvalsRequired, 1);

    assert.equal(evaluatePolicies([policy({ action: 'require_approval', emergency: undefined })], night, lookup).approvalsRequired, 2);
    const three = evaluatePolicies([policy({ action: 'require_approval', emergency: { approvals: 3 } }), policy({ name: 'second', action: 'block' })], night, lookup);
    assert.equal(three.approvalsRequired, 3);
    assert.equal(three.blocking?.policy, 'second');
    assert.deepEqual(three.findings.map((f) => f.policy), ['firewall-business-hours', 'second']);

    assert.deepEqual(evaluatePolicies([policy({ scope: { types: ['deploy'] } })], night, lookup).findings, []);
  });

  it('dates the local times when the overlap spans days', () => {
    const verdict = evaluatePolicies([policy({ action: 'warn' })], change('2026-03-06T17:00:00Z', '2026-03-09T09:00:00Z'), lookup);
    assert.equal(
      verdict.findings[0].message,
      'change window 2026-03-06T17:00:00Z–2026-03-09T09:00:00Z falls outside firewall-business-hours (mon-fri 08:00-18:00 Europe/London) from 2026-03-06 18:00 to 2026-03-09 08:00 local',
    );
  });
});

describe('describeSchedule', () => {
  it('says when changes may happen', () => {
    assert.equal(describeSchedule(policy()), 'mon-fri 08:00-18:00 Europe/London');
    const mixed = policy({
      allowed: [{ days: ['mon', 'wed', 'thu', 'sat'], from: '09:00', to: '17:00' }],
      blocked: [{ dates: { from: '2026-12-24', to: '2026-01-02' }, every_year: true, label: 'Christmas' }],
    });
    assert.equal(describeSchedule(mixed), 'mon,wed-thu,sat 09:00-17:00 except 12-24..01-02 yearly (Christmas) Europe/London');
    const blockedOnly = policy({ allowed: undefined, blocked: [{ days: EVERY_DAY, from: '00:00', to: '06:00' }] });
    assert.equal(describeSchedule(blockedOnly), 'blocked daily 00:00-06:00 Europe/London');
  });
});
