import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeSecretCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import {
  createSecretsCheckHandler,
  RESPONSE_RESERVE_MS,
  SECRETS_CHECK_PHYSICAL_ID,
  type CustomResourceResponse,
  type ProfileSecretToCheck,
  type RemainingTime,
} from './secrets-check';

/**
 * The deploy-time check of the profiles' secrets, as CloudFormation drives it: an event whose
 * ResponseURL is a local server standing in for the pre-signed S3 URL, Secrets Manager mocked.
 */

const secretsManager = mockClient(SecretsManagerClient);
const REGION = 'us-east-1';

const ASIA: ProfileSecretToCheck = { profile: 'asia', field: 'profiles[0].datadog.credentialsSecretId', secretId: 'datadog/ap1-keys' };
const EU: ProfileSecretToCheck = { profile: 'eu', field: 'profiles[1].datadog.credentialsSecretId', secretId: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:datadog/eu-keys' };
/** Another profile naming the asia secret: one DescribeSecret for both. */
const ASIA_SOUTH: ProfileSecretToCheck = { profile: 'asia-south', field: 'profiles[2].datadog.credentialsSecretId', secretId: 'datadog/ap1-keys' };

interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: CustomResourceResponse;
}

let server: Server;
let received: Received[];
let answerStatus: number;

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as CustomResourceResponse;
      received.push({ method: request.method!, path: request.url!, headers: request.headers, body });
      response.writeHead(answerStatus).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  secretsManager.restore();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  secretsManager.reset();
  received = [];
  answerStatus = 200;
});

