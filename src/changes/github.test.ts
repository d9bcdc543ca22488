import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { VigilError } from '../core/index.ts';
import { parseGithubEvent, verifyGithubSignature } from './github.ts';

const NOW = new Date('2024-05-01T12:00:00.000Z');
const DELIVERY = '72d3162e-cc78-11e3-81ab-4c9367dc0958';

const user = (login: string, id: number) => ({
  login,
  id,
  node_id: 'MDQ6VXNlcjIxMDMxMDY3',
  avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
  url: `https://api.github.com/users/${login}`,
  html_url: `https://github.com/${login}`,
  type: 'User',
  site_admin: false,
});

/** The shape of GitHub's `repository` object in webhook payloads (trimmed of the *_url templates). */
const repository = (extra: Record<string, unknown> = {}) => ({
  id: 186853002,
  node_id: 'MDEwOlJlcG9zaXRvcnkxODY4NTMwMDI=',
  name: 'shop',
  full_name: 'acme/shop',
  private: true,
  owner: user('acme', 38302899),
  html_url: 'https://github.com/acme/shop',
  description: null,
  fork: false,
  url: 'https://api.github.com/repos/acme/shop',
  created_at: '2019-05-15T15:19:25Z',
  updated_at: '2024-04-30T09:00:00Z',
  pushed_at: '2024-05-01T10:14:02Z',
  default_branch: 'main',
  visibility: 'private',
  ...extra,
});

/** GitHub's documented `deployment_status` (action `created`) payload, for acme/shop. */
function deploymentStatus(state: string, status: Record<string, unknown> = {}) {
  return {
    action: 'created',
    deployment_status: {
      url: 'https://api.github.com/repos/acme/shop/deployments/145988746/statuses/209916254',
      id: 209916254,
      node_id: 'MDE2OkRlcGxveW1lbnRTdGF0dXMyMDk5MTYyNTQ=',
      state,
      creator: user('deploy-bot', 21031067),
      description: 'Deployment finished successfully.',
      environment: 'production',
      target_url: 'https://ci.acme.example/shop/builds/8812',
      log_url: 'https://ci.acme.example/shop/builds/8812/log',
      environment_url: 'https://shop.acme.example',
      created_at: '2024-05-01T10:20:55Z',
      updated_at: '2024-05-01T10:21:30Z',
      deployment_url: 'https://api.github.com/repos/acme/shop/deployments/145988746',
      repository_url: 'https://api.github.com/repos/acme/shop',
      ...status,
    },
    deployment: {
      url: 'https://api.github.com/repos/acme/shop/deployments/145988746',
      id: 145988746,
      node_id: 'MDEwOkRlcGxveW1lbnQxNDU5ODg3NDY=',
      sha: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e',
      ref: 'main',
      task: 'deploy',
      payload: {},
      original_environment: 'production',
      environment: 'production',
      description: null,
      creator: user('alice', 1001),
      created_at: '2024-05-01T10:20:53Z',
      updated_at: '2024-05-01T10:21:30Z',
      statuses_url: 'https://api.github.com/repos/acme/shop/deployments/145988746/statuses',
      repository_url: 'https://api.github.com/repos/acme/shop',
      performed_via_github_app: null,
    },
    repository: repository(),
    sender: user('alice', 1001),
  };
}

const commit = (id: string, message: string, timestamp: string, files: { added?: string[]; removed?: string[]; modified?: string[] }) => ({
  id,
  tree_id: 'f9d2a07e9488b91af2641b26b9407fe22a451433',
  distinct: true,
  message,
  timestamp,
  url: `https://github.com/acme/shop/commit/${id}`,
  author: { name: 'Bob Builder', email: 'bob@acme.example', username: 'bob' },
  committer: { name: 'GitHub', email: 'noreply@github.com', username: 'web-flow' },
  added: files.added ?? [],
  removed: files.removed ?? [],
  modified: files.modified ?? [],
});

/** GitHub's documented `push` payload: repository timestamps are epoch seconds in push events. */
function push(extra: Record<string, unknown> = {}) {
  const head = commit('abc1234def5678901234567890abcdef12345678', 'Bump checkout timeout', '2024-04-28T16:03:11-07:00', {
    modified: ['config/checkout.yml'],
  });
  return {
    ref: 'refs/heads/main',
    before: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
    after: head.id,
    created: false,
    deleted: false,
    forced: false,
    base_ref: null,
    compare: 'https://github.com/acme/shop/compare/6113728f27ae...abc1234def56',
    commits: [
      commit('0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c', 'Fix cart rounding', '2024-04-28T15:40:00-07:00', { modified: ['src/cart.ts'] }),
      head,
    ],
    head_commit: head,
    repository: repository({ created_at: 1557933565, pushed_at: 1714558442 }),
    pusher: { name: 'bob', email: 'bob@acme.example' },
    sender: user('bob', 1002),
    ...extra,
  };
}

