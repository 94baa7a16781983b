/** `npm run demo` as a user runs it: it must finish, tell the whole story, and show no key. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

function demo(...args: string[]) {
  return spawnSync(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'scripts', 'demo.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
  });
}

describe('npm run demo', () => {
  it('onboards, ignores duplicates, repairs drift on schedule, and offboards a closed account (v1)', () => {
    const run = demo('--api-version', 'v1');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const out = run.stdout;
    expect(out).toContain('(API v1)');
    expect(out).toContain('EventBridge -> intake: CreateAccountResult SUCCEEDED -> 1 message');
    expect(out).toMatch(/Datadog \(464622532012\) can assume it with the external ID: yes/);
    expect(out).toContain('SQS FIFO dropped 2 copies');
    expect(out).toContain('0 Datadog writes and 0 IAM writes for the late copy');
    expect(out).toMatch(/worker: POST \/, PUT \/generate_new_external_id/);
    expect(out).toMatch(/worker: DELETE \/; 0 IAM writes; 0 failed\n {2}Datadog: no integration for \d{12}/);
    expect(out).not.toContain('NO');
    expect(out).not.toContain('demo-api-key');
    expect(out).not.toContain('demo-app-key');
  });

  it('--api-version v2: mints the external ID before the role, repairs a deleted role without rotating, deletes by config UUID', () => {
    const run = demo('--api-version', 'v2');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const out = run.stdout;
    expect(out).toContain('(API v2)');
    // Step 1: mint, then create with that ID (the role, 2 IAM writes, already trusts it).
    expect(out).toMatch(/worker: POST \/generate_new_external_id, POST \/accounts; 2 IAM writes; 0 failed/);
    expect(out).toContain('0 Datadog writes and 0 IAM writes for the late copy');
    // Step 3: shared-services is onboarded (one mint); the deleted role is recreated with Datadog's known ID: no second mint, no rotation.
    expect(out).toMatch(/worker: POST \/generate_new_external_id, POST \/accounts; 4 IAM writes; 0 failed/);
    expect(out).not.toContain('PATCH');
    expect(out).not.toContain('PUT');
    expect(out).toMatch(/worker: DELETE \/accounts\/[0-9a-f-]{36}; 0 IAM writes; 0 failed\n {2}Datadog: no integration for \d{12}/);
    // Steps 1 and 3: the new account (twice) and shared-services; the new account keeps its external ID.
    expect(out.match(/can assume it with the external ID: yes/g)).toHaveLength(3);
    const created = /account (\d{12}) "Payments Prod"/.exec(out)![1]!;
    const ids = [...out.matchAll(new RegExp(`integration for ${created}, .*external ID (\\w+)\\.\\.\\.`, 'g'))].map((m) => m[1]);
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBe(ids[0]);
    expect(out).not.toContain('NO');
    expect(out).not.toContain('demo-api-key');
    expect(out).not.toContain('demo-app-key');
  });

  it('refuses an unknown option, saying how to call it', () => {
    const run = demo('--api-version', 'v3');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('usage: npm run demo [-- --api-version v1|v2] (got: --api-version v3)');
  });
});
