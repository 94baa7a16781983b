/**
 * The whole pipeline, as a user runs it: the real CLI and the real AWS SDK clients against
 * the stateful AWS stand-in (through AWS_ENDPOINT_URL) and the Datadog stand-in.
 * create -> converge -> converge again (zero writes) -> delete the role by hand -> converge
 * (restored) -> close -> converge (integration deleted), and the safety rules.
 * Every test runs under datadog.apiVersion v1 and v2 (one Datadog stand-in serves both).
 */
import { DEFAULT_OWNERSHIP_TAG_KEY, ownershipMarker } from '../../lambda/domain/ownership';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATADOG_STANDARD_PERMISSIONS } from '../../lambda/domain/datadog-permissions';
import { runCliCollect, tempFiles } from '../cli/harness';
import { FakeAwsOrganization, pointProcessAt, startAwsStandin } from '@datadog-aws-org-integration/standins/aws';
import { DatadogStandin } from '@datadog-aws-org-integration/standins/datadog';
import { API_VERSIONS, configIdOf, emptyIntegrationList, integrationListPath, missingRoleActions, newAccountActions, withApiVersion } from '../support/api-version';

const API_KEY = 'flow-api-key-1234';
const APP_KEY = 'flow-app-key-5678';
const ROLE = 'DatadogIntegrationRole';
const DATADOG_ACCOUNT = '464622532012';
const MANAGED_BY = { 'managed-by': 'datadog-aws-org-integration' };

interface JsonResult {
  accountId: string;
  status: string;
  actions: { type: string; reason: string }[];
  error?: string;
}

