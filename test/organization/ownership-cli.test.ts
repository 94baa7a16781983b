/**
 * The ownership rule as a user meets it, through the real CLI against the AWS and Datadog
 * stand-ins, on v1 and v2: a Datadog organization shared with another AWS organization whose
 * integrations use the default role name keeps every one of them through plan and apply (with a
 * generous --max-deletions); ours (new, pre-existing, adopted) are integrated and marked; a removed
 * account is offboarded; an excluded account keeps its integration unless offboarding is
 * configured; `offboard --all` removes exactly what is ours.
 */
import { runCli } from '../../cli/program';
import { DEFAULT_OWNERSHIP_TAG_KEY, ownershipMarker } from '../../lambda/domain/ownership';
import { runCliCollect, tempFiles } from '../cli/harness';
import { FakeAwsOrganization, pointProcessAt, startAwsStandin, type AwsStandin } from '@datadog-aws-org-integration/standins/aws';
import { DatadogStandin } from '@datadog-aws-org-integration/standins/datadog';
import { withApiVersion } from '../support/api-version';

const API_KEY = 'own-cli-api-key-1234';
const APP_KEY = 'own-cli-app-key-5678';
const ROLE = 'DatadogIntegrationRole';
const MANAGEMENT = '111111111111';
/** Another AWS organization's accounts, integrated in the same Datadog organization by Datadog's own template. */
const THEIRS = '999988887777';
const THEIRS_MARKED = '999988886666';
const THEIR_MARKER = `${DEFAULT_OWNERSHIP_TAG_KEY}:o-theirorg987`;
const EXCLUDED = '555566667777';
const POLICY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: '*' }] };

interface ItemJson {
  accountId: string;
  kind: string;
  name: string;
  status: string;
}

