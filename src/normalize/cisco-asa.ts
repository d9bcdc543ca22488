type Obj = Record<string, unknown>;

const ASA_TAG = /^%(ASA|FTD)-(\d)-(\d{6})$/;
// 111008: User 'admin' executed the 'cmd' command.
const EXECUTED = /^User '([^']{1,256})' executed the '([^]{0,4096})' command\.?$/;
// 111010: User 'admin', running 'CLI' from IP 10.0.0.5, executed 'cmd'
const EXECUTED_FROM = /^User '([^']{1,256})', running '([^']{1,64})' from IP ([0-9a-fA-F:.]{2,45}), executed '([^]{0,4096})'$/;

/**
 * ECS fields of a Cisco ASA / FTD syslog message, from its tag (%ASA-5-111008): the message id,
 * and for command accounting (111008, 111009, 111010) who ran which command from where, so
 * change management can name the person behind a firewall change. Null when not an ASA message.
 */
export function ciscoAsaFields(message: string, app: string | null): Obj | null {
  const tag = app ? ASA_TAG.exec(app) : null;
  if (!tag) return null;
  const out: Obj = { observer: { vendor: 'Cisco', product: tag[1] }, event: { code: tag[3] } };
  if (message.length > 8192) return out;
  const executed = EXECUTED.exec(message);
  if (executed) {
    out.user = { name: executed[1] };
    out.cisco = { asa: { command_line: executed[2], session: 'CLI' } };
    out.event = { code: tag[3], action: 'command-executed' };
    return out;
  }
  const from = EXECUTED_FROM.exec(message);
  if (from) {
    out.user = { name: from[1] };
    out.source = { ip: from[3] };
    out.cisco = { asa: { command_line: from[4], session: from[2] } };
    out.event = { code: tag[3], action: 'command-executed' };
  }
  return out;
}
