import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type Change, VigilError } from '../core/index.ts';
import { validateChangeInput, validateChangePatch } from './input.ts';

const NOW = new Date('2026-03-01T09:00:00Z');

/** A valid request body; overrides replace fields (undefined removes one). */
function makeChange(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const body: Record<string, unknown> = {
    title: 'Open 443 on the edge firewall',
    type: 'firewall',
    assets: ['fw-edge-1'],
    services: [],
    window: { start: '2026-03-03T14:00:00Z', end: '2026-03-03T15:00:00Z' },
    implementer: 'alice',
    emergency: false,
    ...overrides,
  };
  for (const [k, v] of Object.entries(body)) if (v === undefined) delete body[k];
  return body;
}

/** Asserts the body is refused as invalid_change naming `field`, and returns the message. */
function refused(body: unknown, field: string): string {
  try {
    validateChangeInput(body, NOW, 'carol');
  } catch (e) {
    assert.ok(e instanceof VigilError, `expected a VigilError, got ${e}`);
    assert.equal(e.code, 'invalid_change');
    assert.equal(e.status, 400);
    assert.equal(e.field, field, e.message);
    assert.ok(e.message.startsWith(`${field}: `), e.message);
    return e.message;
  }
  assert.fail(`expected ${JSON.stringify(body)} to be refused on ${field}`);
}

describe('validateChangeInput', () => {
  it('accepts the documented request and fills defaults', () => {
    const input = validateChangeInput(makeChange(), NOW, 'carol');
    const expected: Omit<Change, 'id' | 'status' | 'approvals' | 'approvals_required' | 'warnings' | 'conflicts' | 'started_at' | 'ended_at' | 'created_at' | 'updated_at'> & { draft: boolean } = {
      title: 'Open 443 on the edge firewall',
      description: '',
      type: 'firewall',
      risk: 'medium',
      assets: ['fw-edge-1'],
      services: [],
      window: { start: '2026-03-03T14:00:00Z', end: '2026-03-03T15:00:00Z' },
      implementer: 'alice',
      requester: 'carol',
      backout_plan: '',
      emergency: false,
      links: [],
      created_by: 'carol',
      draft: false,
    };
    assert.deepEqual(input, expected);
  });

  it('keeps given values: risk, requester, links, draft, window offsets as written', () => {
    const input = validateChangeInput(
      makeChange({
        risk: 'high',
        requester: null,
        implementer: null,
        draft: true,
        description: 'why',
        backout_plan: 'revert rule 12',
        links: [{ href: 'https://tickets.example/CR-1', text: 'ticket' }, { href: 'http://wiki.example/fw' }],
        window: { start: '2026-03-03T15:00:00+01:00', end: '2026-03-03T16:30:00.500+01:00' },
        assets: ['fw-edge-1', 'fw-edge-1', 'fw-edge-2'],
      }),
      NOW,
      'carol',
    );
    assert.equal(input.risk, 'high');
    assert.equal(input.requester, null);
    assert.equal(input.implementer, null);
    assert.equal(input.draft, true);
    assert.equal(input.backout_plan, 'revert rule 12');
    assert.deepEqual(input.links, [{ href: 'https://tickets.example/CR-1', text: 'ticket' }, { href: 'http://wiki.example/fw' }]);
    assert.deepEqual(input.window, { start: '2026-03-03T15:00:00+01:00', end: '2026-03-03T16:30:00.500+01:00' });
    assert.deepEqual(input.assets, ['fw-edge-1', 'fw-edge-2']);
  });

  it('allows a window in the past (an emergency change recorded afterwards)', () => {
    const input = validateChangeInput(makeChange({ window: { start: '2026-02-01T10:00:00Z', end: '2026-02-01T11:00:00Z' }, emergency: true }), NOW, 'carol');
    assert.equal(input.emergency, true);
  });

  it('refuses a body that is not an object', () => {
    refused(null, 'body');
    refused([], 'body');
    refused('x', 'body');
  });

  it('refuses naive times, saying an offset is required', () => {
    const msg = refused(makeChange({ window: { start: '2026-03-03T14:00:00', end: '2026-03-03T15:00:00Z' } }), 'window.start');
    assert.match(msg, /offset is required/);
    assert.match(refused(makeChange({ window: { start: '2026-03-03T14:00:00Z', end: '2026-03-03 15:00' } }), 'window.end'), /offset is required/);
  });

  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['missing title', { title: undefined }, 'title'],
    ['blank title', { title: '  ' }, 'title'],
    ['title too long', { title: 'x'.repeat(513) }, 'title'],
    ['missing type', { type: undefined }, 'type'],
    ['unknown type', { type: 'reboot' }, 'type'],
    ['bad risk', { risk: 'extreme' }, 'risk'],
    ['assets not a list', { assets: 'fw-edge-1' }, 'assets'],
    ['bad asset name', { assets: ['fw-edge-1', 'has space'] }, 'assets[1]'],
    ['bad service name', { services: [3] }, 'services[0]'],
    ['missing window', { window: undefined }, 'window'],
    ['window missing end', { window: { start: '2026-03-03T14:00:00Z' } }, 'window.end'],
    ['window missing start', { window: { end: '2026-03-03T14:00:00Z' } }, 'window.start'],
    ['window unknown key', { window: { start: '2026-03-03T14:00:00Z', end: '2026-03-03T15:00:00Z', tz: 'UTC' } }, 'window.tz'],
    ['not a time', { window: { start: 'tomorrow', end: '2026-03-03T15:00:00Z' } }, 'window.start'],
    ['impossible date', { window: { start: '2026-02-30T14:00:00Z', end: '2026-03-03T15:00:00Z' } }, 'window.start'],
    ['end before start', { window: { start: '2026-03-03T15:00:00Z', end: '2026-03-03T14:00:00Z' } }, 'window.end'],
    ['end equals start (as instants)', { window: { start: '2026-03-03T15:00:00+01:00', end: '2026-03-03T14:00:00Z' } }, 'window.end'],
    ['description not a string', { description: 5 }, 'description'],
    ['backout_plan not a string', { backout_plan: ['a'] }, 'backout_plan'],
    ['blank implementer', { implementer: '' }, 'implementer'],
    ['requester a number', { requester: 7 }, 'requester'],
    ['emergency a string', { emergency: 'yes' }, 'emergency'],
    ['draft a string', { draft: 'true' }, 'draft'],
    ['links not a list', { links: 'https://x.example' }, 'links'],
    ['link not an object', { links: ['https://x.example'] }, 'links[0]'],
    ['link javascript href', { links: [{ href: 'https://ok.example' }, { href: 'javascript:alert(1)' }] }, 'links[1].href'],
    ['link bad text', { links: [{ href: 'https://ok.example', text: 1 }] }, 'links[0].text'],
    ['link unknown key', { links: [{ href: 'https://ok.example', rel: 'x' }] }, 'links[0].rel'],
    ['unknown key', { owner: 'bob' }, 'owner'],
    ['status is not settable', { status: 'approved' }, 'status'],
  ];
  for (const [name, overrides, field] of cases) {
    it(`refuses ${name}, naming ${field}`, () => {
      refused(makeChange(overrides), field);
    });
  }

  it('suggests the snake_case name for a camelCase key', () => {
    assert.match(refused(makeChange({ backoutPlan: 'x' }), 'backoutPlan'), /did you mean 'backout_plan'/);
  });
});

