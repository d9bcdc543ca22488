import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError } from '../config/index.ts';
import { VigilError } from '../core/index.ts';
import { configCheck } from './commands/config.ts';
import { assetsImport } from './commands/assets.ts';
import { intelImport } from './commands/intel.ts';
import { notifyTest } from './commands/notify.ts';
import { auditVerify } from './commands/audit.ts';
import { changeAction, changeCreate, changeList, changePolicyCheck, changeShow, type ChangeActionName } from './commands/change.ts';
import { hunt } from './commands/hunt.ts';
import { incidentAck, incidentAssign, incidentList, incidentNote, incidentResolve, incidentShow } from './commands/incident.ts';
import { ingest } from './commands/ingest.ts';
import { rulesLint } from './commands/rules.ts';
import { search } from './commands/search.ts';
import { serve } from './commands/serve.ts';
import { silenceAdd, silenceExpire, silenceList } from './commands/silence.ts';
import { tokenCreate, tokenList, tokenRevoke } from './commands/token.ts';
import { UsageError } from './context.ts';
import { RemoteError } from './remote.ts';

const port = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('not a port number');
  return n;
};
const positive = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('not a positive integer');
  return n;
};

/** Options every command takes: where the data is, or which server to talk to. */
const withTarget = (command: Command): Command =>
  command
    .option('--data <dir>', 'data folder (env VIGIL_DATA; default ./data)')
    .option('--config <file>', 'vigil.yaml (env VIGIL_CONFIG; default ./vigil.yaml when present)')
    .option('--url <url>', 'a running server instead of the data folder (env VIGIL_URL)')
    .option('--token <token>', 'API token for --url (env VIGIL_TOKEN)')
    .option('--json', 'machine-readable output');

const program = new Command('vigil')
  .description('Vigil: security events, detections, incidents and changes in one place')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

let exitCode = 0;
const run = (fn: (...args: any[]) => Promise<number> | number) => async (...args: any[]) => {
  exitCode = await fn(...args);
};

program
  .command('serve')
  .description('run the server: REST API, web UI and ingest listeners')
  .option('--host <host>', 'HTTP listen address (default 127.0.0.1)')
  .option('--port <port>', 'HTTP port (env VIGIL_PORT; default 8714)', port)
  .option('--syslog-port <port>', 'syslog UDP+TCP port, 0 turns it off (env VIGIL_SYSLOG_PORT; default 5514)', port)
  .option('--data <dir>', 'data folder (env VIGIL_DATA; default ./data)')
  .option('--config <file>', 'vigil.yaml')
  .option('--log-level <level>', 'fatal, error, warn, info, debug, trace')
  .action(async (options) => {
    await serve(options);
    exitCode = -1; // keep running
  });

program
  .command('config')
  .description('configuration')
  .command('check [file]')
  .description('check vigil.yaml and print every error with its path')
  .option('--json', 'machine-readable output')
  .action(run((file: string | undefined, options: { json?: boolean }) => configCheck(file, Boolean(options.json))));

withTarget(
  program
    .command('ingest <files...>')
    .description('ingest NDJSON, JSON arrays or log lines from files, or - for standard input')
    .addOption(new Option('--format <format>', 'input format').choices(['auto', 'ndjson', 'json', 'lines']).default('auto')),
).action(run((files: string[], options) => ingest(files, options)));

withTarget(
  program
    .command('search <query>')
    .description("search stored events, e.g. vigil search 'host.name:web* AND NOT event.outcome:success' --from now-1h")
    .option('--from <time>', 'start: ISO 8601 or relative like now-24h')
    .option('--to <time>', 'end (exclusive)')
    .option('--limit <n>', 'most events to show', positive)
    .option('--sort <field>', '-@timestamp (default) or @timestamp')
    .option('--cursor <cursor>', 'continue after a previous page'),
).action(run((query: string, options) => search(query, options)));

program
  .command('hunt')
  .description('run Sigma rules over event files (NDJSON, JSON arrays, log lines), offline')
  .requiredOption('--rules <paths...>', 'rule files or folders')
  .requiredOption('--events <files...>', 'event files, or - for standard input')
  .addOption(new Option('--format <format>', 'output').choices(['table', 'jsonl']).default('table'))
  .option('--config <file>', 'vigil.yaml (its rules.routing and rules.placeholders apply), or a logsource routing file')
  .action(run((options) => hunt(options)));

