/** `npm run demo` as a user runs it: it must finish, tell the whole story, and show no key. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

describe('npm run demo', () => {
  it('onboards, ignores duplicates, repairs drift on schedule, and offboards a closed account', () => {
    const root = join(__dirname, '..', '..');
    const run = spawnSync(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'scripts', 'demo.ts')], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const out = run.stdout;
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
});