describe.each(API_VERSIONS)('converge flow against the AWS and Datadog stand-ins, datadog.apiVersion %s', (apiVersion) => {
  const v2 = apiVersion === 'v2';
  const datadog = new DatadogStandin({ apiKey: API_KEY, appKey: APP_KEY });
  const files = tempFiles();
  let model: FakeAwsOrganization;
  let aws: Awaited<ReturnType<typeof startAwsStandin>>;
  let workloads: string;
  let restoreEnv: () => void;
  const marker = () => ownershipMarker({ markerKey: DEFAULT_OWNERSHIP_TAG_KEY, organizationId: model.organizationId });

  beforeAll(async () => {
    await datadog.start();
  });

  beforeEach(async () => {
    model = new FakeAwsOrganization({ managementAccountId: '111111111111' });
    workloads = model.createOu('Workloads');
    aws = await startAwsStandin(model);
    // The SDK reads its endpoint and credentials from the process environment, as for a user.
    restoreEnv = pointProcessAt(aws);
    datadog.reset();
  });

  afterEach(async () => {
    await aws.stop();
    restoreEnv();
  });

  afterAll(async () => {
    await datadog.stop();
    files.cleanup();
  });

  const env = () => ({ ...process.env, DD_API_URL: datadog.url, DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY });

  async function cli(...args: string[]) {
    const argv = withApiVersion(args, apiVersion, files.write);
    const run = await runCliCollect(argv, { env: env() });
    if (!run.stdout.trim().startsWith('{')) return { ...run, json: undefined };
    // Every --json object names the configuration's source: here the --config file.
    const { configSource, ...json } = JSON.parse(run.stdout) as { configSource: string };
    expect(configSource).toBe(argv[argv.indexOf('--config') + 1]);
    return { ...run, json: json as unknown as { results: JsonResult[] } };
  }

  const optOutConfig = () => files.write('opt-out.json', { scope: { optOutTag: { key: 'datadog-integration', value: 'opt-out' } } });
  const types = (result: JsonResult | undefined) => result?.actions.map((a) => a.type);
  const ours = (accountId: string) => datadog.stored().find((a) => a.account_id === accountId && a.role_name === ROLE);
  const datadogWrites = () => datadog.requests.filter((r) => r.method !== 'GET');
  const datadogCanAssume = (accountId: string, externalId: string | undefined) =>
    model.canAssume(accountId, ROLE, { principalAccount: DATADOG_ACCOUNT, externalId });
  const NEW_ACCOUNT = newAccountActions(apiVersion);

  it('onboards, is idempotent, repairs a deleted role, and offboards a closed account', async () => {
    const accountId = model.createAccount({ name: 'Payments Prod', parentId: workloads });

    let run = await cli('converge', accountId, '--json');
    expect(run.code).toBe(0);
    expect(types(run.json?.results[0])).toEqual(NEW_ACCOUNT);
    const first = ours(accountId)?.external_id;
    expect(first).toMatch(/^[0-9a-f]{32}$/);
    // Our marker names our organization: the visible proof of ownership.
    expect(ours(accountId)?.host_tags).toEqual(['aws_account_name:payments_prod', marker()]);
    expect(datadogCanAssume(accountId, first)).toBe(true);
    expect(datadogCanAssume(accountId, undefined)).toBe(false);
    expect(datadogCanAssume(accountId, 'another-id')).toBe(false);
    // Every integration request went to the configured version's API.
    const integrationPaths = datadog.requests.map((r) => r.path).filter((path) => !path.includes('/iam_permissions'));
    expect(integrationPaths.length).toBeGreaterThan(0);
    expect(integrationPaths.every((path) => path.startsWith(`/api/${apiVersion}/integration/aws`))).toBe(true);
    const role = model.getRole(accountId, ROLE)!;
    expect(role.tags).toEqual(MANAGED_BY);
    expect(JSON.parse(role.inlinePolicies.DatadogIntegrationPolicy!).Statement[0].Action).toEqual([...DATADOG_STANDARD_PERMISSIONS].sort());
    expect(role.attachedPolicyArns).toEqual([]);

    // Again: nothing to do, and zero writes anywhere.
    const iamWritesBefore = model.iamWrites(accountId).length;
    const datadogWritesBefore = datadogWrites().length;
    run = await cli('converge', accountId, '--json');
    expect(run.code).toBe(0);
    expect(run.json?.results[0]).toMatchObject({ status: 'ok', actions: [{ type: 'none' }] });
    expect(model.iamWrites(accountId)).toHaveLength(iamWritesBefore);
    expect(datadogWrites()).toHaveLength(datadogWritesBefore);

    model.deleteRoleByHand(accountId, ROLE);
    run = await cli('converge', accountId, '--json');
    const second = ours(accountId)?.external_id;
    expect(types(run.json?.results[0])).toEqual(missingRoleActions(apiVersion));
    if (v2) {
      expect(second).toBe(first); // v2 lists the external ID: the role trusts it again, nothing rotated
    } else {
      expect(second).not.toEqual(first); // v1 cannot read it back: rotated
      expect(datadogCanAssume(accountId, first)).toBe(false);
    }
    expect(datadogCanAssume(accountId, second)).toBe(true);

    // The account is closed: the integration goes; the role cannot be reached any more.
    model.closeAccount(accountId, { immediate: true });
    run = await cli('converge', accountId, '--json');
    expect(run.code).toBe(0);
    expect(run.json?.results[0]).toMatchObject({ status: 'ok', actions: [{ type: 'delete-integration' }] });
    expect(ours(accountId)).toBeUndefined();

    // And once more: nothing left of ours, so skipped.
    run = await cli('converge', accountId, '--json');
    expect(run.json?.results[0]).toMatchObject({ status: 'skipped', actions: [{ type: 'none' }] });
  });

  it('--dry-run prints the same plan and writes nothing anywhere', async () => {
    const accountId = model.createAccount({ name: 'dry', parentId: workloads });
    const dry = await cli('converge', accountId, '--dry-run', '--json');
    expect(types(dry.json?.results[0])).toEqual(NEW_ACCOUNT);
    expect(datadogWrites()).toHaveLength(0);
    expect(model.iamWrites()).toHaveLength(0);
    const real = await cli('converge', accountId, '--json');
    expect(real.json?.results[0]?.actions).toEqual(dry.json?.results[0]?.actions);
  });

  it('a new account that cannot be assumed yet is "retry later" (exit 75), then converges', async () => {
    const accountId = model.createAccount({ name: 'fresh', parentId: workloads, assumableAfterAttempts: 1 });
    const first = await cli('converge', accountId, '--json');
    expect(first.code).toBe(75);
    expect(first.json?.results[0]).toMatchObject({ status: 'retry', actions: [] });
    expect(first.json?.results[0]?.error).toContain('retry later');
    expect(datadogWrites()).toHaveLength(0);
    const second = await cli('converge', accountId, '--json');
    expect(second.code).toBe(0);
    expect(types(second.json?.results[0])).toEqual(NEW_ACCOUNT);
  });

  it('an old account whose member access role refuses us is an error naming the fix (exit 1)', async () => {
    const accountId = model.createAccount({ name: 'invited', parentId: workloads, joinedMethod: 'INVITED', joinedTimestamp: new Date('2020-01-01') });
    const run = await cli('converge', accountId, '--json');
    expect(run.code).toBe(1);
    expect(run.json?.results[0]?.status).toBe('error');
    expect(run.json?.results[0]?.error).toContain('role.memberAccessRoleName');
  });

  it('adopts an integration that already exists (409 on create): rotates, updates, writes the trust', async () => {
    const accountId = model.createAccount({ name: 'adopted', parentId: workloads });
    datadog.seed({ account_id: accountId, role_name: ROLE, host_tags: ['old:tag'], external_id: 'stale' });
    // The first read lists nothing (as if the integration appeared between observe and act).
    datadog.inject({ kind: 'status', status: 200, body: emptyIntegrationList(apiVersion), only: integrationListPath(apiVersion) });
    const run = await cli('converge', accountId, '--json');
    expect(run.code).toBe(0);
    expect(types(run.json?.results[0])).toEqual(NEW_ACCOUNT);
    const stored = datadog.stored().filter((a) => a.account_id === accountId);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.host_tags).toEqual(['aws_account_name:adopted', marker()]);
    expect(stored[0]?.external_id).not.toBe('stale');
    expect(datadogCanAssume(accountId, stored[0]?.external_id)).toBe(true);
  });

  it('repairs drift in Datadog settings and in the role, without rotating', async () => {
    const accountId = model.createAccount({ name: 'drifty', parentId: workloads });
    await cli('converge', accountId);
    const externalId = ours(accountId)?.external_id;
    datadog.seed({ ...ours(accountId)!, host_tags: ['hand:made', marker()], metrics_collection_enabled: false });
    const role = model.getRole(accountId, ROLE)!;
    model.putRoleByHand(accountId, {
      ...role,
      inlinePolicies: { DatadogIntegrationPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ec2:Describe*'], Resource: '*' }] } },
    });
    const run = await cli('converge', accountId, '--json');
    expect(run.json?.results[0]?.error).toBeUndefined();
    expect(types(run.json?.results[0])).toEqual(['update-integration', 'update-role-policy']);
    expect(run.json?.results[0]?.actions[0]?.reason).toContain('host_tags');
    expect(run.json?.results[0]?.actions[0]?.reason).toContain('metrics_collection_enabled');
    expect(ours(accountId)).toMatchObject({ host_tags: ['aws_account_name:drifty', marker()], metrics_collection_enabled: true, external_id: externalId });
    expect((await cli('converge', accountId, '--json')).json?.results[0]?.actions).toEqual([
      { type: 'none', reason: expect.any(String), target: 'datadoghq.com' },
    ]);
  });

  it('never touches integrations of other role names or access keys, even when offboarding', async () => {
    const accountId = model.createAccount({ name: 'shared', parentId: workloads });
    datadog.seed({ account_id: accountId, role_name: 'OtherTeamRole', host_tags: ['team:other'] });
    datadog.seed({ account_id: accountId, access_key_id: 'AKIAOTHERTEAM0000000' });
    await cli('converge', accountId);
    const configId = configIdOf(datadog, accountId, ROLE);
    model.tagAccount(accountId, { 'datadog-integration': 'opt-out' });
    const run = await cli('--config', optOutConfig(), 'converge', accountId, '--json');
    expect(types(run.json?.results[0])).toEqual(['delete-integration', 'delete-role']);
    expect(datadog.stored().filter((a) => a.account_id === accountId)).toEqual([
      expect.objectContaining({ role_name: 'OtherTeamRole', host_tags: ['team:other'] }),
      expect.objectContaining({ access_key_id: 'AKIAOTHERTEAM0000000' }),
    ]);
    expect(model.getRole(accountId, ROLE)).toBeUndefined();
    const deletes = datadog.requests.filter((r) => r.method === 'DELETE');
    if (v2) {
      // v2 deletes by config UUID in the path, no body: ours, exactly once.
      expect(deletes.map((r) => [r.path, r.body])).toEqual([[`/api/v2/integration/aws/accounts/${configId}`, undefined]]);
    } else {
      expect(deletes.map((r) => r.body)).toEqual([{ account_id: accountId, role_name: ROLE }]);
    }
  });

  it('keeps a role of our name that it did not create (no managed-by tag) when offboarding', async () => {
    const accountId = model.createAccount({ name: 'hand', parentId: workloads });
    model.putRoleByHand(accountId, {
      roleName: ROLE,
      assumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${DATADOG_ACCOUNT}:root` }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'x' } } }] },
    });
    model.tagAccount(accountId, { 'datadog-integration': 'opt-out' });
    const run = await cli('--config', optOutConfig(), 'converge', accountId);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('kept: it has no managed-by=datadog-aws-org-integration tag');
    expect(model.getRole(accountId, ROLE)).toBeDefined();
  });

  it('a trust update that fails after the create leaves no integration whose external ID the role does not trust; the next run converges', async () => {
    const accountId = model.createAccount({ name: 'half-trusted', parentId: workloads });
    // The role trusts one external ID (of an integration deleted by hand): v1 takes a single ID as right.
    model.putRoleByHand(accountId, {
      roleName: ROLE,
      assumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${DATADOG_ACCOUNT}:root` }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'old-id' } } }] },
    });
    // Every attempt the SDK makes at the trust fails: the run stops after Datadog issued the new ID (v1).
    model.failNext({ service: 'iam', operation: 'UpdateAssumeRolePolicy', code: 'ServiceFailure', times: 6 });
    const first = await cli('converge', accountId, '--json');
    model.clearFaults();
    expect(first.code).toBe(75);
    expect(first.json?.results[0]?.status).toBe('retry');
    const halfWay = ours(accountId);
    if (halfWay) expect(datadogCanAssume(accountId, halfWay.external_id)).toBe(true);
    const second = await cli('converge', accountId, '--json');
    expect(second.code).toBe(0);
    expect(datadogCanAssume(accountId, ours(accountId)?.external_id)).toBe(true);
  });

  it('an account that left the organization has its integration deleted', async () => {
    const accountId = model.createAccount({ name: 'leaver', parentId: workloads });
    await cli('converge', accountId);
    model.removeAccount(accountId);
    const run = await cli('converge', accountId, '--json');
    expect(run.json?.results[0]).toMatchObject({
      status: 'ok',
      actions: [{ type: 'delete-integration', reason: `the account is not in the organization: offboarded (it carries our marker ${marker()})` }],
    });
    expect(ours(accountId)).toBeUndefined();
  });

  it('rejects a bad account ID before any call (exit 2)', async () => {
    const run = await cli('converge', '12345');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('exactly 12 digits');
    expect(model.calls).toHaveLength(0);
    expect(datadog.requests).toHaveLength(0);
  });

  // What only v2 can do: it reads the external ID back, so trust drift shows and needs no rotation.
  if (v2) {
    describe('v2 only: the external ID read back', () => {
      const V2_ACCOUNTS = '/api/v2/integration/aws/accounts';
      const MINT = '/api/v2/integration/aws/generate_new_external_id';
      const trustOf = (accountId: string) => model.getRole(accountId, ROLE)!.assumeRolePolicyDocument;

      async function onboarded(name: string) {
        const accountId = model.createAccount({ name, parentId: workloads });
        expect((await cli('converge', accountId)).code).toBe(0);
        const externalId = ours(accountId)!.external_id!;
        expect(datadogCanAssume(accountId, externalId)).toBe(true);
        datadog.requests.length = 0;
        return { accountId, externalId };
      }

      it('a role whose external ID was edited by hand gets its trust repaired: update-role-trust, no rotation', async () => {
        const { accountId, externalId } = await onboarded('edited');
        const role = model.getRole(accountId, ROLE)!;
        model.putRoleByHand(accountId, { ...role, assumeRolePolicyDocument: role.assumeRolePolicyDocument.replace(externalId, 'edited-by-hand') });
        expect(datadogCanAssume(accountId, externalId)).toBe(false);

        const run = await cli('converge', accountId, '--json');
        expect(run.code).toBe(0);
        expect(types(run.json?.results[0])).toEqual(['update-role-trust']);
        expect(ours(accountId)?.external_id).toBe(externalId);
        expect(datadogWrites()).toEqual([]); // no mint, no PATCH: Datadog keeps its ID
        expect(datadogCanAssume(accountId, externalId)).toBe(true);
        expect(datadogCanAssume(accountId, 'edited-by-hand')).toBe(false);
        expect(trustOf(accountId)).not.toContain('edited-by-hand');
        expect(types((await cli('converge', accountId, '--json')).json?.results[0])).toEqual(['none']);
      });

      it('a deleted role is recreated trusting the external ID Datadog already has', async () => {
        const { accountId, externalId } = await onboarded('deleted');
        model.deleteRoleByHand(accountId, ROLE);
        const run = await cli('converge', accountId, '--json');
        expect(run.code).toBe(0);
        expect(types(run.json?.results[0])).toEqual(['create-role']);
        expect(ours(accountId)?.external_id).toBe(externalId);
        expect(datadogWrites()).toEqual([]);
        expect(model.getRole(accountId, ROLE)?.tags).toEqual(MANAGED_BY);
        expect(datadogCanAssume(accountId, externalId)).toBe(true);
      });

      it('a new account: the role exists before the integration, which is created with the ID the role trusts', async () => {
        const accountId = model.createAccount({ name: 'ordered', parentId: workloads });
        // What Datadog had been asked when IAM served CreateRole.
        let datadogWritesAtCreateRole: string[] | undefined;
        model.onCall = (call) => {
          if (call.operation === 'CreateRole' && !call.error) datadogWritesAtCreateRole = datadogWrites().map((r) => `${r.method} ${r.path}`);
        };
        try {
          expect((await cli('converge', accountId)).code).toBe(0);
        } finally {
          model.onCall = undefined;
        }
        expect(datadogWritesAtCreateRole).toEqual([`POST ${MINT}`]);
        expect(datadogWrites().map((r) => `${r.method} ${r.path}`)).toEqual([`POST ${MINT}`, `POST ${V2_ACCOUNTS}`]);

        const created = datadogWrites()[1]!.body as { data: { attributes: { auth_config: { role_name: string; external_id: string } } } };
        const sent = created.data.attributes.auth_config;
        expect(sent.role_name).toBe(ROLE);
        expect(sent.external_id).toMatch(/\S/);
        expect(trustOf(accountId)).toContain(JSON.stringify(sent.external_id));
        expect(datadogCanAssume(accountId, sent.external_id)).toBe(true);
        expect(ours(accountId)?.external_id).toBe(sent.external_id);
      });
    });
  }

  describe('handle-event', () => {
    const fixture = (name: string) => join(__dirname, '..', 'support', 'events', name);

    it('converges the account a CreateAccountResult names', async () => {
      const event = JSON.parse(readFileSync(fixture('organizations-create-account-result-succeeded.json'), 'utf8'));
      const accountId: string = event.detail.serviceEventDetails.createAccountStatus.accountId;
      model.createAccount({ name: 'from-event', id: accountId, parentId: workloads });
      const run = await cli('handle-event', fixture('organizations-create-account-result-succeeded.json'), '--json');
      expect(run.code).toBe(0);
      expect(run.json?.results[0]).toMatchObject({ accountId, status: 'ok' });
      expect(types(run.json?.results[0])).toEqual(NEW_ACCOUNT);
    });

    it('reads the event from standard input with -', async () => {
      const text = readFileSync(fixture('organizations-close-account.json'), 'utf8');
      const accountId: string = JSON.parse(text).detail.requestParameters.accountId;
      model.createAccount({ name: 'closing', id: accountId, parentId: workloads });
      const { runCli } = await import('../../cli/program');
      let stdout = '';
      const code = await runCli(withApiVersion(['handle-event', '-', '--dry-run', '--json'], apiVersion, files.write), {
        env: env(),
        stdout: (t) => (stdout += t),
        stderr: () => undefined,
        readStdin: async () => text,
      });
      expect(code).toBe(0);
      expect(JSON.parse(stdout).results[0]).toMatchObject({ accountId, status: 'ok' });
    });

    it('acknowledges a FAILED CreateAccountResult and does nothing (exit 0)', async () => {
      const run = await cli('handle-event', fixture('organizations-create-account-result-failed.json'), '--json');
      expect(run.code).toBe(0);
      expect(run.json).toEqual({ results: [] });
      expect(run.stderr).toContain('FAILED');
      expect(model.calls).toHaveLength(0);
      expect(datadog.requests).toHaveLength(0);
    });

    it('exits 2 naming source and eventName for an event it does not understand', async () => {
      const path = files.write('ec2.json', { source: 'aws.ec2', 'detail-type': 'AWS API Call via CloudTrail', detail: { eventName: 'RunInstances' } });
      const run = await cli('handle-event', path);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('aws.ec2');
      expect(run.stderr).toContain('RunInstances');
    });

    it('exits 2 for a file that is missing or not JSON', async () => {
      expect((await cli('handle-event', '/nonexistent/event.json')).stderr).toContain('no such file');
      const run = await cli('handle-event', files.write('bad.json', '{not json'));
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('not JSON');
    });
  });
});