describe('verifyGithubSignature', () => {
  const secret = 'whsec-test';
  const body = JSON.stringify(push());
  const sign = (key: string, data: string) => `sha256=${createHmac('sha256', key).update(data).digest('hex')}`;

  it("accepts GitHub's documented test vector", () => {
    const header = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    assert.equal(verifyGithubSignature("It's a Secret to Everybody", 'Hello, World!', header), true);
    assert.equal(verifyGithubSignature("It's a Secret to Everybody", Buffer.from('Hello, World!'), header), true);
  });

  it('accepts a good signature over the raw bytes, string or Buffer', () => {
    assert.equal(verifyGithubSignature(secret, body, sign(secret, body)), true);
    assert.equal(verifyGithubSignature(secret, Buffer.from(body, 'utf8'), sign(secret, body)), true);
  });

  it('rejects a signature of other bytes (a re-serialised body)', () => {
    const reserialised = JSON.stringify(JSON.parse(body), null, 2);
    assert.equal(verifyGithubSignature(secret, reserialised, sign(secret, body)), false);
    assert.equal(verifyGithubSignature(secret, body, sign(secret, body + ' ')), false);
  });

  it('rejects a signature made with another secret', () => {
    assert.equal(verifyGithubSignature(secret, body, sign('another-secret', body)), false);
  });

  it('rejects missing and malformed headers', () => {
    const good = sign(secret, body);
    assert.equal(verifyGithubSignature(secret, body, undefined), false);
    assert.equal(verifyGithubSignature(secret, body, ''), false);
    assert.equal(verifyGithubSignature(secret, body, good.slice('sha256='.length)), false, 'no sha256= prefix');
    assert.equal(verifyGithubSignature(secret, body, good.replace('sha256=', 'sha1=')), false);
    assert.equal(verifyGithubSignature(secret, body, good.slice(0, -1) + 'z'), false, 'not hex');
  });

  it('rejects a signature of the wrong length without throwing', () => {
    const good = sign(secret, body);
    assert.equal(verifyGithubSignature(secret, body, good.slice(0, -2)), false);
    assert.equal(verifyGithubSignature(secret, body, good + '00'), false);
    // Node's hex decoder drops a trailing odd nibble: 65 digits would decode to the right 32 bytes.
    assert.equal(verifyGithubSignature(secret, body, good + '0'), false);
    assert.equal(verifyGithubSignature(secret, body, 'sha256='), false);
  });

  it('rejects everything when the secret is empty, even a matching HMAC', () => {
    assert.equal(verifyGithubSignature('', body, sign('', body)), false);
  });
});

describe('parseGithubEvent: deployment_status', () => {
  it('maps a successful deployment to an observed deploy', () => {
    assert.deepEqual(parseGithubEvent('deployment_status', deploymentStatus('success'), NOW, DELIVERY), {
      observed: {
        source: 'github',
        type: 'deploy',
        asset: 'production',
        service: null,
        actor: 'deploy-bot',
        timestamp: '2024-05-01T10:21:30.000Z',
        summary: 'Deployed acme/shop@f95f852 to production',
        evidence: {
          delivery: DELIVERY,
          repository: 'acme/shop',
          sha: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e',
          environment: 'production',
          url: 'https://ci.acme.example/shop/builds/8812',
        },
      },
      names: ['production', 'acme/shop', 'shop'],
    });
  });

  it('falls back to log_url, created_at and the sender', () => {
    const body = deploymentStatus('success', { target_url: '', creator: null, updated_at: undefined });
    const { observed } = parseGithubEvent('deployment_status', body, NOW);
    assert.equal(observed?.actor, 'alice');
    assert.equal(observed?.timestamp, '2024-05-01T10:20:55.000Z');
    assert.deepEqual(observed?.evidence, {
      repository: 'acme/shop',
      sha: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e',
      environment: 'production',
      url: 'https://ci.acme.example/shop/builds/8812/log',
    });
  });

  for (const state of ['pending', 'in_progress', 'queued', 'failure', 'error', 'inactive']) {
    it(`ignores state ${state}`, () => {
      assert.deepEqual(parseGithubEvent('deployment_status', deploymentStatus(state), NOW), {
        observed: null,
        ignored: `deployment_status state ${state}`,
        names: [],
      });
    });
  }

  it('refuses a successful deployment without an environment', () => {
    const body = deploymentStatus('success');
    delete (body.deployment as Record<string, unknown>).environment;
    assert.throws(
      () => parseGithubEvent('deployment_status', body, NOW),
      (e: unknown) => e instanceof VigilError && e.status === 400 && e.code === 'invalid_github_event' && e.field === 'deployment.environment',
    );
  });
});

