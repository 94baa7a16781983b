import { existsSync } from 'node:fs';
import { parseConfig } from '../../lambda/config/schema';
import { createV1Client } from '../../lambda/datadog/factory';
import type { DatadogAwsV1Client } from '../../lambda/datadog/v1/client';
import type { AWSAccount } from '../../lambda/datadog/v1/types';
import { ACCOUNT_A, ACCOUNT_B, ROLE, runCliCollect, sourceLine, tempFiles, type CliRun } from '../cli/harness';
import { DatadogStandin, STANDIN_NAMESPACES, type Fault } from '@datadog-aws-org-integration/standins/datadog';
import { DATADOG_V1_SPEC, expectDocumentedError, startPrismProxy, violationRecorder, type PrismProxy, type ViolationRecorder } from '../support/prism';

/**
 * Proves that our Datadog traffic matches Datadog's own v1 OpenAPI document: every call goes
 * through `prism proxy <spec> <stand-in> --errors`, which answers 422 to a request and 500 to a
 * response that breaks the document. Driven both through DatadogAwsV1Client and the CLI.
 */

const API_KEY = 'contract-api-key-3e7a91c4';
const APP_KEY = 'contract-app-key-5b2d80f6';
const WRONG_API_KEY = 'contract-wrong-api-key-0000';
const PATH = '/api/v1/integration/aws';
const ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';

const specPresent = existsSync(DATADOG_V1_SPEC);

