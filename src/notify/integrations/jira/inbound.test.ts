import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { parseJiraWebhook, toVigilAction, verifyJiraSignature, type JiraWebhook } from './inbound.ts';

const SECRET = 'It0BUdqM4kLhYQwGzVvX';
const sign = (secret: string, body: string | Buffer) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

const CATEGORIES = {
  new: { self: 'https://acme.atlassian.net/rest/api/2/statuscategory/2', id: 2, key: 'new', colorName: 'blue-gray', name: 'To Do' },
  indeterminate: { self: 'https://acme.atlassian.net/rest/api/2/statuscategory/4', id: 4, key: 'indeterminate', colorName: 'yellow', name: 'In Progress' },
  done: { self: 'https://acme.atlassian.net/rest/api/2/statuscategory/3', id: 3, key: 'done', colorName: 'green', name: 'Done' },
};

// Modelled on the jira:issue_updated example in Atlassian's webhook documentation.
function issueUpdated(
  to: { name: string; id: string; category: keyof typeof CATEGORIES },
  from: { name: string; id: string } | null,
  overrides: Record<string, unknown> = {},
) {
  return {
    timestamp: 1700000000000,
    webhookEvent: 'jira:issue_updated',
    issue_event_type_name: from ? 'issue_generic' : 'issue_updated',
    user: {
      self: 'https://acme.atlassian.net/rest/api/2/user?accountId=5b10ac8d82e05b22cc7d4ef5',
      accountId: '5b10ac8d82e05b22cc7d4ef5',
      avatarUrls: { '48x48': 'https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/default.png' },
      displayName: 'Bryan Rollins',
      active: true,
      timeZone: 'Europe/Berlin',
      accountType: 'atlassian',
    },
    issue: {
      id: '10042',
      self: 'https://acme.atlassian.net/rest/api/2/10042',
      key: 'SEC-17',
      fields: {
        summary: '[Vigil] INC-42: Brute force against vpn-gw-1',
        labels: ['vigil', 'INC-42'],
        issuetype: { id: '10001', name: 'Task' },
        project: { id: '10000', key: 'SEC', name: 'Security' },
        status: {
          self: `https://acme.atlassian.net/rest/api/2/status/${to.id}`,
          description: '',
          iconUrl: 'https://acme.atlassian.net/',
          name: to.name,
          id: to.id,
          statusCategory: CATEGORIES[to.category],
        },
      },
    },
    changelog: {
      id: '10123',
      items: [
        { field: 'resolution', fieldtype: 'jira', fieldId: 'resolution', from: null, fromString: null, to: '10000', toString: 'Done' },
        ...(from ? [{ field: 'status', fieldtype: 'jira', fieldId: 'status', from: from.id, fromString: from.name, to: to.id, toString: to.name }] : []),
      ],
    },
    ...overrides,
  };
}

const TODO = { name: 'To Do', id: '10000' };
const IN_PROGRESS = { name: 'In Progress', id: '3' };
const DONE = { name: 'Done', id: '10001', category: 'done' as const };

describe('verifyJiraSignature', () => {
  const raw = JSON.stringify(issueUpdated(DONE, IN_PROGRESS));

  it('accepts a matching signature, for a string or a Buffer body', () => {
    assert.deepEqual(verifyJiraSignature(SECRET, sign(SECRET, raw), raw), { ok: true });
    assert.deepEqual(verifyJiraSignature(SECRET, sign(SECRET, raw), Buffer.from(raw)), { ok: true });
    assert.deepEqual(verifyJiraSignature(SECRET, sign(SECRET, raw).toUpperCase().replace('SHA256=', 'sha256='), raw), { ok: true });
  });

  it('rejects a wrong secret or a tampered body', () => {
    assert.deepEqual(verifyJiraSignature(SECRET, sign('other', raw), raw), { ok: false, reason: 'signature mismatch' });
    assert.deepEqual(verifyJiraSignature(SECRET, sign(SECRET, raw), raw.replace('SEC-17', 'SEC-18')), { ok: false, reason: 'signature mismatch' });
  });

  it('rejects a missing or malformed header and an empty secret', () => {
    assert.deepEqual(verifyJiraSignature(SECRET, undefined, raw), { ok: false, reason: 'missing X-Hub-Signature header' });
    assert.deepEqual(verifyJiraSignature(SECRET, ' ', raw), { ok: false, reason: 'missing X-Hub-Signature header' });
    const malformed = { ok: false, reason: 'malformed X-Hub-Signature header: expected sha256=<64 hex digits>' };
    const hex = sign(SECRET, raw).slice('sha256='.length);
    assert.deepEqual(verifyJiraSignature(SECRET, hex, raw), malformed);
    assert.deepEqual(verifyJiraSignature(SECRET, `sha1=${hex}`, raw), malformed);
    assert.deepEqual(verifyJiraSignature(SECRET, `sha256=${hex}0`, raw), malformed);
    assert.deepEqual(verifyJiraSignature('', sign('', raw), raw), { ok: false, reason: 'no webhook secret configured' });
  });
});

