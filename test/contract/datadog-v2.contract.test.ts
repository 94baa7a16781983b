import { existsSync } from 'node:fs';
import type { IntegrationSettings } from '../../lambda/datadog/port';
import { DatadogV2Integrations } from '../../lambda/datadog/v2/adapter';
import { DatadogAwsV2Client } from '../../lambda/datadog/v2/client';
import type { AWSAccountCreateRequest } from '../../lambda/datadog/v2/types';
import { API_KEY, APP_KEY, makeHttp } from '../support/datadog-http';
import {
  DATADOG_V2_SPEC,
  DatadogV2Standin,
  V2_STANDIN_IAM_ALL,
  V2_STANDIN_IAM_RESOURCE_COLLECTION,
  V2_STANDIN_IAM_STANDARD,
  V2_STANDIN_NAMESPACES,
  type Fault,
} from '@datadog-aws-org-integration/standins/datadog-v2';
import { expectDocumentedError, startPrismProxy, violationRecorder, type PrismProxy, type ViolationRecorder } from '../support/prism';

/**
 * Proves that our v2 traffic matches Datadog's v2 OpenAPI document: every call goes through
 * `prism proxy <v2 spec> <v2 stand-in> --errors`, which answers 422 to a request and 500 to a
 * response that breaks the document, and the recorder keeps every violation it reports.
 */

const PATH = '/api/v2/integration/aws';
const ACCOUNT = '123456789012';
const OTHER = '210987654321';
const ROLE = 'DatadogIntegrationRole';
const REF = { accountId: ACCOUNT, roleName: ROLE };

const FULL: IntegrationSettings = {
  hostTags: ['team:platform', 'env:prod'],
  filterTags: ['datadog:monitored', '!env:dev*'],
  excludedRegions: ['ap-east-1'],
  namespaceRules: { 'AWS/SQS': false },
  metricsCollection: false,
  cspmResourceCollection: true,
  extendedResourceCollection: true,
};

/** Every field of AWSAccountCreateRequestAttributes (role auth). */
const FULL_CREATE: AWSAccountCreateRequest = {
  data: {
    type: 'account',
    attributes: {
      aws_account_id: ACCOUNT,
      aws_partition: 'aws',
      auth_config: { role_name: ROLE },
      account_tags: ['env:prod'],
      aws_regions: { include_only: ['us-east-1', 'eu-west-1'] },
      logs_config: {
        lambda_forwarder: {
          lambdas: [`arn:aws:lambda:us-east-1:${ACCOUNT}:function:DatadogLambdaLogForwarder`],
          sources: ['s3'],
          log_source_config: { tag_filters: [{ source: 's3', tags: ['env:prod'] }] },
        },
      },
      metrics_config: {
        automute_enabled: true,
        collect_cloudwatch_alarms: true,
        collect_custom_metrics: false,
        enabled: true,
        namespace_filters: { exclude_only: ['AWS/SQS'] },
        tag_filters: [{ namespace: 'AWS/EC2', tags: ['datadog:true'] }],
      },
      resources_config: { cloud_security_posture_management_collection: true, extended_collection: true },
      traces_config: { xray_services: { include_only: ['AWS/AppSync'] } },
    },
  },
};

const specPresent = existsSync(DATADOG_V2_SPEC);

