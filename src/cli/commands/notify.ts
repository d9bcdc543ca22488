import { channelOf, sendTestMessage, type TestResult } from '../../app/index.ts';
import { parseDuration } from '../../lib/index.ts';
import { loadConfig, localActor, remoteTarget, UsageError, type GlobalOptions } from '../context.ts';

/**
 * `vigil notify test CHANNEL`: sends a test message through a configured channel and says whether
 * the tool took it. With --url the running server sends it; else this process does, from vigil.yaml.
 */
export async function notifyTest(name: string, options: GlobalOptions): Promise<number> {
  const remote = remoteTarget(options);
  let result: TestResult;
  if (remote) result = await remote.testChannel(name);
  else {
    const config = loadConfig(options);
    const settings = config.notify.channels.find((c) => c.name === name) as (Record<string, unknown> & { name: string; type: string }) | undefined;
    if (!settings) throw new UsageError(`no channel named ${name} in the configuration (${config.notify.channels.map((c) => c.name).join(', ') || 'none configured'})`);
    result = await sendTestMessage(channelOf(settings), localActor(), parseDuration(config.notify.send_timeout));
  }
  if (options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(result.ok ? `${name}: test message delivered\n` : `${name}: not delivered: ${result.error}\n`);
  return result.ok ? 0 : 1;
}
