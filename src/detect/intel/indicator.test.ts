import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IndicatorError, refang, toIndicator } from './indicator.ts';
import { IntelMatcher, indicatorValidAt, intelAlert } from './matcher.ts';
import { toWatchlist, WatchlistIndex } from './watchlist.ts';
import type { Indicator, VigilEvent } from '../../core/index.ts';

const NOW = new Date('2026-05-01T00:00:00Z');
const defaults = { confidence: 50 };

const fieldOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof IndicatorError, String(error));
    return error.field;
  }
  assert.fail('no error');
};

test('an indicator is checked field by field and made canonical', () => {
  const ind = toIndicator({ type: 'domain', value: 'Bücher.Example.', source: 'isac', tags: ['c2', 'c2'] }, defaults, NOW);
  assert.equal(ind.id, 'domain:xn--bcher-kva.example');
  assert.equal(ind.confidence, 50);
  assert.equal(ind.severity, 'medium');
  assert.deepEqual(ind.tags, ['c2']);
  assert.equal(toIndicator({ type: 'ip', value: '10.0.0.1', source: 's', confidence: 85 }, defaults, NOW).severity, 'high');
  assert.equal(fieldOf(() => toIndicator({ type: 'ipv4', value: '1.2.3.4', source: 's' }, defaults, NOW)), 'type');
  assert.equal(fieldOf(() => toIndicator({ type: 'md5', value: 'abc', source: 's' }, defaults, NOW)), 'value');
  assert.equal(fieldOf(() => toIndicator({ type: 'ip', value: '1.2.3.4' }, defaults, NOW)), 'source');
  assert.equal(fieldOf(() => toIndicator({ type: 'ip', value: '1.2.3.4', source: 's', confidence: 50.5 }, defaults, NOW)), 'confidence');
  assert.equal(fieldOf(() => toIndicator({ type: 'ip', value: '1.2.3.4', source: 's', valid_from: '2026-02-01T00:00:00Z', valid_until: '2026-01-01T00:00:00Z' }, defaults, NOW)), 'valid_until');
  assert.equal(fieldOf(() => toIndicator({ type: 'ip', value: '1.2.3.4', source: 's', colour: 'red' }, defaults, NOW)), 'colour');
});

test('defanged values are made live again before they are checked', () => {
  assert.equal(refang('hxxps://evil[.]example/a'), 'https://evil.example/a');
  assert.equal(toIndicator({ type: 'domain', value: 'evil(.)example', source: 's' }, defaults, NOW).value, 'evil.example');
  assert.equal(toIndicator({ type: 'email', value: 'boss[@]evil[.]example', source: 's' }, defaults, NOW).value, 'boss@evil.example');
  assert.equal(toIndicator({ type: 'ip', value: '203.0.113[.]9', source: 's' }, defaults, NOW).value, '203.0.113.9');
  // Hashes and file names are taken as written.
  assert.equal(toIndicator({ type: 'filename', value: 'a[.]exe', source: 's' }, defaults, NOW).value, 'a[.]exe');
});

test('validity: valid_until is exclusive, valid_from inclusive', () => {
  const at = Date.parse('2026-05-01T00:00:00Z');
  assert.equal(indicatorValidAt({ valid_from: null, valid_until: '2026-05-01T00:00:00Z' }, at), false);
  assert.equal(indicatorValidAt({ valid_from: '2026-05-01T00:00:00Z', valid_until: null }, at), true);
  assert.equal(indicatorValidAt({ valid_from: '2026-05-01T00:00:01Z', valid_until: null }, at), false);
});

test('the matcher finds indicators in event fields and the alert carries the indicator', () => {
  const matcher = new IntelMatcher([{ path: 'original.DestinationHostname', kind: 'domain' }]);
  const indicator: Indicator = { ...toIndicator({ type: 'domain', value: 'evil.example', source: 'isac', confidence: 90, tags: ['attack.t1071.004'] }, defaults, NOW), sightings: 0, last_sighting: null };
  matcher.add(indicator);
  const event = { id: 'e1', '@timestamp': '2026-05-01T10:00:00.000Z', input: { type: 'http', name: 'http' }, host: { name: 'ws-1' }, original: { DestinationHostname: 'cdn.EVIL.example' } } as unknown as VigilEvent;
  const miss = { ...event, id: 'e2', original: { DestinationHostname: 'evil.example.org' } } as unknown as VigilEvent;
  const hits = matcher.hits([event, miss]);
  assert.equal(hits.length, 1);
  assert.equal(hits[0]!.field, 'original.DestinationHostname');
  const alert = intelAlert(hits[0]!, indicator, NOW);
  assert.equal(alert.source, 'intel');
  assert.equal(alert.rule.level, 'high');
  assert.deepEqual(alert.indicator, { confidence: 90, value: 'evil.example', type: 'domain', source: 'isac' });
  assert.deepEqual(alert.attack.tactics, ['command-and-control'], 'the indicator’s own ATT&CK tag wins');
  assert.deepEqual(alert.attack.techniques, ['T1071.004']);
  assert.equal(alert.first_seen, '2026-05-01T10:00:00.000Z');
  assert.ok(matcher.remove(indicator.id));
  assert.equal(matcher.hits([event]).length, 0);
});

test('watchlists: checked, and found by entity without case (users also by bare name)', () => {
  const vip = toWatchlist('vip-users', { kind: 'user', entries: ['CORP\\Ceo', 'cfo@corp.example'], weight: 1 }, NOW, null);
  const scanners = toWatchlist('scanners', { kind: 'ip', entries: ['198.51.100.5'], weight: 0 }, NOW, null);
  assert.throws(() => toWatchlist('Bad Name', { entries: [] }, NOW, null), /name/);
  assert.throws(() => toWatchlist('x', { entries: [''] }, NOW, null), /entries/);
  assert.throws(() => toWatchlist('x', { entries: ['a'], weight: 2 }, NOW, null), /weight/);
  const index = new WatchlistIndex([vip, scanners]);
  assert.deepEqual(index.of({ hosts: [], users: ['ceo'], ips: [] }), [{ name: 'vip-users', weight: 1, entity: 'ceo' }]);
  assert.deepEqual(index.of({ hosts: [], users: ['CFO'], ips: ['198.51.100.5'] }).map((l) => l.name), ['vip-users', 'scanners']);
  assert.deepEqual(index.of({ hosts: ['198.51.100.5'], users: [], ips: [] }), [], 'an ip list does not hold hosts');
  assert.deepEqual(index.placeholders(), { 'vip-users': ['CORP\\Ceo', 'cfo@corp.example'], scanners: ['198.51.100.5'] });
});