if (!specPresent) {
  describe.skip(`Datadog v2 contract: skipped because ../shared is absent (${DATADOG_V2_SPEC} not found)`, () => {
    it('needs ../shared/datadog/aws-integration-v2.openapi.yaml: ../shared is absent', () => undefined);
  });
} else {
  describe("Datadog v2 contract: our traffic through Prism with Datadog's v2 OpenAPI document", () => {
    const standin = new DatadogV2Standin({ apiKey: API_KEY, appKey: APP_KEY });
    let prism: PrismProxy | undefined;
    let recorder: ViolationRecorder;

    beforeAll(async () => {
      const upstream = await standin.start();
      prism = await startPrismProxy(DATADOG_V2_SPEC, upstream);
    }, 60_000);

    afterAll(async () => {
      await prism?.stop();
      await standin.stop();
    }, 30_000);

    beforeEach(() => {
      standin.reset();
      // Datadog's v2 document says error strings; its traffic sends JSON:API objects, which
      // Prism turns into 500s. Here the stand-in answers as the document says (see the control below).
      standin.v2ErrorBodies = 'document';
      recorder = violationRecorder();
    });

    afterEach(() => {
      const errors = recorder.violations.filter((v) => v.violations.some((violation) => violation.severity === 'Error'));
      expect(errors).toEqual([]);
      expect(recorder.violations).toEqual([]);
      expect(recorder.responses.filter((r) => r.fromPrism || r.status === 422 || r.status === 500)).toEqual([]);
      expect(recorder.responses.length).toBeGreaterThan(0);
      expect(recorder.responses.every((r) => r.url.startsWith(`${prism!.url}/`))).toBe(true);
    });

    /** One attempt: a 429 reaches the caller as sent, nothing retried out of sight. */
    function client(apiKey = API_KEY): DatadogAwsV2Client {
      return new DatadogAwsV2Client(
        makeHttp(prism!.url, { fetch: recorder.fetch, maxAttempts: 1, credentials: async () => ({ apiKey, appKey: APP_KEY }) }).http,
      );
    }

    describe('DatadogAwsV2Client, every operation', () => {
      it('CreateAWSAccount with every attribute, then GetAWSAccount', async () => {
        const dd = client();
        const created = await dd.createAccount(FULL_CREATE);
        expect(created.data.attributes!.auth_config).toEqual({ role_name: ROLE, external_id: expect.stringMatching(/^[0-9a-f]{32}$/) });
        const got = await dd.getAccount(created.data.id);
        expect(got.data).toEqual(created.data);
      });

      it('CreateAWSAccount with access keys (the secret is never returned)', async () => {
        const created = await client().createAccount({
          data: {
            type: 'account',
            attributes: { aws_account_id: OTHER, aws_partition: 'aws-us-gov', auth_config: { access_key_id: 'AKIAIOSFODNN7EXAMPLE', secret_access_key: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } },
          },
        });
        expect(created.data.attributes!.auth_config).toEqual({ access_key_id: 'AKIAIOSFODNN7EXAMPLE' });
      });

      it('ListAWSAccounts, unfiltered and by aws_account_id', async () => {
        standin.seed({ aws_account_id: ACCOUNT, aws_partition: 'aws', auth_config: { role_name: ROLE, external_id: 'e1' } });
        standin.seed({ aws_account_id: OTHER, auth_config: { role_name: ROLE } });
        const dd = client();
        expect((await dd.listAccounts()).data).toHaveLength(2);
        expect((await dd.listAccounts({ awsAccountId: OTHER })).data).toHaveLength(1);
      });

      it('UpdateAWSAccount (PATCH) and DeleteAWSAccount (204)', async () => {
        const id = standin.seed({ aws_account_id: ACCOUNT, aws_partition: 'aws', auth_config: { role_name: ROLE, external_id: 'e1' } });
        const dd = client();
        const updated = await dd.updateAccount(id, { data: { id, type: 'account', attributes: { ...FULL_CREATE.data.attributes, auth_config: { role_name: ROLE } } } });
        expect(updated.data.attributes).toMatchObject({ account_tags: ['env:prod'], auth_config: { external_id: 'e1' } });
        await dd.deleteAccount(id);
        expect(standin.stored()).toEqual([]);
      });

      it('ListAWSNamespaces and CreateNewAWSExternalID', async () => {
        const dd = client();
        expect((await dd.listNamespaces()).data.attributes!.namespaces).toEqual(V2_STANDIN_NAMESPACES);
        expect((await dd.createNewExternalId()).data.attributes!.external_id).toMatch(/^[0-9a-f]{32}$/);
      });

      it('the three IAM permission reads', async () => {
        const dd = client();
        expect((await dd.getIamPermissions()).data.attributes!.permissions).toEqual(V2_STANDIN_IAM_ALL);
        expect((await dd.getIamPermissionsStandard()).data.attributes!.permissions).toEqual(V2_STANDIN_IAM_STANDARD);
        expect((await dd.getIamPermissionsResourceCollection()).data.attributes!.permissions).toEqual(V2_STANDIN_IAM_RESOURCE_COLLECTION);
      });
    });

    describe('DatadogV2Integrations (the port) end to end', () => {
      it('create, list, update, rotate, delete', async () => {
        const port = new DatadogV2Integrations(client());
        const { externalId } = await port.createIntegration(REF, FULL);
        const [listed] = await port.listIntegrations({ accountId: ACCOUNT });
        expect(listed).toMatchObject({ externalId, settings: FULL });
        await port.updateIntegration(REF, { ...FULL, hostTags: ['team:data'], excludedRegions: [], namespaceRules: { 'AWS/EC2': false, 'AWS/SQS': true } });
        const rotated = await port.rotateExternalId(REF);
        expect(rotated.externalId).not.toBe(externalId);
        const [after] = await port.listIntegrations();
        expect(after).toMatchObject({ externalId: rotated.externalId, settings: { hostTags: ['team:data'], excludedRegions: [], namespaceRules: { 'AWS/EC2': false, 'AWS/ElasticMapReduce': false, 'AWS/SQS': true, 'AWS/Usage': false } } });
        await port.deleteIntegration(REF);
        expect(await port.listIntegrations()).toEqual([]);
      });

      it('the v2 order: mint an ID, create with it; adopt with a given ID (PATCH, no mint)', async () => {
        const port = new DatadogV2Integrations(client());
        const minted = await port.mintExternalId();
        expect(await port.createIntegration(REF, FULL, { externalId: minted, partition: 'aws' })).toEqual({ externalId: minted });
        expect((await port.listIntegrations())[0]).toMatchObject({ externalId: minted });
        const second = await port.mintExternalId();
        expect(await port.rotateExternalId(REF, { externalId: second })).toEqual({ externalId: second });
        expect((await port.listIntegrations())[0]).toMatchObject({ externalId: second });
      });

      it('create when the response carries no external ID: the mint + PATCH fallback', async () => {
        standin.generateExternalIdOnCreate = false;
        const port = new DatadogV2Integrations(client());
        const { externalId } = await port.createIntegration(REF, FULL);
        expect((await port.listIntegrations())[0]).toMatchObject({ externalId, settings: FULL });
      });
    });

    const RATE_LIMIT_HEADERS = { 'X-RateLimit-Limit': '60', 'X-RateLimit-Period': '60', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '42', 'X-RateLimit-Name': 'aws_integration' };
    const inject = (fault: Fault) => () => standin.inject(fault);
    const rateLimited = inject({ kind: 'status', status: 429, headers: RATE_LIMIT_HEADERS, body: { errors: ['Too many requests'] } });
    const CONFIG_ID = '00000000-abcd-0001-0000-000000000000';
    const seedA = () => void standin.seed({ aws_account_id: ACCOUNT, auth_config: { role_name: ROLE, external_id: 'e' } }, CONFIG_ID);
    const minimalCreate: AWSAccountCreateRequest = { data: { type: 'account', attributes: { aws_account_id: ACCOUNT, aws_partition: 'aws', auth_config: { role_name: ROLE } } } };
    const patch = { data: { type: 'account' as const, attributes: { aws_account_id: ACCOUNT, account_tags: ['a:b'] } } };

    const calls = {
      ListAWSAccounts: (dd: DatadogAwsV2Client) => dd.listAccounts({ awsAccountId: ACCOUNT }),
      CreateAWSAccount: (dd: DatadogAwsV2Client) => dd.createAccount(minimalCreate),
      GetAWSAccount: (dd: DatadogAwsV2Client) => dd.getAccount(CONFIG_ID),
      UpdateAWSAccount: (dd: DatadogAwsV2Client) => dd.updateAccount(CONFIG_ID, patch),
      DeleteAWSAccount: (dd: DatadogAwsV2Client) => dd.deleteAccount(CONFIG_ID),
      ListAWSNamespaces: (dd: DatadogAwsV2Client) => dd.listNamespaces(),
      CreateNewAWSExternalID: (dd: DatadogAwsV2Client) => dd.createNewExternalId(),
      GetAWSIntegrationIAMPermissions: (dd: DatadogAwsV2Client) => dd.getIamPermissions(),
      GetAWSIntegrationIAMPermissionsStandard: (dd: DatadogAwsV2Client) => dd.getIamPermissionsStandard(),
      GetAWSIntegrationIAMPermissionsResourceCollection: (dd: DatadogAwsV2Client) => dd.getIamPermissionsResourceCollection(),
    };
    type Operation = keyof typeof calls;
    interface ErrorCase {
      operation: Operation;
      status: 400 | 403 | 404 | 409 | 429;
      setup?: () => void;
      wrongKey?: boolean;
    }
    const badRequest = inject({ kind: 'status', status: 400, body: { errors: ['Bad Request'] } });

    /** Every error status the document declares, per operation (the IAM reads declare only 429). */
    const errorCases: ErrorCase[] = [
      { operation: 'ListAWSAccounts', status: 403, wrongKey: true },
      { operation: 'ListAWSAccounts', status: 429, setup: rateLimited },
      { operation: 'CreateAWSAccount', status: 400, setup: badRequest },
      { operation: 'CreateAWSAccount', status: 403, wrongKey: true },
      { operation: 'CreateAWSAccount', status: 409, setup: seedA },
      { operation: 'CreateAWSAccount', status: 429, setup: rateLimited },
      { operation: 'GetAWSAccount', status: 400, setup: badRequest },
      { operation: 'GetAWSAccount', status: 403, wrongKey: true, setup: seedA },
      { operation: 'GetAWSAccount', status: 404 },
      { operation: 'GetAWSAccount', status: 429, setup: rateLimited },
      { operation: 'UpdateAWSAccount', status: 400, setup: badRequest },
      { operation: 'UpdateAWSAccount', status: 403, wrongKey: true, setup: seedA },
      { operation: 'UpdateAWSAccount', status: 404 },
      { operation: 'UpdateAWSAccount', status: 429, setup: rateLimited },
      { operation: 'DeleteAWSAccount', status: 400, setup: badRequest },
      { operation: 'DeleteAWSAccount', status: 403, wrongKey: true, setup: seedA },
      { operation: 'DeleteAWSAccount', status: 404 },
      { operation: 'DeleteAWSAccount', status: 429, setup: rateLimited },
      { operation: 'ListAWSNamespaces', status: 403, wrongKey: true },
      { operation: 'ListAWSNamespaces', status: 429, setup: rateLimited },
      { operation: 'CreateNewAWSExternalID', status: 403, wrongKey: true },
      { operation: 'CreateNewAWSExternalID', status: 429, setup: rateLimited },
      { operation: 'GetAWSIntegrationIAMPermissions', status: 429, setup: rateLimited },
      { operation: 'GetAWSIntegrationIAMPermissionsStandard', status: 429, setup: rateLimited },
      { operation: 'GetAWSIntegrationIAMPermissionsResourceCollection', status: 429, setup: rateLimited },
    ];
    const KIND = { 400: 'bad-request', 403: 'forbidden', 404: 'not-found', 409: 'conflict', 429: 'rate-limited' } as const;

    describe('documented error statuses', () => {
      it.each(errorCases.map((c) => [`${c.operation} ${c.status}`, c] as const))('%s', async (_name, c) => {
        c.setup?.();
        await expectDocumentedError(
          calls[c.operation](client(c.wrongKey ? 'wrong-api-key-00000000' : API_KEY)),
          { operation: c.operation, status: c.status, kind: KIND[c.status] },
          { requests: standin.requests, recorder },
        );
      });
    });

    describe('negative controls: the harness does catch violations', () => {
      // Own recorders: the afterEach check covers the shared one, which gets one clean call.
      const headers = { 'DD-API-KEY': API_KEY, 'DD-APPLICATION-KEY': APP_KEY, 'Content-Type': 'application/json', Accept: 'application/json' };

      it('a create body whose aws_account_id is a number and has no data.type: 422 and recorded violations', async () => {
        const control = violationRecorder();
        const response = await control.fetch(`${prism!.url}${PATH}/accounts`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ data: { attributes: { aws_account_id: 123456789012, aws_partition: 'aws', auth_config: { role_name: ROLE } } } }),
        });
        expect(response.status).toBe(422);
        expect(control.responses).toEqual([expect.objectContaining({ status: 422, fromPrism: true })]);
        expect(control.violations).toHaveLength(1);
        expect(control.violations[0]!.violations).toEqual(
          expect.arrayContaining([expect.objectContaining({ severity: 'Error', location: ['body', 'data', 'attributes', 'aws_account_id'] })]),
        );
        expect(standin.requests).toHaveLength(0);
        await client().listNamespaces();
      });

      it('a response that breaks the document (external_id a number): 500 and a recorded violation', async () => {
        const control = violationRecorder();
        standin.inject({ kind: 'status', status: 200, body: { data: { id: 'external_id', type: 'external_id', attributes: { external_id: 42 } } } });
        const response = await control.fetch(`${prism!.url}${PATH}/generate_new_external_id`, { method: 'POST', headers });
        expect(response.status).toBe(500);
        expect(control.violations).toHaveLength(1);
        expect(control.violations[0]!.violations).toEqual([
          expect.objectContaining({ severity: 'Error', location: ['response', 'body', 'data', 'attributes', 'external_id'] }),
        ]);
        expect(standin.requests).toHaveLength(1);
        await client().listNamespaces();
      });

      it("Datadog's real v2 error shape (JSON:API objects) is what the document refuses: errors.0 must be string", async () => {
        // If Datadog's document ever describes its error objects, this fails: then drop v2ErrorBodies = 'document'.
        const control = violationRecorder();
        standin.v2ErrorBodies = 'traffic';
        seedA();
        const response = await control.fetch(`${prism!.url}${PATH}/accounts`, { method: 'POST', headers, body: JSON.stringify(minimalCreate) });
        expect(response.status).toBe(500);
        expect(control.violations).toHaveLength(1);
        expect(control.violations[0]!.violations).toEqual([
          expect.objectContaining({ severity: 'Error', location: ['response', 'body', 'errors', '0'], message: 'Response body property errors.0 must be string' }),
        ]);
        standin.v2ErrorBodies = 'document';
        await client().listNamespaces();
      });

      it("the document's error strings with v2's content type (application/vnd.api+json) pass", async () => {
        seedA();
        const response = await fetch(`${prism!.url}${PATH}/accounts`, { method: 'POST', headers, body: JSON.stringify(minimalCreate) });
        expect(response.status).toBe(409);
        expect(response.headers.get('content-type')).toBe('application/vnd.api+json');
        expect(response.headers.get('sl-violations')).toBeNull();
        expect(await response.json()).toEqual({ errors: [expect.stringContaining('is already integrated')] });
        await client().listNamespaces();
      });
    });
  });
}
