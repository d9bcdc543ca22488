/** Threat-intel importers: STIX 2.1 bundles (and their patterns), MISP events, CSV and plain lists. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ImportFormatError } from './import-result.ts';
import { indicatorsFromStixObjects, parseStixBundle, parseStixPattern, StixPatternError, translateStixPattern } from './stix.ts';
import { parseMispEvent } from './misp.ts';
import { parseIndicatorCsv } from './csv.ts';
import { inferIndicatorType, parseIndicatorLines } from './lines.ts';

const FIXTURES = new URL('../../../test/fixtures/intel/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8');

/** The thrown error, checked to be an ImportFormatError. */
function formatError(fn: () => unknown): ImportFormatError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ImportFormatError, `expected ImportFormatError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected an ImportFormatError, nothing was thrown');
}

describe('STIX 2.1 patterns', () => {
  it('parses observation and comparison expressions with AND binding tighter than OR', () => {
    const tree = parseStixPattern("[a:b = 'x' OR a:c = 'y' AND a:d = 'z']");
    assert.equal(tree.kind, 'observation');
    assert.ok(tree.kind === 'observation');
    assert.equal(tree.comparison.kind, 'or');
    assert.ok(tree.comparison.kind === 'or');
    assert.equal(tree.comparison.right.kind, 'and');
    const grouped = parseStixPattern("[(a:b = 'x' OR a:c = 'y') AND a:d = 'z']");
    assert.ok(grouped.kind === 'observation');
    assert.equal(grouped.comparison.kind, 'and');
  });

  it('reads quoted path steps, list indexes and escaped strings', () => {
    const tree = parseStixPattern("[email-message:to_refs[*].value = 'it\\'s \\\\ here' AND file:hashes.'SHA-256' = 'ab']");
    assert.ok(tree.kind === 'observation' && tree.comparison.kind === 'and');
    const left = tree.comparison.left;
    assert.ok(left.kind === 'test');
    assert.deepEqual(left.path, {
      objectType: 'email-message',
      steps: [
        { kind: 'property', name: 'to_refs', quoted: false },
        { kind: 'index', index: '*' },
        { kind: 'property', name: 'value', quoted: false },
      ],
    });
    assert.deepEqual(left.value, { kind: 'string', value: "it's \\ here" });
    const right = tree.comparison.right;
    assert.ok(right.kind === 'test');
    assert.deepEqual(right.path.steps[1], { kind: 'property', name: 'SHA-256', quoted: true });
  });

  it('parses qualifiers, FOLLOWEDBY and the other operators and literals', () => {
    const tree = parseStixPattern(
      "([a:b = 1] AND [a:c != true]) FOLLOWEDBY [a:d IN ('x', 'y')] WITHIN 300 SECONDS REPEATS 2 TIMES START t'2024-01-01T00:00:00Z' STOP t'2024-02-01T00:00:00Z'",
    );
    assert.equal(tree.kind, 'followedby');
    assert.ok(tree.kind === 'followedby');
    assert.equal(tree.left.kind, 'and');
    assert.ok(tree.right.kind === 'qualified');
    assert.deepEqual(tree.right.qualifier, { kind: 'START', start: '2024-01-01T00:00:00Z', stop: '2024-02-01T00:00:00Z' });
  });

  it('reports syntax errors with their position', () => {
    const cases: Array<[string, number, RegExp]> = [
      ["[ipv4-addr:value = '1.2.3.4'", 29, /expected '\]'/],
      ["[ipv4-addr:value = '1.2.3.4' AND]", 33, /expected an object path/],
      ["[ipv4-addr:value = 'unterminated]", 20, /string not closed/],
      ["[ipv4-addr:value '1.2.3.4']", 18, /comparison operator/],
      ["ipv4-addr:value = '1.2.3.4'", 1, /'\['/],
      ["[file:name = 'a\\nb']", 16, /unknown escape/],
      ["[a:b = 'x'] AND", 16, /'\['/],
    ];
    for (const [pattern, position, message] of cases) {
      assert.throws(
        () => parseStixPattern(pattern),
        (err: unknown) => err instanceof StixPatternError && err.position === position && message.test(err.message),
        pattern,
      );
    }
  });

  it('translates the supported paths, hash spellings and ip/cidr', () => {
    assert.deepEqual(
      translateStixPattern(
        "[file:hashes.MD5 = 'a' OR file:hashes.'SHA-1' = 'b' OR file:hashes.SHA1 = 'c' OR file:hashes.'SHA256' = 'd' OR file:hashes.sha-256 = 'e' OR file:name = 'f.exe']",
      ),
      {
        values: [
          { type: 'md5', value: 'a' },
          { type: 'sha1', value: 'b' },
          { type: 'sha1', value: 'c' },
          { type: 'sha256', value: 'd' },
          { type: 'sha256', value: 'e' },
          { type: 'filename', value: 'f.exe' },
        ],
        dropped: [],
      },
    );
    assert.deepEqual(
      translateStixPattern(
        "[ipv4-addr:value = '10.1.2.3'] OR [ipv6-addr:value = '2001:db8::/32'] OR [email-addr:value = 'a@b.example'] OR [user-account:user_id = '1001'] OR [network-traffic:dst_ref.value = '198.51.100.5'] OR [network-traffic:src_ref.value = 'c2.example'] OR [url:value = 'http://x.example/'] OR [ipv4-addr:value = '10.1.2.3']",
      ),
      {
        values: [
          { type: 'ip', value: '10.1.2.3' },
          { type: 'cidr', value: '2001:db8::/32' },
          { type: 'email', value: 'a@b.example' },
          { type: 'user', value: '1001' },
          { type: 'ip', value: '198.51.100.5' },
          { type: 'domain', value: 'c2.example' },
          { type: 'url', value: 'http://x.example/' },
        ],
        dropped: [],
      },
    );
  });

  it('keeps only the hashes of an AND, and refuses an AND without one', () => {
    assert.deepEqual(translateStixPattern("[file:hashes.MD5 = 'aa' AND file:name = 'x.exe' AND file:size = 1024]"), {
      values: [{ type: 'md5', value: 'aa' }],
      dropped: ["file:name = 'x.exe'", 'file:size = 1024'],
    });
    assert.equal(translateStixPattern("[ipv4-addr:value = '1.2.3.4' AND domain-name:value = 'x.example']"), 'AND of non-hash comparisons cannot be matched per field');
    assert.equal(translateStixPattern("[ipv4-addr:value = '1.2.3.4'] AND [domain-name:value = 'x.example']"), 'AND of non-hash comparisons cannot be matched per field');
  });

  it('names what it cannot match', () => {
    assert.match(translateStixPattern("[url:value MATCHES '^http://']") as string, /operator MATCHES/);
    assert.match(translateStixPattern("[ipv4-addr:value NOT = '1.2.3.4']") as string, /operator NOT = \(at character 18\)/);
    assert.match(translateStixPattern("[ipv4-addr:value ISSUBSET '10.0.0.0/8']") as string, /operator ISSUBSET/);
    assert.match(translateStixPattern("[domain-name:value != 'x']") as string, /operator !=/);
    assert.match(translateStixPattern("[a:b = 'x'] REPEATS 5 TIMES") as string, /qualifier REPEATS/);
    assert.match(translateStixPattern("[a:b = 'x'] WITHIN 60 SECONDS") as string, /qualifier WITHIN/);
    assert.match(translateStixPattern("[a:b = 'x'] FOLLOWEDBY [a:c = 'y']") as string, /FOLLOWEDBY/);
    assert.equal(translateStixPattern("[process:name = 'evil.exe']"), 'object path process:name is not supported');
    assert.equal(translateStixPattern("[file:hashes.'SHA-512' = 'ab']"), "object path file:hashes.'SHA-512' is not supported");
    assert.match(translateStixPattern('[ipv4-addr:value = 16909060]') as string, /compared with a number/);
  });
});

describe('STIX 2.1 bundles', () => {
  const result = parseStixBundle(fixture('stix-bundle.json'), 'partner-taxii');
  const byExternal = (id: string) => result.indicators.filter((i) => i.external_id === id);

  it('imports the stix indicators, one per value, with their metadata', () => {
    assert.deepEqual(byExternal('indicator--a932fcc6-e032-476c-826f-cb970a5a1ade'), [
      {
        type: 'ip',
        value: '198.51.100.23',
        source: 'partner-taxii',
        external_id: 'indicator--a932fcc6-e032-476c-826f-cb970a5a1ade',
        confidence: 85,
        severity: 'high',
        tags: ['c2', 'cobalt-strike', 'malicious-activity'],
        valid_from: '2024-03-01T10:12:00Z',
        valid_until: '2024-06-01T00:00:00Z',
        description: 'Cobalt Strike team server: Beacon C2 observed in the February campaign.',
      },
    ]);
    assert.deepEqual(
      result.indicators.map((i) => `${i.type} ${i.value}`),
      [
        'ip 198.51.100.23',
        'cidr 2001:db8:dead::/48',
        'domain update-check.example.net',
        'url http://malware.example.com/payload/stage2.bin',
        'sha256 4bac27393bdd9777ce02453256c5577cd02275510b2227f473d03f533924f877',
        'domain c2.badactor.example',
        'domain c2b.badactor.example',
        'ip 203.0.113.77',
        'md5 79054025255fb1a26e4bc422aef54eb4',
        'email billing@phish.example',
        'user svc_backup',
      ],
    );
  });

  it('derives severity from confidence unless a custom property states it', () => {
    const severity = (id: string) => byExternal(id).map((i) => [i.confidence, i.severity]);
    assert.deepEqual(severity('indicator--1a6c2b4e-7d1b-4a1e-9d0c-2f6e8b1c3d5a'), [[60, 'critical']]);
    assert.deepEqual(severity('indicator--3e5f7a9b-1c2d-4e6f-8a0b-c1d2e3f4a5b6'), [[30, 'low']]);
    assert.deepEqual(severity('indicator--0b7e3c55-6f2a-4d8e-9b1f-7a4c2e9d8f10'), [
      [70, 'medium'],
      [70, 'medium'],
      [70, 'medium'],
    ]);
    // The thresholds themselves: 80 is high, 50 is medium.
    assert.deepEqual(severity('indicator--6c4f1d2e-3b5a-4978-8e0d-1f2a3b4c5d6e'), [[80, 'high']]);
    assert.deepEqual(severity('indicator--c0ffee00-1234-4abc-8def-0123456789ab'), [
      [50, 'medium'],
      [50, 'medium'],
    ]);
    const url = byExternal('indicator--d81f86b9-975b-4c0b-875e-810c5ad45a4f')[0]!;
    assert.equal(url.confidence, undefined);
    assert.equal(url.severity, undefined);
  });

  it('notes the constraints an AND loses', () => {
    const [dropper] = byExternal('indicator--6c4f1d2e-3b5a-4978-8e0d-1f2a3b4c5d6e');
    assert.equal(dropper!.type, 'md5');
    assert.equal(dropper!.description, "Dropper attachment (pattern constraints dropped, only the hash is matched: file:name = 'invoice_2024-03.pdf.exe')");
  });

  it('reads an indicator without pattern_type as stix, and skips revoked ones', () => {
    assert.deepEqual(
      byExternal('indicator--c0ffee00-1234-4abc-8def-0123456789ab').map((i) => i.tags),
      [['phishing'], ['phishing']],
    );
    assert.deepEqual(byExternal('indicator--7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e'), []);
    assert.ok(!result.unsupported.some((u) => u.where === 'bundle.objects[12]'));
  });

  it('lists what it cannot match with the reason, and rejects nothing', () => {
    assert.deepEqual(
      result.unsupported.map((u) => [u.where, u.reason]),
      [
        ['bundle.objects[9]', 'FOLLOWEDBY (a sequence of observations) is not supported'],
        ['bundle.objects[10]', 'operator LIKE (at character 12) is not supported: only = comparisons can be matched'],
        ['bundle.objects[11]', 'pattern_type "snort" is not supported (only stix)'],
        ['bundle.objects[13]', "pattern syntax error at character 36: expected an object path (object-type:property), found \"]\""],
      ],
    );
    assert.equal(result.unsupported[3]!.pattern, "[ipv4-addr:value = '192.0.2.50' AND]");
    assert.deepEqual(result.rejected, []);
  });

  it('throws on a malformed bundle and imports nothing', () => {
    const err = formatError(() => parseStixBundle(fixture('stix-bundle-malformed.json'), 'x'));
    assert.equal(err.where, 'bundle.objects[2].pattern');
    assert.equal(err.message, 'bundle.objects[2].pattern: missing');
  });

  it('throws on structural problems', () => {
    const bundle = (objects: unknown) => ({ type: 'bundle', id: 'bundle--1', objects });
    const ind = (extra: Record<string, unknown>) => ({ type: 'indicator', id: 'indicator--1', pattern: "[url:value = 'http://x/']", ...extra });
    const cases: Array<[unknown, string]> = [
      ['{"type": "bundle", "objects": [', 'bundle'],
      [bundle({ not: 'a list' }), 'bundle.objects'],
      [{ type: 'indicator', id: 'indicator--1', pattern: "[url:value = 'x']" }, 'bundle.type'],
      [{ type: 'bundle', id: 'report--1', objects: [] }, 'bundle.id'],
      [{ spec_version: '2.1' }, 'bundle'],
      ['"just a string"', 'bundle'],
      [bundle(['indicator--1']), 'bundle.objects[0]'],
      [bundle([{ id: 'x--1' }]), 'bundle.objects[0].type'],
      [bundle([ind({ id: undefined })]), 'bundle.objects[0].id'],
      [bundle([ind({ id: 'malware--1' })]), 'bundle.objects[0].id'],
      [bundle([ind({ pattern: 42 })]), 'bundle.objects[0].pattern'],
      [bundle([ind({ confidence: 'high' })]), 'bundle.objects[0].confidence'],
      [bundle([ind({ labels: 'c2' })]), 'bundle.objects[0].labels'],
      [bundle([ind({ indicator_types: [1] })]), 'bundle.objects[0].indicator_types'],
      [bundle([ind({ valid_from: 1709290800 })]), 'bundle.objects[0].valid_from'],
      [bundle([ind({ revoked: 'yes' })]), 'bundle.objects[0].revoked'],
      [bundle([ind({ pattern_type: ['stix'] })]), 'bundle.objects[0].pattern_type'],
      [bundle([ind({}), ind({ name: 7, revoked: true })]), 'bundle.objects[1].name'],
    ];
    for (const [input, where] of cases) {
      const err = formatError(() => parseStixBundle(input, 'x'));
      assert.equal(err.where, where, JSON.stringify(input));
    }
  });

  it('rejects an indicator with a bad value and keeps the others', () => {
    const objects = [
      { type: 'indicator', id: 'indicator--1', pattern: "[domain-name:value = 'a.example']", confidence: 150 },
      { type: 'indicator', id: 'indicator--2', pattern: "[domain-name:value = 'b.example']", valid_from: 'last tuesday' },
      { type: 'indicator', id: 'indicator--3', pattern: "[domain-name:value = 'c.example']", x_vigil_severity: 'urgent' },
      { type: 'indicator', id: 'indicator--4', pattern: "[domain-name:value = 'd.example']", confidence: 10, x_acme_severity: 'High' },
    ];
    const r = parseStixBundle({ type: 'bundle', id: 'bundle--2', objects }, 'feed');
    assert.deepEqual(r.rejected, [
      { where: 'bundle.objects[0]', reason: 'confidence: 150 is not a confidence 0-100' },
      { where: 'bundle.objects[1]', reason: 'valid_from: "last tuesday" is not an ISO 8601 date' },
      { where: 'bundle.objects[2]', reason: 'x_vigil_severity: "urgent" is not an alert level' },
    ]);
    assert.deepEqual(
      r.indicators.map((i) => [i.value, i.severity]),
      [['d.example', 'high']],
    );
  });

  it('accepts a bare list of objects and a TAXII envelope', () => {
    const objects = JSON.parse(fixture('stix-bundle.json')).objects as unknown[];
    const fromArray = parseStixBundle(objects, 'feed');
    const fromEnvelope = parseStixBundle(JSON.stringify({ more: false, objects }), 'feed');
    assert.equal(fromArray.indicators.length, result.indicators.length);
    assert.deepEqual(fromEnvelope.indicators, fromArray.indicators);
    assert.equal(fromArray.unsupported[0]!.where, 'objects[9]');
    assert.equal(fromEnvelope.unsupported[0]!.where, 'envelope.objects[9]');
    const direct = indicatorsFromStixObjects(objects.slice(2, 3), 'taxii', 'page[0].objects');
    assert.deepEqual(
      direct.indicators.map((i) => [i.value, i.source]),
      [['198.51.100.23', 'taxii']],
    );
    assert.equal(formatError(() => indicatorsFromStixObjects([null], 'taxii', 'page[1].objects')).where, 'page[1].objects[0]');
  });
});

describe('MISP events', () => {
  const result = parseMispEvent(fixture('misp-event.json'), 'misp-partner');
  const byUuid = (uuid: string) => result.indicators.filter((i) => i.external_id === uuid);

  it('imports the attributes marked for IDS, event and object ones', () => {
    assert.deepEqual(
      result.indicators.map((i) => `${i.type} ${i.value}`),
      [
        'ip 203.0.113.45',
        'ip 198.51.100.7',
        'domain login-microsoft.example.com',
        'ip 192.0.2.200',
        'url https://login-microsoft.example.com/owa/auth.php',
        'sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
        'email hr-department@phish.example',
        'md5 5d41402abc4b2a76b9719d911017c592',
        'sha1 aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d',
        'domain mail.phish.example',
        'cidr 192.0.2.0/24',
      ],
    );
  });

  it('maps metadata from the event and the attribute', () => {
    assert.deepEqual(byUuid('a1b2c3d4-0001-4e5f-8a9b-0c1d2e3f4a01'), [
      {
        type: 'ip',
        value: '203.0.113.45',
        source: 'misp-partner',
        confidence: 60,
        severity: 'medium',
        tags: ['tlp:amber', 'type:OSINT'],
        description: 'Credential exfiltration endpoint',
        external_id: 'a1b2c3d4-0001-4e5f-8a9b-0c1d2e3f4a01',
      },
    ]);
    const [domain, ip] = byUuid('a1b2c3d4-0003-4e5f-8a9b-0c1d2e3f4a03');
    assert.equal(domain!.description, 'Phishing landing page host');
    assert.equal(ip!.external_id, 'a1b2c3d4-0003-4e5f-8a9b-0c1d2e3f4a03');
    // An empty comment falls back to the event's info.
    assert.equal(byUuid('a1b2c3d4-0002-4e5f-8a9b-0c1d2e3f4a02')[0]!.description, 'Phishing campaign impersonating Microsoft 365 login');
  });

  it('takes confidence from confidence tags before the threat level', () => {
    const url = byUuid('a1b2c3d4-0005-4e5f-8a9b-0c1d2e3f4a05')[0]!;
    assert.equal(url.confidence, 90);
    assert.equal(url.severity, 'medium');
    assert.deepEqual(url.tags, ['tlp:amber', 'type:OSINT', 'estimative-language:confidence-in-analytic-judgment="high"', 'kill-chain:Delivery']);
    assert.equal(byUuid('c1d2e3f4-0011-4a5b-8c6d-7e8f9a0b1c11')[0]!.confidence, 50);
  });

  it('takes valid_from from first_seen and leaves valid_until open', () => {
    const email = byUuid('a1b2c3d4-0009-4e5f-8a9b-0c1d2e3f4a09')[0]!;
    assert.equal(email.valid_from, '2024-02-28T08:15:00.000000+00:00');
    assert.equal(email.valid_until, undefined);
  });

  it('lists unsupported types and skips deleted, non-IDS and link attributes', () => {
    assert.deepEqual(result.unsupported, [{ where: 'Event.Attribute[7]', reason: 'attribute type "regkey" is not supported' }]);
    assert.deepEqual(result.rejected, []);
    assert.ok(!result.indicators.some((i) => ['cdn-update.example.org', '00000000000000000000000000000000', 'OneDriveUpdate.exe'].includes(i.value)));
  });

  it('maps threat levels and the other attribute types', () => {
    const event = (threat: string | undefined, Attribute: unknown[], Tag: unknown[] = []) => ({ Event: { info: 'test', threat_level_id: threat, Tag, Attribute } });
    const attr = (type: string, value: string, extra: Record<string, unknown> = {}) => ({ type, value, to_ids: true, uuid: `u-${type}`, ...extra });
    const levels = ['1', '2', '3', '4'].map((t) => {
      const i = parseMispEvent(event(t, [attr('domain', 'x.example')]), 'm').indicators[0]!;
      return [i.confidence, i.severity];
    });
    assert.deepEqual(levels, [
      [80, 'high'],
      [60, 'medium'],
      [40, 'low'],
      [50, 'low'],
    ]);
    const r = parseMispEvent(
      JSON.stringify(
        event(
          undefined,
          [
            attr('ip-src', '10.0.0.0/8', { to_ids: 'true' }),
            attr('ip-src|port', '2001:db8::5|443', { to_ids: 1 }),
            attr('hostname', 'h.example'),
            attr('sha1', 'ab'.repeat(20)),
            attr('filename|md5', 'a.exe|' + 'c'.repeat(32)),
            attr('filename|sha1', 'b.exe|' + 'd'.repeat(40)),
            attr('filename', 'evil.dll'),
            attr('email-dst', 'to@x.example'),
            attr('email', 'any@x.example'),
            attr('target-user', 'jdoe'),
            attr('github-username', 'octo-evil'),
            attr('uri', '/gate.php'),
            attr('link', 'https://ref.example/'),
            attr('md5', 'e'.repeat(32), { to_ids: '0' }),
            attr('domain|ip', 'no-pipe.example'),
            attr('url', 'http://y.example/', { first_seen: 'soon' }),
          ],
          [{ name: 'misp:confidence-level="usually-confident"' }],
        ),
      ),
      'm',
    );
    assert.deepEqual(
      r.indicators.map((i) => [i.type, i.value, i.confidence, i.severity]),
      [
        ['cidr', '10.0.0.0/8', 75, undefined],
        ['ip', '2001:db8::5', 75, undefined],
        ['domain', 'h.example', 75, undefined],
        ['sha1', 'ab'.repeat(20), 75, undefined],
        ['md5', 'c'.repeat(32), 75, undefined],
        ['sha1', 'd'.repeat(40), 75, undefined],
        ['filename', 'evil.dll', 75, undefined],
        ['email', 'to@x.example', 75, undefined],
        ['email', 'any@x.example', 75, undefined],
        ['user', 'jdoe', 75, undefined],
        ['user', 'octo-evil', 75, undefined],
      ],
    );
    assert.deepEqual(r.unsupported, [{ where: 'Event.Attribute[11]', reason: 'attribute type "uri" is not supported' }]);
    assert.deepEqual(r.rejected, [
      { where: 'Event.Attribute[14]', reason: 'value: "no-pipe.example" is not a "domain|ip" pair' },
      { where: 'Event.Attribute[15]', reason: 'first_seen: "soon" is not an ISO 8601 date' },
    ]);
  });

  it('accepts the REST response and a list of events', () => {
    const single = JSON.parse(fixture('misp-event.json')) as { Event: unknown };
    const fromResponse = parseMispEvent({ response: [single, single] }, 'misp-partner');
    assert.equal(fromResponse.indicators.length, 2 * result.indicators.length);
    assert.equal(fromResponse.unsupported[1]!.where, 'response[1].Event.Attribute[7]');
    const fromList = parseMispEvent(JSON.stringify([single]), 'misp-partner');
    assert.deepEqual(fromList.indicators, result.indicators);
    assert.equal(fromList.unsupported[0]!.where, '[0].Event.Attribute[7]');
  });

  it('throws on a malformed export', () => {
    const cases: Array<[unknown, string]> = [
      ['{"Event": ', 'misp'],
      [{ event: {} }, 'misp'],
      [{ response: { Event: {} } }, 'response'],
      [[{ Event: {} }, { Attribute: [] }], '[1]'],
      [{ Event: 'x' }, 'Event'],
      [{ Event: { Attribute: {} } }, 'Event.Attribute'],
      [{ Event: { Attribute: [{ type: 'ip-dst', to_ids: true }] } }, 'Event.Attribute[0].value'],
      [{ Event: { Attribute: [{ value: '1.2.3.4', to_ids: true }] } }, 'Event.Attribute[0].type'],
      [{ Event: { Attribute: [{ type: 'ip-dst', value: '1.2.3.4', to_ids: 'maybe' }] } }, 'Event.Attribute[0].to_ids'],
      [{ Event: { threat_level_id: '9', Attribute: [] } }, 'Event.threat_level_id'],
      [{ Event: { Tag: [{ colour: '#fff' }] } }, 'Event.Tag[0]'],
      [{ Event: { Object: [{ Attribute: [null] }] } }, 'Event.Object[0].Attribute[0]'],
    ];
    for (const [input, where] of cases) {
      assert.equal(formatError(() => parseMispEvent(input, 'm')).where, where, JSON.stringify(input));
    }
  });
});

describe('CSV indicators', () => {
  const result = parseIndicatorCsv(fixture('indicators.csv'), 'csv-upload');

  it('imports the good rows with their columns', () => {
    assert.deepEqual(result.indicators[0], {
      type: 'ip',
      value: '203.0.113.9',
      source: 'partner-isac',
      confidence: 90,
      severity: 'high',
      tags: ['c2', 'cobalt-strike'],
      valid_from: '2024-03-01T00:00:00Z',
      valid_until: '2024-06-01T00:00:00Z',
      description: 'Cobalt Strike team server',
    });
    assert.deepEqual(result.indicators[1], {
      type: 'domain',
      value: 'bad-login.example.com',
      source: 'csv-upload',
      confidence: 70,
      tags: ['phishing', 'credential-theft'],
      valid_from: '2024-03-02',
      description: 'Phishing kit, fake O365 login',
    });
    assert.deepEqual(
      result.indicators.map((i) => [i.type, i.value, i.severity ?? null]),
      [
        ['ip', '203.0.113.9', 'high'],
        ['domain', 'bad-login.example.com', null],
        ['ip', '45.33.32.156', null],
        ['sha256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'critical'],
        ['domain', 'cdn-cache.example.org', 'low'],
      ],
    );
    assert.equal(result.indicators[3]!.description, 'Locker payload\r\nseen on two hosts');
  });

  it('rejects bad rows by physical line, naming the column', () => {
    assert.deepEqual(result.rejected, [
      { where: 'line 4', reason: 'confidence: "150" is not a confidence 0-100' },
      { where: 'line 9', reason: 'severity: "urgent" is not an alert level' },
      { where: 'line 10', reason: 'valid_from: "yesterday" is not an ISO 8601 date' },
      { where: 'line 12', reason: `type: "banana" is not an indicator type (ip, cidr, domain, url, md5, sha1, sha256, email, user, filename)` },
    ]);
    assert.deepEqual(result.unsupported, []);
  });

  it('uses the default type, or infers it, without a type column', () => {
    const text = 'IOC,comment\n198.51.100.0/24,x\nfoo.example\n???\n';
    assert.deepEqual(
      parseIndicatorCsv(text, 's', { type: 'domain' }).indicators.map((i) => [i.type, i.value]),
      [
        ['domain', '198.51.100.0/24'],
        ['domain', 'foo.example'],
        ['domain', '???'],
      ],
    );
    const inferred = parseIndicatorCsv(text, 's');
    assert.deepEqual(
      inferred.indicators.map((i) => [i.type, i.value]),
      [
        ['cidr', '198.51.100.0/24'],
        ['domain', 'foo.example'],
      ],
    );
    assert.deepEqual(inferred.rejected, [{ where: 'line 4', reason: 'value: cannot tell the indicator type of "???" (no type given)' }]);
    assert.deepEqual(
      parseIndicatorCsv('observable,type\n1.2.3.4/32,IP\n,md5\n', 's').indicators.map((i) => i.type),
      ['cidr'],
    );
    assert.deepEqual(parseIndicatorCsv('observable,type\n1.2.3.4/32,IP\n,md5\n', 's').rejected, [{ where: 'line 3', reason: 'value: empty' }]);
  });

  it('throws without a value column, a header, or with a broken file', () => {
    assert.equal(formatError(() => parseIndicatorCsv('type,confidence\nip,50\n', 's')).where, 'line 1');
    assert.match(formatError(() => parseIndicatorCsv('type,confidence\nip,50\n', 's')).message, /no value column/);
    assert.match(formatError(() => parseIndicatorCsv('', 's')).message, /no header/);
    assert.match(formatError(() => parseIndicatorCsv('value,ioc\na,b\n', 's')).message, /"value" and "ioc" both give the value/);
    assert.match(formatError(() => parseIndicatorCsv('value\n"unclosed\n', 's')).message, /not closed/);
  });
});

describe('plain lists', () => {
  it('imports one value per line, inferring the type and skipping comments', () => {
    const r = parseIndicatorLines(fixture('blocklist.txt'), 'example-feed');
    assert.deepEqual(
      r.indicators.map((i) => [i.type, i.value]),
      [
        ['ip', '198.51.100.14'],
        ['cidr', '198.51.100.0/24'],
        ['domain', 'evil-login.example.net'],
        ['url', 'hxxp://payload.example.com/drop.exe'],
        ['url', 'http://payload.example.com/drop2.exe#frag'],
        ['md5', 'D41D8CD98F00B204E9800998ECF8427E'],
        ['sha1', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
        ['sha256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
        ['ip', '2001:db8::bad'],
        ['email', 'phisher@mail.example'],
      ],
    );
    assert.ok(r.indicators.every((i) => i.source === 'example-feed'));
    assert.deepEqual(r.rejected, [
      { where: 'line 15', reason: 'cannot tell the indicator type of "not a value"' },
      { where: 'line 16', reason: 'cannot tell the indicator type of "???"' },
    ]);
  });

  it('uses the given type for every line', () => {
    const r = parseIndicatorLines('\uFEFFsvc_backup\r\n# admins\r\nroot  # really\r\n\r\n', 'hr', 'user');
    assert.deepEqual(
      r.indicators.map((i) => [i.type, i.value]),
      [
        ['user', 'svc_backup'],
        ['user', 'root'],
      ],
    );
    assert.deepEqual(
      parseIndicatorLines('10.0.0.1\n10.0.0.0/8\n', 's', 'ip').indicators.map((i) => i.type),
      ['ip', 'cidr'],
    );
  });

  it('infers types', () => {
    const cases: Array<[string, string | null]> = [
      ['192.0.2.1', 'ip'],
      ['256.1.1.1', null],
      ['10.0.0.0/33', null],
      ['::1', 'ip'],
      ['fe80::/10', 'cidr'],
      ['a'.repeat(32), 'md5'],
      ['A'.repeat(40), 'sha1'],
      ['0'.repeat(64), 'sha256'],
      ['0'.repeat(50), null],
      ['https://x.example/a?b=c', 'url'],
      ['ftp://files.example', 'url'],
      ['user@example.org', 'email'],
      ['sub.example.co.uk', 'domain'],
      ['evil[.]example[.]com', 'domain'],
      ['xn--80ak6aa92e.xn--p1ai', 'domain'],
      ['localhost', null],
      ['1.2.3', null],
      ['has space.example', null],
      ['', null],
    ];
    for (const [value, type] of cases) assert.equal(inferIndicatorType(value), type, value);
  });
});