const rules = program.command('rules').description('detection rules');
rules
  .command('lint <paths...>')
  .description('check Sigma rules: parsed, rejected and unsupported counts, and each reason')
  .option('--json', 'machine-readable output')
  .action(run((paths: string[], options: { json?: boolean }) => rulesLint(paths, options)));

const assets = program.command('assets').description('inventory of assets and business services');
withTarget(assets.command('import <file>').description('create or replace services and assets from CSV or YAML')).action(
  run((file: string, options) => assetsImport(file, options)),
);

const intel = program.command('intel').description('threat-intel indicators');
withTarget(
  intel
    .command('import <file>')
    .description('import indicators from a STIX 2.1 bundle, a MISP event, CSV with a header, or one value per line')
    .requiredOption('--format <format>', 'stix, misp, csv or lines')
    .requiredOption('--source <name>', 'where the indicators come from (shown on every match)')
    .option('--type <type>', 'for lines and CSV without a type column: the indicator type (else inferred per value)')
    .option('--confidence <n>', 'confidence (0-100) of indicators that state none')
    .option('--no-retro-hunt', 'do not search stored events for the new indicators'),
).action(run((file: string, options) => intelImport(file, options)));

const notify = program.command('notify').description('notification channels');
withTarget(notify.command('test <channel>').description('send a test message through a configured channel (exit 1 when it is not delivered)')).action(
  run((channel: string, options) => notifyTest(channel, options)),
);

const audit = program.command('audit').description('the hash-chained audit trail');
withTarget(audit.command('verify').description('check the chain and name the first broken record (exit 1)')).action(run((options) => auditVerify(options)));

const token = program.command('token').description('API tokens');
withTarget(
  token
    .command('create')
    .description('create a token and print it (shown only once)')
    .addOption(new Option('--role <role>', 'role').choices(['viewer', 'ingest', 'analyst', 'admin']).makeOptionMandatory())
    .option('--name <name>', 'a name to recognise it by'),
).action(run((options) => tokenCreate(options)));
withTarget(token.command('list').description('list tokens (never their secrets)')).action(run((options) => tokenList(options)));
withTarget(token.command('revoke <id>').description('revoke a token by id or name')).action(run((id: string, options) => tokenRevoke(id, options)));

const incident = program.command('incident').description("the triage queue of a running server (needs --url)");
withTarget(
  incident
    .command('list')
    .description('incidents, most urgent first')
    .option('--status <status>', "open (default), all, or states separated by commas, e.g. 'new,acknowledged'")
    .option('--query <q>', "search over incident fields, e.g. 'priority:P1 AND assignee:alice'")
    .option('--sort <field>', '-score (default), -detected_at, last_seen, priority...')
    .option('--limit <n>', 'most incidents to show', positive)
    .option('--cursor <cursor>', 'continue after a previous page'),
).action(run((options) => incidentList(options)));
withTarget(incident.command('show <id>').description('one incident: score explanation, SLA, entities, alerts and timeline')).action(run((id: string, options) => incidentShow(id, options)));
withTarget(incident.command('ack <id>').description('acknowledge an incident')).action(run((id: string, options) => incidentAck(id, options)));
withTarget(incident.command('assign <id> <user>').description('assign an incident to someone')).action(run((id: string, user: string, options) => incidentAssign(id, user, options)));
withTarget(incident.command('note <id> <text...>').description('add a note to the timeline (the words are joined)')).action(run((id: string, words: string[], options) => incidentNote(id, words, options)));
withTarget(incident.command('resolve <id>').description('resolve an incident').option('--reason <text>', 'why (kept in the timeline)')).action(
  run((id: string, options) => incidentResolve(id, options)),
);

const silence = program.command('silence').description('mute alerts for a while on a running server (needs --url)');
const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
withTarget(
  silence
    .command('add')
    .description("mute alerts whose labels match every matcher, e.g. --matcher 'host=\"web-1\"' --duration 2h --comment 'patching'")
    .option('--matcher <matcher>', 'name="value", name!="value", name=~"regex" or name!~"regex" (repeat for more)', collect)
    .option('--duration <duration>', 'how long, e.g. 30m, 2h, 1d (or --ends-at)')
    .option('--ends-at <time>', 'ISO 8601 time with an offset, e.g. 2026-05-01T12:00:00Z (or --duration)')
    .option('--starts-at <time>', 'ISO 8601 time with an offset (default now)')
    .option('--comment <text>', 'why alerts are silenced (required)'),
).action(run((options) => silenceAdd(options)));
withTarget(silence.command('list').description('pending and active silences').option('--all', 'include expired silences')).action(run((options) => silenceList(options)));
withTarget(silence.command('expire <id>').description('end a silence now')).action(run((id: string, options) => silenceExpire(id, options)));