describe('validateChangePatch', () => {
  it('returns only the fields given, checked', () => {
    assert.deepEqual(validateChangePatch({}), {});
    assert.deepEqual(validateChangePatch({ title: 'New', risk: 'low', implementer: null }), { title: 'New', risk: 'low', implementer: null });
    assert.deepEqual(validateChangePatch({ window: { start: '2026-03-04T10:00:00Z', end: '2026-03-04T11:00:00Z' } }), {
      window: { start: '2026-03-04T10:00:00Z', end: '2026-03-04T11:00:00Z' },
    });
  });

  it('refuses status, draft and unknown keys, and bad values, naming the field', () => {
    for (const [body, field] of [
      [{ status: 'approved' }, 'status'],
      [{ draft: true }, 'draft'],
      [{ id: 'CHG-9' }, 'id'],
      [{ title: '' }, 'title'],
      [{ type: 'nope' }, 'type'],
      [{ window: { start: '2026-03-04T10:00:00', end: '2026-03-04T11:00:00Z' } }, 'window.start'],
      [{ links: [{ href: 'ftp://x.example' }] }, 'links[0].href'],
    ] as Array<[Record<string, unknown>, string]>) {
      assert.throws(
        () => validateChangePatch(body),
        (e: unknown) => e instanceof VigilError && e.code === 'invalid_change' && e.status === 400 && e.field === field,
        JSON.stringify(body),
      );
    }
  });
});
