import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VigilError, type Silence } from '../core/index.ts';
import { silenceState, SilenceIndex, validateSilenceInput } from './silences.ts';

const T = (iso: string) => Date.parse(iso);

const silence = (id: string, over: Partial<Silence> = {}): Silence => ({
  id,
  matchers: [{ name: 'host', op: '=', value: 'web1' }],
  starts_at: '2024-05-01T10:00:00.000Z',
  ends_at: '2024-05-01T12:00:00.000Z',
  created_by: 'alice',
  comment: 'maintenance',
  created_at: '2024-05-01T09:00:00.000Z',
  updated_at: '2024-05-01T09:00:00.000Z',
  expired_at: null,
  ...over,
});

test('states at the boundaries: [starts_at, ends_at)', () => {
  const s = silence('a');
  assert.equal(silenceState(s, T('2024-05-01T09:59:59.999Z')), 'pending');
  assert.equal(silenceState(s, T('2024-05-01T10:00:00.000Z')), 'active');
  assert.equal(silenceState(s, T('2024-05-01T11:59:59.999Z')), 'active');
  assert.equal(silenceState(s, T('2024-05-01T12:00:00.000Z')), 'expired');
});

test('an early expiry ends the silence from expired_at', () => {
  const s = silence('a', { expired_at: '2024-05-01T11:00:00.000Z' });
  assert.equal(silenceState(s, T('2024-05-01T10:59:59.999Z')), 'active');
  assert.equal(silenceState(s, T('2024-05-01T11:00:00.000Z')), 'expired');
  const beforeStart = silence('b', { expired_at: '2024-05-01T09:30:00.000Z' });
  assert.equal(silenceState(beforeStart, T('2024-05-01T10:30:00.000Z')), 'expired');
  assert.equal(silenceState(beforeStart, T('2024-05-01T09:00:00.000Z')), 'pending');
});

test('the index matches active silences on event time', () => {
  const index = new SilenceIndex();
  index.set([
    silence('a'),
    silence('b', { matchers: [{ name: 'env', op: '=~', value: 'prod|stage' }, { name: 'team', op: '!=', value: 'sec' }] }),
  ]);
  assert.equal(index.size, 2);
  assert.equal(index.match({ host: 'web1' }, T('2024-05-01T11:00:00Z'))?.id, 'a');
  assert.equal(index.match({ host: 'web1' }, T('2024-05-01T12:00:00Z')), null, 'ended');
  assert.equal(index.match({ host: 'web1' }, T('2024-05-01T09:00:00Z')), null, 'not yet started');
  assert.equal(index.match({ host: 'web2' }, T('2024-05-01T11:00:00Z')), null);
  assert.equal(index.match({ env: 'prod' }, T('2024-05-01T11:00:00Z'))?.id, 'b');
  assert.equal(index.match({ env: 'production' }, T('2024-05-01T11:00:00Z')), null, 'regex is anchored');
  assert.equal(index.match({ env: 'prod', team: 'sec' }, T('2024-05-01T11:00:00Z')), null);

  index.upsert(silence('a', { expired_at: '2024-05-01T10:30:00.000Z' }));
  assert.equal(index.match({ host: 'web1' }, T('2024-05-01T11:00:00Z')), null, 'expired early');
  assert.equal(index.match({ host: 'web1' }, T('2024-05-01T10:15:00Z'))?.id, 'a', 'a late alert from before the expiry');
  assert.equal(index.remove('b'), true);
  assert.equal(index.match({ env: 'prod' }, T('2024-05-01T11:00:00Z')), null);
});

test('a bad stored silence leaves the index untouched', () => {
  const index = new SilenceIndex();
  index.set([silence('a')]);
  assert.throws(() => index.set([silence('c'), silence('bad', { matchers: [{ name: 'x', op: '=~', value: '(a+)+' }] })]), /silence bad: /);
  assert.equal(index.match({ host: 'web1' }, T('2024-05-01T11:00:00Z'))?.id, 'a');
});

const now = new Date('2024-05-01T10:00:00Z');

