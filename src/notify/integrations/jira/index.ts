import { isClosedStatus, type NotifyMessage, type ThreadRef } from '../../../core/index.ts';
import { DeliveryError, type Channel, type SendContext } from '../../channel.ts';
import { apiRequest, basicAuthHeaders, fieldFailure, isCredentialSafeUrl, nonEmpty, readJson } from '../http.ts';
import { oneLine } from '../text.ts';
import { toAdf } from './adf.ts';

export { toAdf, type AdfDoc, type AdfBlock, type AdfInline, type AdfMark } from './adf.ts';

/**
 * Jira Cloud (REST API v3). The first message of an incident opens an issue; later ones comment on
 * it, and the resolving one also moves it through the configured "done" transition.
 */
export interface JiraChannelConfig {
  type: 'jira';
  /** https://<site>.atlassian.net */
  url: string;
  /** The Atlassian account the API token belongs to. */
  email: string;
  api_token: string;
  /** Project key, e.g. SEC. */
  project: string;
  /** Default 'Task'. */
  issue_type?: string;
  /** The name of the workflow transition that closes an issue (case-insensitive). Default 'Done'. */
  done_transition?: string;
  /** Added after 'vigil'. Jira labels hold no spaces. */
  labels?: string[];
}

const SUMMARY_MAX = 255;

function validate(config: JiraChannelConfig, name: string): void {
  const fail = fieldFailure(name, 'jira');
  if (!config || typeof config !== 'object') fail('config');
  if (!nonEmpty(config.url)) fail('url');
  if (!isCredentialSafeUrl(config.url)) fail('url', 'must be an https URL such as https://<site>.atlassian.net');
  if (!nonEmpty(config.email)) fail('email');
  if (!nonEmpty(config.api_token)) fail('api_token');
  if (!nonEmpty(config.project)) fail('project');
  if (config.issue_type !== undefined && !nonEmpty(config.issue_type)) fail('issue_type', 'must not be empty');
  if (config.done_transition !== undefined && !nonEmpty(config.done_transition)) fail('done_transition', 'must not be empty');
  if (config.labels !== undefined) {
    if (!Array.isArray(config.labels)) fail('labels', 'must be a list');
    for (const label of config.labels) if (!nonEmpty(label) || /\s/.test(label)) fail('labels', `must be words without spaces (got ${JSON.stringify(label)})`);
  }
}

export function summaryOf(message: NotifyMessage): string {
  const incident = message.incident;
  const text = incident ? `[Vigil ${incident.priority}] ${incident.id} ${incident.title}` : `[Vigil] ${message.text}`;
  return oneLine(text, SUMMARY_MAX);
}

const resolves = (message: NotifyMessage): boolean => message.event === 'resolved' || (message.incident !== null && isClosedStatus(message.incident.status));

interface Transition {
  id?: string;
  name?: string;
  to?: { name?: string };
}

export function createJiraChannel(config: JiraChannelConfig, name: string): Channel {
  validate(config, name);
  const base = config.url.replace(/\/+$/, '');
  const issueType = config.issue_type ?? 'Task';
  const doneTransition = config.done_transition ?? 'Done';
  const labels = ['vigil', ...(config.labels ?? []).filter((l) => l !== 'vigil')];
  const headers = basicAuthHeaders(config.email, config.api_token);

  function call(context: SendContext, what: string, method: string, path: string, body?: unknown): Promise<Response> {
    return apiRequest(
      context,
      `${base}${path}`,
      body === undefined ? { method, headers: { Authorization: headers.Authorization, Accept: headers.Accept } } : { method, headers, body: JSON.stringify(body) },
      `jira: ${what}`,
    );
  }

  const json = <T>(response: Response, what: string, context: SendContext): Promise<T> => readJson<T>(response, context, `jira: ${what}`);

  async function transitionToDone(key: string, context: SendContext): Promise<void> {
    const issuePath = `/rest/api/3/issue/${encodeURIComponent(key)}`;
    const listed = await json<{ transitions?: Transition[] }>(await call(context, `list transitions of ${key}`, 'GET', `${issuePath}/transitions`), `list transitions of ${key}`, context);
    const transitions = Array.isArray(listed.transitions) ? listed.transitions : [];
    const wanted = doneTransition.toLowerCase();
    const match =
      transitions.find((t) => typeof t.name === 'string' && t.name.toLowerCase() === wanted) ??
      transitions.find((t) => typeof t.to?.name === 'string' && t.to.name.toLowerCase() === wanted);
    if (!match?.id) {
      // Already done (a retry after the transition went through, or closed by hand): nothing to do.
      const issue = await json<{ fields?: { status?: { name?: string; statusCategory?: { key?: string } } } }>(
        await call(context, `read status of ${key}`, 'GET', `${issuePath}?fields=status`),
        `read status of ${key}`,
        context,
      );
      const status = issue.fields?.status;
      if (status?.statusCategory?.key === 'done' || status?.name?.toLowerCase() === wanted) return;
      const available = transitions.map((t) => t.name).filter(Boolean).join(', ') || 'none';
      throw new DeliveryError(`jira: issue ${key} has no transition named "${doneTransition}" (available: ${available}); set done_transition`, false);
    }
    await call(context, `transition ${key} to ${doneTransition}`, 'POST', `${issuePath}/transitions`, { transition: { id: String(match.id) } });
  }

  return {
    name,
    type: 'jira',
    async send(message: NotifyMessage, thread: ThreadRef | null, context: SendContext) {
      let key = typeof thread?.key === 'string' && thread.key !== '' ? thread.key : null;
      if (key) {
        await call(context, `comment on ${key}`, 'POST', `/rest/api/3/issue/${encodeURIComponent(key)}/comment`, { body: toAdf(message, 'comment') });
      } else {
        const created = await json<{ id?: string; key?: string; self?: string }>(
          await call(context, 'create issue', 'POST', '/rest/api/3/issue', {
            fields: {
              project: { key: config.project },
              summary: summaryOf(message),
              issuetype: { name: issueType },
              labels,
              description: toAdf(message, 'issue'),
            },
          }),
          'create issue',
          context,
        );
        if (typeof created.key !== 'string' || created.key === '') {
          throw new DeliveryError(`jira: create issue: the answer names no issue key (${JSON.stringify(created).slice(0, 200)})`, false);
        }
        key = created.key;
      }
      if (message.incident && resolves(message)) await transitionToDone(key, context);
      return message.incident ? { thread: { key } } : {};
    },
  };
}