describe.each(['v1', 'v2'] as const)('ownership through the CLI, datadog.apiVersion %s', (apiVersion) => {
  const datadog = new DatadogStandin({ apiKey: API_KEY, appKey: APP_KEY });
  const files = tempFiles();
  let restoreEnv: () => void;
  let model: FakeAwsOrganization;
  let aws: AwsStandin;
  let converged: string;
  let byHand: string;
  let leaver: string;
  let marker: string;

  beforeAll(async () => {
    await datadog.start();
  });

  afterAll(async () => {
    await datadog.stop();
    files.cleanup();
  });

  beforeEach(async () => {
    model = new FakeAwsOrganization({ managementAccountId: MANAGEMENT });
    aws = await startAwsStandin(model);
    restoreEnv = pointProcessAt(aws);
    datadog.reset();
    marker = ownershipMarker({ markerKey: DEFAULT_OWNERSHIP_TAG_KEY, organizationId: model.organizationId });
    converged = model.createAccount({ name: 'converged' });
    leaver = model.createAccount({ name: 'leaver' });
    expect((await cli(['converge', converged, leaver])).code).toBe(0);
    model.removeAccount(leaver);
    // Integrated by hand before this product (no marker), with a role of our name it did not create.
    byHand = model.createAccount({ name: 'by-hand' });
    datadog.seed({ account_id: byHand, role_name: ROLE, host_tags: ['team:by-hand'], external_id: 'a'.repeat(32) });
    // Excluded, integrated by hand; a role of ours and one of our policies left in it by an earlier deployment.
    model.createAccount({ name: 'excluded', id: EXCLUDED });
    datadog.seed({ account_id: EXCLUDED, role_name: ROLE, host_tags: ['team:excluded'] });
    model.putCustomerPolicyByHand(EXCLUDED, { policyName: `${ROLE}-ResourceCollection1`, path: '/datadog-aws-org-integration/', document: POLICY, tags: { 'managed-by': 'datadog-aws-org-integration' } });
    model.putCustomerPolicyByHand(EXCLUDED, { policyName: 'NotOurs', path: '/datadog-aws-org-integration/', document: POLICY });
    // The other organization's.
    datadog.seed({ account_id: THEIRS, role_name: ROLE, host_tags: ['team:them'] });
    datadog.seed({ account_id: THEIRS_MARKED, role_name: ROLE, host_tags: ['team:them', THEIR_MARKER] });
  });

  afterEach(async () => {
    await aws.stop();
    restoreEnv();
  });

  const env = () => ({ ...process.env, DD_API_URL: datadog.url, DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY });
  const configFile = (raw: object = {}) => files.write(`config-${apiVersion}-${JSON.stringify(raw).length}.json`, { scope: { excludeAccounts: [EXCLUDED] }, ...raw });
  const cli = (args: string[]) => runCliCollect(withApiVersion(['--config', configFile(), ...args], apiVersion, files.write), { env: env() });
  const theirs = () => datadog.stored().filter((a) => a.account_id === THEIRS || a.account_id === THEIRS_MARKED || a.account_id === EXCLUDED);
  const ours = (accountId: string) => datadog.stored().find((a) => a.account_id === accountId && a.role_name === ROLE);
  const deletes = () => datadog.requests.filter((r) => r.method === 'DELETE');

  it('plan: theirs and the excluded one are left alone, the one integrated by hand is adopted, the removed one is offboarded', async () => {
    const run = await cli(['plan', '--json']);
    expect(run.code).toBe(0);
    const plan = JSON.parse(run.stdout) as { actions: { accountId: string; type: string; reason: string }[]; held: unknown[] };
    expect(plan.held).toEqual([]);
    const of = (id: string) => plan.actions.filter((a) => a.accountId === id).map((a) => a.type);
    expect(of(THEIRS)).toEqual([]);
    expect(of(THEIRS_MARKED)).toEqual([]);
    expect(of(EXCLUDED)).toEqual([]);
    // plan reads roles as the reconciler does: the role Datadog was to assume was never made, so it is created too
    // (v1 cannot read the hand-made integration's external ID back: it rotates one for the new role).
    expect(of(byHand)).toEqual(apiVersion === 'v1' ? ['rotate-external-id', 'adopt-integration', 'create-role'] : ['adopt-integration', 'create-role']);
    expect(plan.actions.find((a) => a.accountId === byHand && a.type === 'adopt-integration')?.reason).toMatch(/^adopt: /);
    expect(of(leaver)).toEqual(['delete-integration']);
    // The human plan says why theirs stay.
    const human = await cli(['converge', '--dry-run', THEIRS, THEIRS_MARKED, EXCLUDED]);
    expect(human.stdout).toContain(`does not carry ${marker}, so nothing proves this deployment made it: left alone`);
    expect(human.stdout).toContain("it carries the marker of o-theirorg987, another deployment's");
    expect(human.stdout).toContain('listed in scope.excludeAccounts: left alone (scope.onExclusion is "leave")');
  });

  it('apply with a generous --max-deletions keeps every one of theirs; ours are integrated and marked; then all in sync', async () => {
    const before = theirs();
    const run = await cli(['apply', '--yes', '--max-deletions', '100']);
    expect(run.code).toBe(0);
    expect(theirs()).toEqual(before);
    expect(deletes()).toHaveLength(1);
    expect(ours(leaver)).toBeUndefined();
    for (const id of [converged, byHand]) expect(ours(id)?.host_tags).toContain(marker);
    const plan = JSON.parse((await cli(['plan', '--json'])).stdout) as { summary: Record<string, number> };
    expect(plan.summary).toMatchObject({ toCreate: 0, toRepair: 0, toDelete: 0 });
    // Every event's converge keeps them too.
    expect((await cli(['converge', THEIRS, THEIRS_MARKED, EXCLUDED])).code).toBe(0);
    expect(theirs()).toEqual(before);
  });

  it('scope.onExclusion "offboard": the excluded account is offboarded; theirs still stay', async () => {
    const before = theirs().filter((a) => a.account_id !== EXCLUDED);
    const config = configFile({ scope: { excludeAccounts: [EXCLUDED], onExclusion: 'offboard' } });
    const run = await runCliCollect(withApiVersion(['--config', config, 'apply', '--yes', '--max-deletions', '100'], apiVersion, files.write), { env: env() });
    expect(run.code).toBe(0);
    expect(ours(EXCLUDED)).toBeUndefined();
    expect(theirs().filter((a) => a.account_id !== EXCLUDED)).toEqual(before);
  });

  describe('offboard --all', () => {
    beforeEach(async () => {
      expect((await cli(['apply', '--yes', '--max-deletions', '100'])).code).toBe(0);
      datadog.requests.length = 0;
      model.clearCalls();
    });

    it('--dry-run lists exactly ours and writes nothing', async () => {
      const run = await cli(['offboard', '--all', '--dry-run', '--json']);
      expect(run.code).toBe(0);
      const report = JSON.parse(run.stdout) as { organizationId: string; marker: string; dryRun: boolean; items: ItemJson[] };
      expect(report).toMatchObject({ organizationId: model.organizationId, marker, dryRun: true });
      const policyArn = `arn:aws:iam::${EXCLUDED}:policy/datadog-aws-org-integration/${ROLE}-ResourceCollection1`;
      expect(report.items.map((i) => [i.accountId, i.kind, i.name, i.status]).sort()).toEqual(
        [
          [converged, 'integration', ROLE, 'planned'],
          [converged, 'role', ROLE, 'planned'],
          [byHand, 'integration', ROLE, 'planned'],
          [byHand, 'role', ROLE, 'planned'],
          [EXCLUDED, 'policy', policyArn, 'planned'],
        ].sort(),
      );
      expect(datadog.requests.filter((r) => r.method !== 'GET')).toEqual([]);
      expect(model.iamWrites()).toEqual([]);
      const human = await cli(['offboard', '--all', '--dry-run']);
      expect(human.stdout).toContain(`Ownership marker: ${marker}`);
      expect(human.stdout).toContain('Dry run: nothing was deleted.');
    });

    it('--yes deletes exactly ours: theirs, the excluded one and what is not tagged ours stay', async () => {
      const before = theirs();
      const run = await cli(['offboard', '--all', '--yes', '--json']);
      expect(run.code).toBe(0);
      const report = JSON.parse(run.stdout) as { items: ItemJson[] };
      expect(report.items.every((i) => i.status === 'deleted')).toBe(true);
      expect(datadog.stored().filter((a) => (a.host_tags ?? []).includes(marker))).toEqual([]);
      expect(theirs()).toEqual(before);
      expect(deletes()).toHaveLength(2);
      for (const id of [converged, byHand]) expect(model.getRole(id, ROLE)).toBeUndefined();
      expect(model.customerPolicies(EXCLUDED).map((p) => p.name)).toEqual(['NotOurs']);
      // Nothing of ours is left: a second run finds nothing.
      const again = await cli(['offboard', '--all', '--yes']);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('Nothing of ours to delete.');
    });

    it('off a terminal without --yes: exit 2, nothing read or deleted; without --all: exit 2', async () => {
      const run = await cli(['offboard', '--all']);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('pass --yes');
      expect((await cli(['offboard', '--yes'])).code).toBe(2);
      expect(datadog.requests).toEqual([]);
    });

    it('on a terminal: the typed organization ID confirms; anything else deletes nothing', async () => {
      const onTerminal = async (answer: string) => {
        let stdout = '';
        const questions: string[] = [];
        const code = await runCli(withApiVersion(['--config', configFile(), 'offboard', '--all'], apiVersion, files.write), {
          env: env(),
          stdout: (text) => (stdout += text),
          stderr: () => undefined,
          sleep: async () => undefined,
          isInteractive: () => true,
          prompt: async (question) => {
            questions.push(question);
            return answer;
          },
        });
        return { code, stdout, questions };
      };
      const refused = await onTerminal('yes');
      expect(refused.code).toBe(0);
      expect(refused.questions).toEqual([expect.stringContaining(`Type the organization ID (${model.organizationId})`)]);
      expect(deletes()).toEqual([]);
      const confirmed = await onTerminal(model.organizationId);
      expect(confirmed.code).toBe(0);
      expect(confirmed.stdout).toContain('5 deleted, 0 failed');
      expect(deletes()).toHaveLength(2);
    });
  });
});