test('validates a silence, the creator argument winning', () => {
  const s = validateSilenceInput(
    { matchers: ['host="web1"', { name: 'env', value: 'prod.*', isRegex: true, isEqual: true }], duration: '2h', comment: 'patching', created_by: 'mallory' },
    now,
    'alice',
  );
  assert.deepEqual(s, {
    matchers: [
      { name: 'host', op: '=', value: 'web1' },
      { name: 'env', op: '=~', value: 'prod.*' },
    ],
    starts_at: '2024-05-01T10:00:00.000Z',
    ends_at: '2024-05-01T12:00:00.000Z',
    created_by: 'alice',
    comment: 'patching',
    expired_at: null,
  });
  const offset = validateSilenceInput({ matchers: ['a=~".*"'], starts_at: '2024-05-01T12:00:00+02:00', ends_at: '2024-05-01T13:30:00+02:00', comment: 'x' }, now, 'bob');
  assert.equal(offset.starts_at, '2024-05-01T10:00:00.000Z');
  assert.equal(offset.ends_at, '2024-05-01T11:30:00.000Z');
});

test('silence validation errors name the field', () => {
  const base = { matchers: ['a="1"'], ends_at: '2024-05-01T12:00:00Z', comment: 'why' };
  const rejects = (body: unknown, field: string, message: RegExp) =>
    assert.throws(
      () => validateSilenceInput(body, now, 'alice'),
      (e: unknown) => e instanceof VigilError && e.status === 400 && e.field === field && message.test(e.message),
      `${field} ${JSON.stringify(body)}`,
    );
  rejects(null, 'body', /object/);
  rejects({ ...base, matchers: [] }, 'matchers', /non-empty/);
  rejects({ ...base, matchers: 'a="1"' }, 'matchers', /non-empty list/);
  rejects({ ...base, matchers: ['a="1"', 'b~"2"'] }, 'matchers[1]', /expected =/);
  rejects({ ...base, matchers: ['a="1"', 'b=~"(x+)*"'] }, 'matchers[1]', /catastroph/);
  rejects({ ...base, matchers: [{ name: 'a', value: 'x', isRegex: 'yes' }] }, 'matchers[0].isRegex', /true or false/);
  rejects({ ...base, starts_at: '2024-05-01T10:00:00' }, 'starts_at', /offset/);
  rejects({ ...base, starts_at: '2024-02-30T10:00:00Z' }, 'starts_at', /ISO 8601/);
  rejects({ ...base, ends_at: 'tomorrow' }, 'ends_at', /ISO 8601/);
  rejects({ ...base, starts_at: '2024-05-01T12:00:00Z' }, 'ends_at', /after starts_at/);
  rejects({ ...base, ends_at: '2024-05-01T09:00:00Z', starts_at: '2024-05-01T08:00:00Z' }, 'ends_at', /past/);
  rejects({ matchers: ['a="1"'], comment: 'why' }, 'ends_at', /required/);
  rejects({ ...base, duration: '2h' }, 'duration', /not both/);
  rejects({ matchers: ['a="1"'], duration: 'two hours', comment: 'why' }, 'duration', /invalid duration/);
  rejects({ matchers: ['a="1"'], duration: '0s', comment: 'why' }, 'duration', /longer than zero/);
  rejects({ matchers: ['a="1"'], duration: 7200000, comment: 'why' }, 'duration', /such as/);
  rejects({ ...base, comment: '  ' }, 'comment', /required/);
  rejects({ ...base, comment: undefined }, 'comment', /required/);
  rejects({ ...base, endsAt: '2024-05-01T12:00:00Z' }, 'endsAt', /did you mean 'ends_at'/);
});

test('read-only fields echoed back by a client are ignored', () => {
  const s = validateSilenceInput(
    { id: 'X', created_at: 'whenever', matchers: ['a="1"'], ends_at: '2024-05-01T12:00:00Z', comment: 'why' },
    now,
    'alice',
  );
  assert.equal((s as Record<string, unknown>).id, undefined);
  assert.equal(s.created_by, 'alice');
});

test('a silence matching everything is allowed', () => {
  const s = validateSilenceInput({ matchers: ['a=~".*"'], duration: '1h', comment: 'all' }, now, 'alice');
  const index = new SilenceIndex();
  index.upsert({ ...s, id: 'all', created_at: now.toISOString(), updated_at: now.toISOString() });
  assert.equal(index.match({}, T('2024-05-01T10:30:00Z'))?.id, 'all');
});