function responseUrl(): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/cloudformation-response?X-Amz-Signature=abc`;
}

function event(requestType: 'Create' | 'Update' | 'Delete', secrets: readonly ProfileSecretToCheck[] | unknown, previous: readonly ProfileSecretToCheck[] = []): CloudFormationCustomResourceEvent {
  const common = {
    ServiceToken: 'arn:aws:lambda:us-east-1:111111111111:function:SecretsCheck',
    ResponseURL: responseUrl(),
    StackId: 'arn:aws:cloudformation:us-east-1:111111111111:stack/DatadogOrgIntegration/5c9d6a70-0000-0000-0000-000000000000',
    RequestId: 'request-1',
    LogicalResourceId: 'IntegrationProfileSecretsCheck',
    ResourceType: 'Custom::DatadogProfileSecrets',
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:us-east-1:111111111111:function:SecretsCheck', Secrets: secrets },
  };
  if (requestType === 'Create') return { ...common, RequestType: 'Create' };
  if (requestType === 'Update') return { ...common, RequestType: 'Update', PhysicalResourceId: SECRETS_CHECK_PHYSICAL_ID, OldResourceProperties: { ServiceToken: common.ServiceToken, Secrets: previous } };
  return { ...common, RequestType: 'Delete', PhysicalResourceId: SECRETS_CHECK_PHYSICAL_ID };
}

async function run(e: CloudFormationCustomResourceEvent, context?: RemainingTime): Promise<{ response: Received; logged: string[] }> {
  const logged: string[] = [];
  await createSecretsCheckHandler({ client: new SecretsManagerClient({ region: REGION }), region: REGION, log: (line) => logged.push(line) })(e, context);
  expect(received).toHaveLength(1);
  return { response: received[0]!, logged };
}

function exists(secretId: string): void {
  secretsManager.on(DescribeSecretCommand, { SecretId: secretId }).resolves({ ARN: `arn:aws:secretsmanager:us-east-1:111111111111:secret:${secretId}-AbCdEf`, Name: secretId });
}

function missing(secretId: string): void {
  secretsManager.on(DescribeSecretCommand, { SecretId: secretId }).rejects(new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} }));
}

describe('the profile secrets check', () => {
  it.each(['Create', 'Update'] as const)('%s with every secret there: SUCCESS on the response URL, one DescribeSecret per distinct secret', async (requestType) => {
    exists(ASIA.secretId);
    exists(EU.secretId);
    const { response } = await run(event(requestType, [ASIA, EU, ASIA_SOUTH]));
    expect(response.method).toBe('PUT');
    expect(response.path).toBe('/cloudformation-response?X-Amz-Signature=abc');
    expect(response.body).toEqual({
      Status: 'SUCCESS',
      PhysicalResourceId: SECRETS_CHECK_PHYSICAL_ID,
      StackId: expect.stringContaining(':stack/DatadogOrgIntegration/'),
      RequestId: 'request-1',
      LogicalResourceId: 'IntegrationProfileSecretsCheck',
    });
    // The URL is signed without a Content-Type: sending one would break the signature.
    expect(response.headers['content-type']).toBeUndefined();
    const described = secretsManager.commandCalls(DescribeSecretCommand).map((call) => call.args[0].input.SecretId);
    expect(described.sort()).toEqual([EU.secretId, ASIA.secretId].sort());
  });

  it('a missing secret: FAILED, naming the profile, the secret, the region, how to create it and the field to fix', async () => {
    missing(ASIA.secretId);
    exists(EU.secretId);
    const { response } = await run(event('Create', [ASIA, EU]));
    expect(response.body.Status).toBe('FAILED');
    expect(response.body.PhysicalResourceId).toBe(SECRETS_CHECK_PHYSICAL_ID);
    expect(response.body.Reason).toBe(
      'profile "asia": Secrets Manager secret "datadog/ap1-keys" does not exist in this account and region (us-east-1): ' +
        'create it with {"apiKey": "...", "appKey": "..."} or fix profiles[0].datadog.credentialsSecretId',
    );
  });

  it('a secret two profiles name, missing: FAILED naming both', async () => {
    missing(ASIA.secretId);
    const { response } = await run(event('Update', [ASIA, ASIA_SOUTH]));
    expect(response.body.Status).toBe('FAILED');
    expect(response.body.Reason).toMatch(/^profile "asia": .*profiles\[0\]\.datadog\.credentialsSecretId; profile "asia-south": .*profiles\[2\]\.datadog\.credentialsSecretId$/);
    expect(secretsManager.commandCalls(DescribeSecretCommand)).toHaveLength(1);
  });

  it('Update: checks only the secrets the previous properties did not list, so a rollback to them never fails on a secret gone since', async () => {
    missing(ASIA.secretId);
    missing(EU.secretId);
    const added = await run(event('Update', [ASIA, EU], [ASIA]));
    expect(added.response.body.Reason).toMatch(/^profile "eu": /);
    expect(secretsManager.commandCalls(DescribeSecretCommand).map((call) => call.args[0].input.SecretId)).toEqual([EU.secretId]);
    received = [];
    secretsManager.resetHistory();
    // CloudFormation rolling back: an Update to the previous list, the failed one as the old properties.
    const rollback = await run(event('Update', [ASIA], [ASIA, EU]));
    expect(rollback.response.body.Status).toBe('SUCCESS');
    expect(secretsManager.commandCalls(DescribeSecretCommand)).toHaveLength(0);
  });

  it('a secret scheduled for deletion: FAILED, saying how to restore it', async () => {
    secretsManager.on(DescribeSecretCommand).resolves({ Name: ASIA.secretId, DeletedDate: new Date('2026-11-30T00:00:00Z') });
    const { response } = await run(event('Create', [ASIA]));
    expect(response.body.Status).toBe('FAILED');
    expect(response.body.Reason).toContain('profile "asia": Secrets Manager secret "datadog/ap1-keys" is scheduled for deletion: restore it with aws secretsmanager restore-secret');
  });

  it('a secret that cannot be described (access denied): FAILED with the error, never SUCCESS', async () => {
    secretsManager.on(DescribeSecretCommand).rejects(Object.assign(new Error('not authorized to perform secretsmanager:DescribeSecret'), { name: 'AccessDeniedException' }));
    const { response } = await run(event('Create', [EU]));
    expect(response.body.Status).toBe('FAILED');
    expect(response.body.Reason).toMatch(/^profile "eu": Secrets Manager secret "arn:.*datadog\/eu-keys" could not be checked \(AccessDeniedException: not authorized/);
  });

  it('Delete: SUCCESS without a call, even with the secrets gone', async () => {
    missing(ASIA.secretId);
    const { response } = await run(event('Delete', [ASIA]));
    expect(response.body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: SECRETS_CHECK_PHYSICAL_ID });
    expect(secretsManager.commandCalls(DescribeSecretCommand)).toHaveLength(0);
  });

  it('properties that are not a list of profile secrets: FAILED, without a call', async () => {
    const { response } = await run(event('Create', 'datadog/ap1-keys'));
    expect(response.body.Status).toBe('FAILED');
    expect(response.body.Reason).toContain("the custom resource's properties are not a list of profile secrets");
    expect(secretsManager.commandCalls(DescribeSecretCommand)).toHaveLength(0);
  });

  it('logs one line with the outcome, never the pre-signed response URL', async () => {
    missing(ASIA.secretId);
    const { logged } = await run(event('Create', [ASIA]));
    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0]!)).toMatchObject({ requestType: 'Create', status: 'FAILED', reason: expect.stringContaining('profile "asia"') });
    expect(logged[0]).not.toContain('X-Amz-Signature');
  });

  it('Secrets Manager not answering before the function would time out: FAILED, still answered (CloudFormation would wait an hour)', async () => {
    secretsManager.on(DescribeSecretCommand).callsFake(() => new Promise(() => undefined));
    // No time left but the reserve for the answer: the deadline is now.
    const { response } = await run(event('Create', [ASIA]), { getRemainingTimeInMillis: () => RESPONSE_RESERVE_MS });
    expect(response.body).toMatchObject({ Status: 'FAILED', Reason: expect.stringContaining('could not be checked in time') });
  });

  it('a response URL that refuses the answer fails the invocation (Lambda retries it)', async () => {
    exists(ASIA.secretId);
    answerStatus = 403;
    await expect(run(event('Create', [ASIA]))).rejects.toThrow(/response URL answered HTTP 403/);
  });
});
