import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VigilError } from '../core/index.ts';
import { compileMatchers, compileMatcherStrings, formatMatcher, matcherFromApi, parseMatcher, parseMatchers } from './matchers.ts';

const rejects = (fn: () => unknown, field: string, message: RegExp, position?: number) =>
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof VigilError, String(e));
    assert.equal(e.status, 400);
    assert.equal(e.code, 'invalid_matcher');
    assert.equal(e.field, field);
    assert.match(e.message, message);
    if (position !== undefined) assert.equal(e.details?.position, position);
    return true;
  });

test('parses the four operators, quoted and unquoted', () => {
  assert.deepEqual(parseMatcher('severity="critical"'), { name: 'severity', op: '=', value: 'critical' });
  assert.deepEqual(parseMatcher('severity=critical'), { name: 'severity', op: '=', value: 'critical' });
  assert.deepEqual(parseMatcher('env!="prod"'), { name: 'env', op: '!=', value: 'prod' });
  assert.deepEqual(parseMatcher('rule_id=~"win_.*"'), { name: 'rule_id', op: '=~', value: 'win_.*' });
  assert.deepEqual(parseMatcher('host.name!~"db.*"'), { name: 'host.name', op: '!~', value: 'db.*' });
  assert.deepEqual(parseMatcher('  a  =  " b "  '), { name: 'a', op: '=', value: ' b ' });
  assert.deepEqual(parseMatcher('foo=""'), { name: 'foo', op: '=', value: '' });
  assert.deepEqual(parseMatcher('foo='), { name: 'foo', op: '=', value: '' });
});

test('unescapes \\" \\\\ and \\n, and keeps other backslashes for regexes', () => {
  assert.equal(parseMatcher('msg="say \\"hi\\""').value, 'say "hi"');
  assert.equal(parseMatcher('path="C:\\\\Windows"').value, 'C:\\Windows');
  assert.equal(parseMatcher('m="a\\nb"').value, 'a\nb');
  assert.equal(parseMatcher('n=~"\\d+"').value, '\\d+');
});

test('errors name the problem and its position', () => {
  rejects(() => parseMatcher('="x"'), 'matcher', /expected a label name at position 0/, 0);
  rejects(() => parseMatcher('1abc="x"'), 'matcher', /label name/, 0);
  rejects(() => parseMatcher('foo>"x"'), 'matcher', /expected =, !=, =~ or !~ .*position 3/, 3);
  rejects(() => parseMatcher('foo="abc'), 'matcher', /unterminated quoted value opened at position 4/, 4);
  rejects(() => parseMatcher('foo="a\\"'), 'matcher', /unterminated/, 4);
  rejects(() => parseMatcher('foo="a" b'), 'matcher', /unexpected text after the quoted value at position 8/, 8);
  rejects(() => parseMatcher('foo=a"b'), 'matcher', /double quote at position 5/, 5);
  rejects(() => parseMatchers(['a="1"', 'b~"2"'], 'triage.route.matchers'), 'triage.route.matchers[1]', /^triage\.route\.matchers\[1\]: /);
});

test('reads the Alertmanager API object form', () => {
  assert.deepEqual(matcherFromApi({ name: 'a', value: 'x', isRegex: false, isEqual: true }), { name: 'a', op: '=', value: 'x' });
  assert.deepEqual(matcherFromApi({ name: 'a', value: 'x', isRegex: false, isEqual: false }), { name: 'a', op: '!=', value: 'x' });
  assert.deepEqual(matcherFromApi({ name: 'a', value: 'x.*', isRegex: true }), { name: 'a', op: '=~', value: 'x.*' });
  assert.deepEqual(matcherFromApi({ name: 'a', value: 'x.*', isRegex: true, isEqual: false }), { name: 'a', op: '!~', value: 'x.*' });
  rejects(() => matcherFromApi({ name: '9', value: 'x', isRegex: false }, 'matchers[2]'), 'matchers[2].name', /label name/);
  rejects(() => matcherFromApi({ name: 'a', value: 1, isRegex: false }), 'matcher.value', /string/);
  rejects(() => matcherFromApi({ name: 'a', value: 'x' }), 'matcher.isRegex', /true or false/);
  rejects(() => matcherFromApi('a=b'), 'matcher', /object/);
});