if (!specPresent) {
  describe.skip(`Datadog v1 contract: skipped because ../shared is absent (${DATADOG_V1_SPEC} not found)`, () => {
    it('needs ../shared/datadog/aws-integration-v1.openapi.yaml: ../shared is absent', () => undefined);
  });
} else {
  describe('Datadog v1 contract: our traffic through Prism with Datadog\'s OpenAPI document', () => {
    const standin = new DatadogStandin({ apiKey: API_KEY, appKey: APP_KEY });
    const files = tempFiles();
    let prism: PrismProxy | undefined;
    let recorder: ViolationRecorder;
    let cliConfig: string;

    beforeAll(async () => {
      const upstream = await standin.start();
      prism = await startPrismProxy(DATADOG_V1_SPEC, upstream);
      // One attempt: a 429 reaches the caller as Datadog sent it, and nothing is retried out of sight.
      // v1 explicitly: this suite checks the v1 API's six operations, whatever the default is.
      cliConfig = files.write('contract.json', { datadog: { apiVersion: 'v1', maxAttempts: 1 } });
    }, 60_000);

    afterAll(async () => {
      await prism?.stop();
      await standin.stop();
      files.cleanup();
    }, 30_000);

    beforeEach(() => {
      standin.reset();
      recorder = violationRecorder();
    });

    afterEach(() => {
      const errors = recorder.violations.filter((v) => v.violations.some((violation) => violation.severity === 'Error'));
      expect(errors).toEqual([]);
      expect(recorder.violations).toEqual([]);
      expect(recorder.responses.filter((r) => r.fromPrism || r.status === 422 || r.status === 500)).toEqual([]);
      expect(recorder.responses.every((r) => r.url.startsWith(`${prism!.url}/`))).toBe(true);
    });

    function client(env: NodeJS.ProcessEnv = { DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY }): DatadogAwsV1Client {
      const config = parseConfig({ datadog: { apiVersion: 'v1', apiUrl: prism!.url, maxAttempts: 1 } }).datadog;
      return createV1Client(config, {
        env,
        secretsManager: () => {
          throw new Error('no secret in the contract tests');
        },
        fetch: recorder.fetch,
        sleep: async () => undefined,
      });
    }

    function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
      return runCliCollect(['--config', cliConfig, ...args], {
        env: { DD_API_URL: prism!.url, DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY, ...env },
        fetch: recorder.fetch,
      });
    }

    /** Every field of AWSAccount for a role-delegation integration, the deprecated one included. */
    const ROLE_ACCOUNT: AWSAccount = {
      account_id: ACCOUNT_A,
      role_name: ROLE,
      host_tags: ['team:platform', 'env:prod'],
      filter_tags: ['datadog:monitored', '!env:dev*', 'instance-type:c?.*'],
      excluded_regions: ['us-east-1', 'us-west-2'],
      account_specific_namespace_rules: { auto_scaling: false, opsworks: true },
      metrics_collection_enabled: false,
      cspm_resource_collection_enabled: true,
      extended_resource_collection_enabled: true,
      resource_collection_enabled: true,
    };

    /** Every field of AWSAccount for an access-key integration (GovCloud, China). */
    const KEY_ACCOUNT: AWSAccount = {
      account_id: ACCOUNT_B,
      access_key_id: ACCESS_KEY_ID,
      secret_access_key: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      host_tags: ['partition:aws-us-gov'],
      filter_tags: ['env:gov'],
      excluded_regions: ['us-gov-east-1'],
      account_specific_namespace_rules: { ec2: true },
      metrics_collection_enabled: true,
      cspm_resource_collection_enabled: false,
      extended_resource_collection_enabled: false,
      resource_collection_enabled: false,
    };

    /** What Datadog lists: never the secret access key. */
    const visible = ({ secret_access_key: _secret, ...listed }: AWSAccount): AWSAccount => listed;

    describe('DatadogAwsV1Client', () => {
      it('CreateAWSAccount with every field of a role-delegation AWSAccount', async () => {
        const response = await client().createAccount(ROLE_ACCOUNT);
        expect(response).toEqual({ external_id: expect.stringMatching(/^[0-9a-f]{32}$/) });
        expect(standin.stored()).toEqual([{ ...ROLE_ACCOUNT, external_id: response.external_id }]);
        expect(standin.requests[0]!.body).toEqual(ROLE_ACCOUNT);
      });

      it('CreateAWSAccount with every field of an access-key AWSAccount', async () => {
        const response = await client().createAccount(KEY_ACCOUNT);
        expect(response).toEqual({});
        expect(standin.requests[0]!.body).toEqual(KEY_ACCOUNT);
      });

      it('ListAWSAccounts: unfiltered, and by account_id, role_name, access_key_id, all three', async () => {
        standin.seed({ ...ROLE_ACCOUNT, external_id: 'ext-a' });
        standin.seed(KEY_ACCOUNT);
        standin.seed({ account_id: ACCOUNT_B, role_name: ROLE });
        const dd = client();

        expect(await dd.listAccounts()).toEqual({ accounts: [visible(ROLE_ACCOUNT), visible(KEY_ACCOUNT), { account_id: ACCOUNT_B, role_name: ROLE }] });
        expect(await dd.listAccounts({ accountId: ACCOUNT_A })).toEqual({ accounts: [visible(ROLE_ACCOUNT)] });
        expect((await dd.listAccounts({ roleName: ROLE })).accounts).toHaveLength(2);
        expect(await dd.listAccounts({ accessKeyId: ACCESS_KEY_ID })).toEqual({ accounts: [visible(KEY_ACCOUNT)] });
        expect(await dd.listAccounts({ accountId: ACCOUNT_B, roleName: ROLE, accessKeyId: ACCESS_KEY_ID })).toEqual({ accounts: [] });
        expect(standin.requests.map((r) => r.query)).toEqual([
          {},
          { account_id: ACCOUNT_A },
          { role_name: ROLE },
          { access_key_id: ACCESS_KEY_ID },
          { account_id: ACCOUNT_B, role_name: ROLE, access_key_id: ACCESS_KEY_ID },
        ]);
      });

      it('UpdateAWSAccount by account_id + role_name with every field', async () => {
        standin.seed({ account_id: ACCOUNT_A, role_name: ROLE, external_id: 'ext-a' });
        const changed: AWSAccount = {
          ...ROLE_ACCOUNT,
          host_tags: ['team:data'],
          metrics_collection_enabled: true,
          cspm_resource_collection_enabled: false,
          extended_resource_collection_enabled: false,
          resource_collection_enabled: false,
        };
        expect(await client().updateAccount({ accountId: ACCOUNT_A, roleName: ROLE }, changed)).toEqual({});
        expect(standin.requests[0]!.query).toEqual({ account_id: ACCOUNT_A, role_name: ROLE });
        expect(standin.stored()).toEqual([{ ...changed, external_id: 'ext-a' }]);
      });

      it('UpdateAWSAccount by access_key_id with every field', async () => {
        standin.seed({ access_key_id: ACCESS_KEY_ID, secret_access_key: 'old-secret' });
        expect(await client().updateAccount({ accessKeyId: ACCESS_KEY_ID }, KEY_ACCOUNT)).toEqual({});
        expect(standin.requests[0]!.query).toEqual({ access_key_id: ACCESS_KEY_ID });
        expect(standin.stored()).toEqual([KEY_ACCOUNT]);
      });

      it('DeleteAWSAccount by account_id + role_name and by access_key_id', async () => {
        standin.seed({ account_id: ACCOUNT_A, role_name: ROLE });
        standin.seed(KEY_ACCOUNT);
        const dd = client();
        expect(await dd.deleteAccount({ account_id: ACCOUNT_A, role_name: ROLE })).toEqual({});
        expect(await dd.deleteAccount({ access_key_id: ACCESS_KEY_ID })).toEqual({});
        expect(standin.stored()).toEqual([]);
        expect(standin.requests.map((r) => r.body)).toEqual([{ account_id: ACCOUNT_A, role_name: ROLE }, { access_key_id: ACCESS_KEY_ID }]);
      });

      it('ListAvailableAWSNamespaces', async () => {
        expect(await client().listAvailableNamespaces()).toEqual(STANDIN_NAMESPACES);
      });

      it('CreateNewAWSExternalID', async () => {
        standin.seed({ account_id: ACCOUNT_A, role_name: ROLE, external_id: 'ext-old' });
        const response = await client().createNewExternalId({ account_id: ACCOUNT_A, role_name: ROLE });
        expect(response).toEqual({ external_id: standin.stored()[0]!.external_id });
        expect(response.external_id).not.toBe('ext-old');
      });
    });

    describe('CLI', () => {
      it('integration create with every option, --json', async () => {
        const run = await cli([
          'integration', 'create', '--account-id', ACCOUNT_A, '--role-name', ROLE,
          '--host-tag', 'team:platform', '--host-tag', 'env:prod',
          '--filter-tag', 'datadog:monitored', '--filter-tag', '!env:dev*',
          '--excluded-region', 'us-east-1', '--excluded-region', 'eu-west-3',
          '--namespace', 'auto_scaling=false', '--namespace', 'sqs=true',
          '--no-metrics', '--cspm', '--json',
        ]);
        expect(run).toMatchObject({ code: 0, stderr: sourceLine(cliConfig) });
        expect(JSON.parse(run.stdout)).toEqual({ external_id: standin.stored()[0]!.external_id });
        expect(standin.requests[0]!.body).toEqual({
          account_id: ACCOUNT_A,
          role_name: ROLE,
          host_tags: ['team:platform', 'env:prod'],
          filter_tags: ['datadog:monitored', '!env:dev*'],
          excluded_regions: ['us-east-1', 'eu-west-3'],
          account_specific_namespace_rules: { auto_scaling: false, sqs: true },
          metrics_collection_enabled: false,
          cspm_resource_collection_enabled: true,
          extended_resource_collection_enabled: true,
        });
      });

      it('integration create (human)', async () => {
        const run = await cli(['integration', 'create', '--account-id', ACCOUNT_A, '--role-name', ROLE, '--metrics', '--resource-collection']);
        expect(run.code).toBe(0);
        expect(run.stdout).toContain(`External ID: ${standin.stored()[0]!.external_id}`);
      });

      it('integration list: unfiltered, --account-id, --role-name, both; human and --json', async () => {
        standin.seed({ ...ROLE_ACCOUNT, external_id: 'ext-a' });
        standin.seed({ account_id: ACCOUNT_B, role_name: ROLE });
        const all = await cli(['integration', 'list', '--json']);
        expect(JSON.parse(all.stdout)).toEqual({ accounts: [ROLE_ACCOUNT, { account_id: ACCOUNT_B, role_name: ROLE }] });
        const byAccount = await cli(['integration', 'list', '--account-id', ACCOUNT_A, '--json']);
        expect(JSON.parse(byAccount.stdout)).toEqual({ accounts: [ROLE_ACCOUNT] });
        const byRole = await cli(['integration', 'list', '--role-name', ROLE]);
        expect(byRole.stdout).toContain('2 integrations');
        const byBoth = await cli(['integration', 'list', '--account-id', ACCOUNT_B, '--role-name', ROLE]);
        expect(byBoth.stdout).toContain('1 integration\n');
        expect([all, byAccount, byRole, byBoth].map((r) => r.code)).toEqual([0, 0, 0, 0]);
        expect(standin.requests.map((r) => r.query)).toEqual([
          {},
          { account_id: ACCOUNT_A },
          { role_name: ROLE },
          { account_id: ACCOUNT_B, role_name: ROLE },
        ]);
      });

      it('integration update with every option, --json', async () => {
        standin.seed({ ...ROLE_ACCOUNT, external_id: 'ext-a' });
        const run = await cli([
          'integration', 'update', '--account-id', ACCOUNT_A, '--role-name', ROLE,
          '--host-tag', 'team:data', '--filter-tag', 'a:b', '--excluded-region', 'ap-south-1',
          '--namespace', 'ec2=false', '--metrics', '--resource-collection', '--no-cspm', '--json',
        ]);
        expect(run).toMatchObject({ code: 0, stderr: sourceLine(cliConfig) });
        expect(JSON.parse(run.stdout)).toEqual({});
        expect(standin.requests[0]!.body).toEqual({
          account_id: ACCOUNT_A,
          role_name: ROLE,
          host_tags: ['team:data'],
          filter_tags: ['a:b'],
          excluded_regions: ['ap-south-1'],
          account_specific_namespace_rules: { ec2: false },
          metrics_collection_enabled: true,
          extended_resource_collection_enabled: true,
          cspm_resource_collection_enabled: false,
        });
      });

      it('integration update (human), one field', async () => {
        standin.seed({ account_id: ACCOUNT_A, role_name: ROLE });
        const run = await cli(['integration', 'update', '--account-id', ACCOUNT_A, '--role-name', ROLE, '--no-resource-collection']);
        expect(run.code).toBe(0);
        expect(standin.requests[0]!.body).toEqual({ account_id: ACCOUNT_A, role_name: ROLE, extended_resource_collection_enabled: false });
      });

      it('integration delete, human and --json', async () => {
        standin.seed({ account_id: ACCOUNT_A, role_name: ROLE });
        standin.seed({ account_id: ACCOUNT_B, role_name: ROLE });
        const human = await cli(['integration', 'delete', '--account-id', ACCOUNT_A, '--role-name', ROLE]);
        const json = await cli(['integration', 'delete', '--account-id', ACCOUNT_B, '--role-name', ROLE, '--json']);
        expect([human.code, json.code]).toEqual([0, 0]);
        expect(JSON.parse(json.stdout)).toEqual({});
        expect(standin.stored()).toEqual([]);
      });

      it('integration namespaces, human and --json', async () => {
        const human = await cli(['integration', 'namespaces']);
        const json = await cli(['integration', 'namespaces', '--json']);
        expect(human.stdout.trimEnd().split('\n')).toEqual(STANDIN_NAMESPACES);
        expect(JSON.parse(json.stdout)).toEqual(STANDIN_NAMESPACES);
      });

      it('integration rotate-external-id, human and --json', async () => {
        standin.seed({ account_id: ACCOUNT_A, role_name: ROLE, external_id: 'ext-old' });
        const human = await cli(['integration', 'rotate-external-id', '--account-id', ACCOUNT_A, '--role-name', ROLE]);
        expect(human.stdout).toContain(standin.stored()[0]!.external_id!);
        const json = await cli(['integration', 'rotate-external-id', '--account-id', ACCOUNT_A, '--role-name', ROLE, '--json']);
        expect(JSON.parse(json.stdout)).toEqual({ external_id: standin.stored()[0]!.external_id });
      });
    });

    /**
     * The error statuses the document declares per operation, each produced by the stand-in's
     * own behaviour where it has one (duplicate, unknown integration, wrong key), else injected.
     */
    interface ErrorCase {
      operation: string;
      status: 400 | 403 | 409 | 429;
      setup?: () => void;
      /** A wrong key instead of an injected fault. */
      wrongKey?: boolean;
      call: (dd: DatadogAwsV1Client) => Promise<unknown>;
      args: string[];
    }

    const RATE_LIMIT_HEADERS = {
      'X-RateLimit-Limit': '60',
      'X-RateLimit-Period': '60',
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': '42',
      'X-RateLimit-Name': 'aws_integration',
    };
    const inject = (fault: Fault) => () => standin.inject(fault);
    const rateLimited = inject({ kind: 'status', status: 429, headers: RATE_LIMIT_HEADERS, body: { errors: ['Too many requests'] } });
    const seedA = () => standin.seed({ account_id: ACCOUNT_A, role_name: ROLE, external_id: 'ext-a' });
    const ref = ['--account-id', ACCOUNT_A, '--role-name', ROLE];

    const operations = {
      ListAWSAccounts: {
        call: (dd: DatadogAwsV1Client) => dd.listAccounts({ accountId: ACCOUNT_A }),
        args: ['integration', 'list', '--account-id', ACCOUNT_A],
      },
      CreateAWSAccount: {
        call: (dd: DatadogAwsV1Client) => dd.createAccount({ account_id: ACCOUNT_A, role_name: ROLE }),
        args: ['integration', 'create', ...ref],
      },
      UpdateAWSAccount: {
        call: (dd: DatadogAwsV1Client) =>
          dd.updateAccount({ accountId: ACCOUNT_A, roleName: ROLE }, { account_id: ACCOUNT_A, role_name: ROLE, metrics_collection_enabled: false }),
        args: ['integration', 'update', ...ref, '--no-metrics'],
      },
      DeleteAWSAccount: {
        call: (dd: DatadogAwsV1Client) => dd.deleteAccount({ account_id: ACCOUNT_A, role_name: ROLE }),
        args: ['integration', 'delete', ...ref],
      },
      ListAvailableAWSNamespaces: {
        call: (dd: DatadogAwsV1Client) => dd.listAvailableNamespaces(),
        args: ['integration', 'namespaces'],
      },
      CreateNewAWSExternalID: {
        call: (dd: DatadogAwsV1Client) => dd.createNewExternalId({ account_id: ACCOUNT_A, role_name: ROLE }),
        args: ['integration', 'rotate-external-id', ...ref],
      },
    };
    type Operation = keyof typeof operations;
    const on = (operation: Operation, status: ErrorCase['status'], how: Partial<ErrorCase>): ErrorCase => ({
      operation,
      status,
      ...operations[operation],
      ...how,
    });

    const errorCases: ErrorCase[] = [
      on('ListAWSAccounts', 400, { setup: inject({ kind: 'status', status: 400, body: { errors: ['Invalid account_id filter'] } }) }),
      on('ListAWSAccounts', 403, { wrongKey: true }),
      on('ListAWSAccounts', 429, { setup: rateLimited }),
      on('CreateAWSAccount', 400, { setup: inject({ kind: 'status', status: 400, body: { errors: ['Invalid role name'] } }) }),
      on('CreateAWSAccount', 403, { wrongKey: true }),
      on('CreateAWSAccount', 409, { setup: seedA }),
      on('CreateAWSAccount', 429, { setup: rateLimited }),
      on('UpdateAWSAccount', 400, {}), // the integration does not exist
      on('UpdateAWSAccount', 403, { wrongKey: true, setup: seedA }),
      on('UpdateAWSAccount', 409, { setup: inject({ kind: 'status', status: 409, body: { errors: ['Conflicting updates, please retry'] } }) }),
      on('UpdateAWSAccount', 429, { setup: rateLimited }),
      on('DeleteAWSAccount', 400, {}), // the integration does not exist
      on('DeleteAWSAccount', 403, { wrongKey: true, setup: seedA }),
      on('DeleteAWSAccount', 409, { setup: inject({ kind: 'status', status: 409, body: { errors: ['Conflicting updates, please retry'] } }) }),
      on('DeleteAWSAccount', 429, { setup: rateLimited }),
      on('ListAvailableAWSNamespaces', 403, { wrongKey: true }),
      on('ListAvailableAWSNamespaces', 429, { setup: rateLimited }),
      on('CreateNewAWSExternalID', 400, {}), // the integration does not exist
      on('CreateNewAWSExternalID', 403, { wrongKey: true, setup: seedA }),
      on('CreateNewAWSExternalID', 429, { setup: rateLimited }),
    ];
    const KIND = { 400: 'bad-request', 403: 'forbidden', 409: 'conflict', 429: 'rate-limited' } as const;
    const named = errorCases.map((c) => [`${c.operation} ${c.status}`, c] as const);

    describe('documented error statuses, DatadogAwsV1Client', () => {
      it.each(named)('%s', async (_name, c) => {
        c.setup?.();
        const dd = client(c.wrongKey ? { DD_API_KEY: WRONG_API_KEY, DD_APP_KEY: APP_KEY } : undefined);
        await expectDocumentedError(c.call(dd), { operation: c.operation, status: c.status, kind: KIND[c.status] }, { requests: standin.requests, recorder });
      });
    });

    describe('documented error statuses, CLI (exit 1)', () => {
      it.each(named)('%s', async (_name, c) => {
        c.setup?.();
        const run = await cli(c.args, c.wrongKey ? { DD_API_KEY: WRONG_API_KEY } : {});
        expect(run.code).toBe(1);
        expect(run.stdout).toBe('');
        expect(run.stderr).toContain(`${c.operation} failed: Datadog answered ${c.status}`);
        if (c.status === 409 && c.operation === 'CreateAWSAccount') expect(run.stderr).toContain('already exists');
        if (c.status === 403) expect(run.stderr).toMatch(/DD_API_KEY.*DD_APP_KEY/);
        if (c.status === 429) expect(run.stderr).toContain('rate limit aws_integration resets in 42 s');
        expect(run.stderr).not.toContain('retrying');
        expect(standin.requests).toHaveLength(1);
        expect(recorder.responses.map((r) => r.status)).toEqual([c.status]);
      });
    });

    describe('negative controls: the harness does catch violations', () => {
      // These use their own recorders: the afterEach check covers the shared one only.
      it('a request body whose account_id is a number: 422 and a recorded violation', async () => {
        const control = violationRecorder();
        const response = await control.fetch(`${prism!.url}${PATH}`, {
          method: 'POST',
          headers: { 'DD-API-KEY': API_KEY, 'DD-APPLICATION-KEY': APP_KEY, 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({ account_id: 123456789012, role_name: ROLE }),
        });
        expect(response.status).toBe(422);
        expect(control.responses).toEqual([expect.objectContaining({ status: 422, fromPrism: true })]);
        expect(control.violations).toHaveLength(1);
        expect(control.violations[0]!.violations).toEqual(
          expect.arrayContaining([expect.objectContaining({ severity: 'Error', location: ['body', 'account_id'] })]),
        );
        expect(standin.requests).toHaveLength(0);
      });

      it('a response that breaks the document (external_id a number): 500 and a recorded violation', async () => {
        const control = violationRecorder();
        standin.inject({ kind: 'status', status: 200, body: { external_id: 42 } });
        const response = await control.fetch(`${prism!.url}${PATH}`, {
          method: 'POST',
          headers: { 'DD-API-KEY': API_KEY, 'DD-APPLICATION-KEY': APP_KEY, 'Content-Type': 'application/json' },
          body: JSON.stringify({ account_id: ACCOUNT_A, role_name: ROLE }),
        });
        expect(response.status).toBe(500);
        expect(control.violations).toHaveLength(1);
        expect(control.violations[0]!.violations).toEqual([
          expect.objectContaining({ severity: 'Error', location: ['response', 'body', 'external_id'] }),
        ]);
        expect(standin.requests).toHaveLength(1);
      });
    });
  });
}
