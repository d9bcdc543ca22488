import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import {
  checkRoutingConfig, loadDefaultRoutingFile, mergeRoutingConfigs, parseRoutingYaml, validateRoutingConfig,
  DEFAULT_ROUTING_FILE, RoutingConfigError, type RoutingConfig,
} from './config.ts';
import { DEFAULT_ROUTING } from './default.ts';
import { defaultRoutingYaml } from './default-yaml.ts';

describe('routing configuration', () => {
  it('ships default-logsources.yaml equal to DEFAULT_ROUTING, loadable by the loader', () => {
    assert.deepEqual(loadDefaultRoutingFile(), DEFAULT_ROUTING);
    // And the file is what the writer produces (re-run write-default-yaml.ts after changing default.ts).
    assert.equal(readFileSync(fileURLToPath(DEFAULT_ROUTING_FILE), 'utf8'), defaultRoutingYaml());
  });

  it('accepts the default configuration', () => {
    assert.deepEqual(checkRoutingConfig(DEFAULT_ROUTING), []);
  });

  it('reports every problem with its path', () => {
    const raw = {
      fieldsets: { w: { prefixes: 'x', map: { Image: 3 }, extra: 1 }, loop: { extends: 'loop' } },
      logsources: [
        { id: 'a', product: 'windows', when: [{ conditions: { 'winlog.channel': { exist: true } } }] },
        { id: 'a', category: 'x', fields: 'nope', when: [] },
        { when: [{ conditions: { p: [] }, rename: { Image: 5 } }, { fields: 'w' }] },
        'x',
      ],
      other: true,
    };
    const problems = checkRoutingConfig(raw, 'detection.routing');
    const paths = problems.map((p) => `${p.path}: ${p.message}`);
    for (const expected of [
      'detection.routing.other: unknown key',
      'detection.routing.fieldsets.w.extra: unknown key',
      'detection.routing.fieldsets.w.prefixes: must be a list of strings',
      'detection.routing.fieldsets.w.map.Image: must be a non-empty string or a non-empty list of them',
      'detection.routing.fieldsets.loop.extends: extends itself (cycle)',
      'detection.routing.logsources.0.when.0.conditions.winlog.channel.exist: unknown condition (use exists, not or startswith)',
      "detection.routing.logsources.1.id: duplicate id 'a' (also logsources.0)",
      "detection.routing.logsources.1.fields: unknown fieldset 'nope'",
      'detection.routing.logsources.1.when: must be a non-empty list of branches',
      'detection.routing.logsources.2.id: required',
      'detection.routing.logsources.2: needs at least one of product, category, service',
      'detection.routing.logsources.2.when.0.conditions.p: must not be an empty list',
      'detection.routing.logsources.2.when.0.rename.Image: must be a non-empty string or a non-empty list of them',
      'detection.routing.logsources.2.when.1.conditions: required (use {} to select every event)',
      'detection.routing.logsources.3: must be a mapping',
    ]) {
      assert.ok(paths.includes(expected), `missing problem: ${expected}\ngot:\n${paths.join('\n')}`);
    }
    assert.throws(() => validateRoutingConfig(raw), RoutingConfigError);
  });

  it('parses YAML and names the line of a syntax error', () => {
    const cfg = parseRoutingYaml(`
logsources:
  - id: web
    category: webserver
    when:
      - conditions: { event.dataset: nginx.access }
`);
    assert.equal(cfg.logsources[0].id, 'web');
    assert.throws(
      () => parseRoutingYaml('logsources:\n  - id: [unclosed\n'),
      (e: unknown) => e instanceof RoutingConfigError && /line \d+, column \d+/.test(e.message),
    );
    assert.throws(() => parseRoutingYaml('logsources: 3'), /logsources: must be a list/);
  });

  it('merges: same ids replace, new ids append, fieldset maps combine', () => {
    const extra: RoutingConfig = {
      fieldsets: { windows: { map: { Image: 'process.executable' } }, mine: { map: { X: 'y' } } },
      logsources: [
        { id: 'windows/service/security', product: 'windows', service: 'security', when: [{ conditions: { 'winlog.channel': 'Sec2' } }] },
        { id: 'custom', product: 'acme', when: [{ conditions: { 'event.module': 'acme' } }] },
      ],
    };
    const m = mergeRoutingConfigs(DEFAULT_ROUTING, extra);
    assert.deepEqual(checkRoutingConfig(m), []);
    assert.equal(m.logsources.length, DEFAULT_ROUTING.logsources.length + 1);
    assert.deepEqual(m.logsources.find((l) => l.id === 'windows/service/security')?.when[0].conditions, { 'winlog.channel': 'Sec2' });
    assert.equal(m.fieldsets?.windows.map?.Image, 'process.executable');
    assert.equal(m.fieldsets?.windows.map?.EventID, 'winlog.event_id');
    assert.deepEqual(m.fieldsets?.windows.prefixes, ['winlog.event_data.']);
    assert.equal(DEFAULT_ROUTING.fieldsets?.windows.map?.Image, undefined, 'inputs are not modified');
  });
});