describe('parseJiraWebhook', () => {
  it('reads a transition to Done', () => {
    assert.deepEqual(parseJiraWebhook(issueUpdated(DONE, IN_PROGRESS)), {
      ok: true,
      webhookEvent: 'jira:issue_updated',
      timestamp: 1700000000000,
      issueKey: 'SEC-17',
      statusName: 'Done',
      statusCategory: 'done',
      changedStatus: true,
      fromStatus: 'In Progress',
      toStatus: 'Done',
      actor: 'Bryan Rollins',
      labels: ['vigil', 'INC-42'],
    });
  });

  it('reads an edit that is not a transition, and an event without a user', () => {
    const parsed = parseJiraWebhook(issueUpdated({ ...IN_PROGRESS, category: 'indeterminate' }, null, { user: undefined }));
    assert.equal(parsed.ok, true);
    if (!parsed.ok) return;
    assert.equal(parsed.changedStatus, false);
    assert.equal(parsed.fromStatus, null);
    assert.equal(parsed.toStatus, null);
    assert.equal(parsed.statusCategory, 'indeterminate');
    assert.equal(parsed.actor, null);
  });

  it('falls back to the accountId for the actor', () => {
    const parsed = parseJiraWebhook(issueUpdated(DONE, TODO, { user: { accountId: '557058:f58131cb' } }));
    assert.equal(parsed.ok && parsed.actor, '557058:f58131cb');
  });

  it('names what is missing from a broken body', () => {
    const good = issueUpdated(DONE, TODO);
    const withStatus = (status: unknown) => ({ ...good, issue: { ...good.issue, fields: { ...good.issue.fields, status } } });
    assert.deepEqual(parseJiraWebhook('x'), { ok: false, error: 'body: required, an object' });
    assert.deepEqual(parseJiraWebhook({ ...good, webhookEvent: '' }), { ok: false, error: 'webhookEvent: required, a non-empty string' });
    assert.deepEqual(parseJiraWebhook({ ...good, issue: undefined }), { ok: false, error: 'issue: required, an object' });
    assert.deepEqual(parseJiraWebhook({ ...good, issue: { ...good.issue, key: 17 } }), { ok: false, error: 'issue.key: required, a non-empty string' });
    assert.deepEqual(parseJiraWebhook({ ...good, issue: { key: 'SEC-17' } }), { ok: false, error: 'issue.fields.status: required, an object' });
    assert.deepEqual(parseJiraWebhook(withStatus({ id: '1' })), { ok: false, error: 'issue.fields.status.name: required, a non-empty string' });
    assert.deepEqual(parseJiraWebhook(withStatus({ name: 'Done' })), {
      ok: false,
      error: 'issue.fields.status.statusCategory.key: required, a non-empty string',
    });
  });
});

describe('toVigilAction', () => {
  const parse = (body: unknown): JiraWebhook => {
    const parsed = parseJiraWebhook(body);
    assert.equal(parsed.ok, true);
    return parsed as JiraWebhook;
  };

  it('resolves when the status moved into the done category', () => {
    assert.deepEqual(toVigilAction(parse(issueUpdated(DONE, IN_PROGRESS))), { action: 'resolve' });
    // Any status in the done category counts, whatever its name.
    assert.deepEqual(toVigilAction(parse(issueUpdated({ name: "Won't Fix", id: '10005', category: 'done' }, TODO))), { action: 'resolve' });
  });

  it('ignores transitions to categories other than done (including reopening)', () => {
    assert.deepEqual(toVigilAction(parse(issueUpdated({ ...IN_PROGRESS, category: 'indeterminate' }, TODO))), {
      action: 'ignore',
      reason: 'status "In Progress" is in category indeterminate, not done',
    });
    assert.deepEqual(toVigilAction(parse(issueUpdated({ ...TODO, category: 'new' }, { name: 'Done', id: '10001' }))), {
      action: 'ignore',
      reason: 'status "To Do" is in category new, not done',
    });
  });

  it('ignores edits of a done issue that are not transitions, and other events', () => {
    assert.deepEqual(toVigilAction(parse(issueUpdated(DONE, null))), { action: 'ignore', reason: 'the status did not change' });
    assert.deepEqual(toVigilAction(parse(issueUpdated(DONE, IN_PROGRESS, { webhookEvent: 'jira:issue_created' }))), {
      action: 'ignore',
      reason: 'event jira:issue_created is not acted on',
    });
  });
});