const change = program.command('change').description('change records and freeze policies (needs --url, except policy check)');
withTarget(
  change
    .command('create')
    .description('request a change, e.g. --title "Open 443" --type firewall --asset fw-edge-1 --start 2026-03-10T10:00:00Z --end 2026-03-10T11:00:00Z')
    .option('--title <text>', 'what the change is (required)')
    .addOption(new Option('--type <type>', 'kind of change (required)').choices(['firewall', 'network', 'deploy', 'config', 'database', 'access', 'other']))
    .option('--asset <name>', 'an asset it touches (repeat for more)', collect)
    .option('--service <name>', 'a service it touches (repeat for more)', collect)
    .option('--start <time>', 'window start: ISO 8601 with an offset (required)')
    .option('--end <time>', 'window end: ISO 8601 with an offset (required)')
    .option('--implementer <user>', 'who carries it out (cannot approve it)')
    .option('--requester <user>', 'who asks for it (default: the token name)')
    .option('--emergency', 'an emergency change: freeze policies with an emergency clause let it pass with more approvals')
    .option('--description <text>', 'details')
    .option('--backout-plan <text>', 'how to undo it')
    .addOption(new Option('--risk <risk>', 'risk').choices(['low', 'medium', 'high', 'critical']))
    .option('--link <url>', 'a related http(s) link (repeat for more)', collect)
    .option('--draft', 'save as a draft instead of requesting approval'),
).action(run((options) => changeCreate(options)));
withTarget(
  change
    .command('list')
    .description('changes whose window overlaps [--from, --to), in number order')
    .option('--from <time>', 'ISO 8601 or date math like now-7d')
    .option('--to <time>', 'ISO 8601 or date math like now+7d')
    .option('--status <status>', "states separated by commas, e.g. 'requested,approved'")
    .option('--limit <n>', 'most changes to show', positive)
    .option('--cursor <cursor>', 'continue after a previous page'),
).action(run((options) => changeList(options)));
withTarget(change.command('show <id>').description('one change: fields, approvals, policy warnings, conflicts and timeline')).action(run((id: string, options) => changeShow(id, options)));
const changeActions: Array<[ChangeActionName, string]> = [
  ['request', 'submit a draft for approval'],
  ['approve', 'approve as the token\'s name (each person counts once)'],
  ['start', 'work on the change has begun'],
  ['complete', 'the change is done'],
  ['fail', 'the change failed'],
  ['rollback', 'the change was rolled back'],
  ['cancel', 'the change will not happen'],
];
for (const [action, description] of changeActions) {
  withTarget(change.command(`${action} <id>`).description(description).option('--comment <text>', 'a note for the timeline')).action(
    run((id: string, options) => changeAction(action, id, options)),
  );
}
change
  .command('policy')
  .description('freeze policies')
  .command('check <file>')
  .description('check freeze policies in a YAML or JSON file (one, a list, or a vigil.yaml), offline; exit 1 on an error, 3 when --change is blocked')
  .option('--change <json>', 'also evaluate a change, e.g. \'{"type":"firewall","assets":["fw-1"],"window":{"start":"…","end":"…"}}\'')
  .option('--json', 'machine-readable output')
  .action(run((file: string, options: { json?: boolean; change?: string }) => changePolicyCheck(file, options)));

function explain(error: unknown): { message: string; code: number } {
  if (error instanceof UsageError) return { message: error.message, code: 2 };
  if (error instanceof ConfigError) return { message: error.message, code: 2 };
  if (error instanceof VigilError) {
    // Messages usually start with their field already; say it once.
    const message = error.field && error.message.startsWith(`${error.field}: `) ? error.message.slice(error.field.length + 2) : error.message.replace(/^\w+: /, '');
    return { message: `${error.field ? `${error.field}: ` : ''}${message}`, code: error.status < 500 ? 2 : 1 };
  }
  if (error instanceof RemoteError) return { message: error.message, code: error.status >= 400 && error.status < 500 ? 2 : 1 };
  return { message: (error as Error).stack ?? String(error), code: 1 };
}

try {
  await program.parseAsync(process.argv);
  if (exitCode >= 0) process.exitCode = exitCode;
} catch (error) {
  const e = error as { code?: string; exitCode?: number };
  if (e.code?.startsWith('commander.')) {
    process.exitCode = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : 2;
  } else {
    const { message, code } = explain(error);
    process.stderr.write(`vigil: ${message}\n`);
    process.exitCode = code;
  }
}
