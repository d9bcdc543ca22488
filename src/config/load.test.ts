import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyOverrides, checkConfig, ConfigError, parseConfigText, resolveConfig } from './load.ts';

describe('configuration', () => {
  it('fills every default from an empty file', () => {
    const config = resolveConfig({});
    assert.equal(config.server.port, 8714);
    assert.equal(config.server.host, '127.0.0.1');
    assert.equal(config.syslog.port, 5514);
    assert.equal(config.data, './data');
    assert.equal(config.store.synchronous, 'full');
  });

  it('reports every problem with its path', () => {
    const problems = checkConfig({ server: { port: 'x', extra: 1 }, ingest: { max_depth: 0 }, nope: true });
    assert.deepEqual(problems.map((p) => p.path).sort(), ['ingest.max_depth', 'nope', 'server.extra', 'server.port']);
    assert.throws(() => resolveConfig({ server: { port: -5 } }), (e: unknown) => e instanceof ConfigError && /server\.port/.test(e.message));
  });

  it('names the line and column of a YAML syntax error', () => {
    const { problems } = parseConfigText('server:\n  port: 1\n   bad: [\n');
    assert.equal(problems.length > 0, true);
    assert.match(problems[0]!.path, /^line \d+, column \d+$/);
  });

  it('lets flags win over the environment, and the environment over the file', () => {
    const file = resolveConfig({ server: { port: 1000 }, syslog: { port: 1001 } });
    const env = { VIGIL_PORT: '2000', VIGIL_DATA: '/env/data', VIGIL_SYSLOG_PORT: '0' };
    const fromEnv = applyOverrides(file, {}, env);
    assert.equal(fromEnv.server.port, 2000);
    assert.equal(fromEnv.data, '/env/data');
    assert.equal(fromEnv.syslog.port, 0);
    const fromFlags = applyOverrides(file, { port: 3000, data: '/flag' }, env);
    assert.equal(fromFlags.server.port, 3000);
    assert.equal(fromFlags.data, '/flag');
    assert.throws(() => applyOverrides(file, {}, { VIGIL_PORT: 'eighty' }), /VIGIL_PORT/);
  });
});