describe('parseGithubEvent: push', () => {
  it('maps a push to the default branch, stamped with the push time', () => {
    assert.deepEqual(parseGithubEvent('push', push(), NOW, DELIVERY), {
      observed: {
        source: 'github',
        type: 'deploy',
        asset: 'shop',
        service: null,
        actor: 'bob',
        // repository.pushed_at (1714558442), not the head commit's authoring time.
        timestamp: '2024-05-01T10:14:02.000Z',
        summary: 'Pushed 2 commits to acme/shop main (abc1234)',
        evidence: {
          delivery: DELIVERY,
          repository: 'acme/shop',
          before: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
          after: 'abc1234def5678901234567890abcdef12345678',
          compare: 'https://github.com/acme/shop/compare/6113728f27ae...abc1234def56',
        },
      },
      names: ['acme/shop', 'shop'],
    });
  });

  it('falls back to the head commit time, then now; the sender when no pusher', () => {
    const body = push({ pusher: undefined, commits: [push().head_commit] });
    (body.repository as Record<string, unknown>).pushed_at = undefined;
    const { observed } = parseGithubEvent('push', body, NOW);
    assert.equal(observed?.timestamp, '2024-04-28T23:03:11.000Z');
    assert.equal(observed?.actor, 'bob');
    assert.equal(observed?.summary, 'Pushed 1 commit to acme/shop main (abc1234)');

    const bare = push({ head_commit: null });
    (bare.repository as Record<string, unknown>).pushed_at = undefined;
    assert.equal(parseGithubEvent('push', bare, NOW).observed?.timestamp, '2024-05-01T12:00:00.000Z');
  });

  it('says so when the push was forced', () => {
    const { observed } = parseGithubEvent('push', push({ forced: true }), NOW);
    assert.equal(observed?.summary, 'Force-pushed 2 commits to acme/shop main (abc1234)');
    assert.equal(observed?.evidence.forced, true);
  });

  it('ignores pushes to other branches and tags', () => {
    assert.deepEqual(parseGithubEvent('push', push({ ref: 'refs/heads/feature/cart' }), NOW), {
      observed: null,
      ignored: 'push to refs/heads/feature/cart, not the default branch main',
      names: [],
    });
    assert.equal(parseGithubEvent('push', push({ ref: 'refs/tags/v1.2.0' }), NOW).observed, null);
    // A branch named like the default one elsewhere in the ref must not match.
    assert.equal(parseGithubEvent('push', push({ ref: 'refs/heads/release/main' }), NOW).observed, null);
  });

  it('ignores the deletion of the default branch', () => {
    const body = push({ deleted: true, after: '0000000000000000000000000000000000000000', commits: [], head_commit: null });
    assert.deepEqual(parseGithubEvent('push', body, NOW), { observed: null, ignored: 'push deleted refs/heads/main', names: [] });
  });
});

describe('parseGithubEvent: other events', () => {
  it('ignores ping', () => {
    const ping = { zen: 'Avoid administrative distraction.', hook_id: 90753227, hook: { type: 'Repository', id: 90753227 } };
    assert.deepEqual(parseGithubEvent('ping', ping, NOW), { observed: null, ignored: 'ping', names: [] });
  });

  it('ignores events that are not changes, whatever their body', () => {
    assert.deepEqual(parseGithubEvent('issues', { action: 'opened' }, NOW), {
      observed: null,
      ignored: 'event issues is not a change',
      names: [],
    });
    assert.equal(parseGithubEvent('deployment', null, NOW).ignored, 'event deployment is not a change');
  });

  it('refuses a body that is not an object for an event it maps', () => {
    assert.throws(() => parseGithubEvent('push', [], NOW), (e: unknown) => e instanceof VigilError && e.field === 'body');
  });
});