test('regexes are anchored like Alertmanager', () => {
  const web = compileMatcherStrings(['role=~"web"'], 'm');
  assert.equal(web({ role: 'web' }), true);
  assert.equal(web({ role: 'webserver' }), false);
  assert.equal(web({ role: 'myweb' }), false);
  const alt = compileMatcherStrings(['role=~"web|db"'], 'm');
  assert.equal(alt({ role: 'db' }), true);
  assert.equal(alt({ role: 'dbx' }), false, 'the anchors wrap the whole alternation');
  const notWeb = compileMatcherStrings(['role!~"web.*"'], 'm');
  assert.equal(notWeb({ role: 'webserver' }), false);
  assert.equal(notWeb({ role: 'db' }), true);
  const icase = compileMatcherStrings(['role=~"(?i)web"'], 'm');
  assert.equal(icase({ role: 'WEB' }), true);
  assert.equal(icase({ role: 'WEBSERVER' }), false);
});

test('a missing label equals the empty string', () => {
  const empty = compileMatcherStrings(['foo=""'], 'm');
  assert.equal(empty({}), true);
  assert.equal(empty({ foo: 'x' }), false);
  const required = compileMatcherStrings(['foo!=""'], 'm');
  assert.equal(required({}), false);
  assert.equal(required({ foo: 'x' }), true);
  assert.equal(compileMatcherStrings(['foo=~".*"'], 'm')({}), true);
  assert.equal(compileMatcherStrings(['foo=~".+"'], 'm')({}), false);
  assert.equal(compileMatcherStrings(['foo!="x"'], 'm')({}), true);
  // Inherited properties are not labels.
  assert.equal(compileMatcherStrings(['constructor=""'], 'm')({}), true);
});

test('all matchers must match', () => {
  const both = compileMatcherStrings(['a="1"', 'b=~"2|3"'], 'm');
  assert.equal(both({ a: '1', b: '3' }), true);
  assert.equal(both({ a: '1', b: '4' }), false);
  assert.equal(both({ b: '2' }), false);
  assert.equal(compileMatchers([])({}), true);
});

test('invalid and catastrophic regexes are rejected with the field', () => {
  rejects(() => compileMatcherStrings(['a="1"', 'b=~"(a+)+"'], 'x.matchers'), 'x.matchers[1]', /backtracks catastrophically/);
  rejects(() => compileMatcherStrings(['b=~"[abc"'], 'x'), 'x[0]', /character class/);
  rejects(() => compileMatchers([{ name: 'b', op: '!~', value: '(a|ab)*c' }]), 'matchers[0]', /catastroph/);
  // A pattern that only balances with our wrapper must not escape the anchors.
  rejects(() => compileMatcherStrings(['b=~"a)|(b"'], 'x'), 'x[0]', /regular expression/);
  rejects(() => compileMatcherStrings(['b=~"(?m)a"'], 'x'), 'x[0]', /\(\?m\)/);
});

test('formatMatcher round-trips', () => {
  for (const text of ['a="x"', 'a!="x"', 'a=~"x.*"', 'a!~"\\\\d+"', 'host.name="say \\"hi\\" \\\\ there\\n"']) {
    const m = parseMatcher(text);
    assert.equal(formatMatcher(m), text);
    assert.deepEqual(parseMatcher(formatMatcher(m)), m);
  }
  assert.equal(formatMatcher({ name: 'n', op: '=~', value: '\\d+' }), 'n=~"\\\\d+"');
  assert.deepEqual(parseMatcher(formatMatcher({ name: 'n', op: '=~', value: '\\d+' })).value, '\\d+');
});
