/** The AWS stand-in's Secrets Manager, through the real SDK client: by name, by ARN, and the errors. */
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { FakeAwsOrganization, startAwsStandin } from '../aws';

describe('AWS stand-in: Secrets Manager GetSecretValue', () => {
  const model = new FakeAwsOrganization({ managementAccountId: '111111111111' });
  let standin: Awaited<ReturnType<typeof startAwsStandin>>;
  let client: SecretsManagerClient;

  beforeAll(async () => {
    standin = await startAwsStandin(model);
    client = new SecretsManagerClient({
      region: 'us-east-1',
      endpoint: standin.url,
      credentials: { accessKeyId: 'AKIDMANAGEMENT', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
  });

  afterAll(() => standin.stop());

  it('finds a secret by name, complete ARN and partial ARN', async () => {
    const secret = model.putSecret('team/datadog', '{"apiKey":"a","appKey":"b"}');
    expect(secret.arn).toMatch(/^arn:aws:secretsmanager:us-east-1:111111111111:secret:team\/datadog-[A-Z0-9]{6}$/);
    for (const id of ['team/datadog', secret.arn, secret.arn.slice(0, -7)]) {
      const response = await client.send(new GetSecretValueCommand({ SecretId: id }));
      expect(response).toMatchObject({ Name: 'team/datadog', ARN: secret.arn, SecretString: '{"apiKey":"a","appKey":"b"}' });
    }
    expect(model.callsTo('secretsmanager', 'GetSecretValue')).toHaveLength(3);
  });

  it('answers ResourceNotFoundException for an unknown secret', async () => {
    await expect(client.send(new GetSecretValueCommand({ SecretId: 'nope' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('injected faults surface like the other services', async () => {
    model.failNext({ service: 'secretsmanager', operation: 'GetSecretValue', code: 'AccessDeniedException', status: 400 });
    await expect(client.send(new GetSecretValueCommand({ SecretId: 'team/datadog' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});
