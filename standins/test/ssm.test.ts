/** The AWS stand-in's SSM Parameter Store, through the real SDK client: GetParameter and its errors. */
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { FakeAwsOrganization, startAwsStandin, type AwsStandin } from '../aws';

describe('AWS stand-in: SSM GetParameter', () => {
  const model = new FakeAwsOrganization({ managementAccountId: '111111111111' });
  let standin: AwsStandin;
  let client: SSMClient;

  beforeAll(async () => {
    standin = await startAwsStandin(model);
    client = new SSMClient({ region: 'us-east-1', endpoint: standin.url, credentials: { accessKeyId: 'AKIDMANAGEMENT', secretAccessKey: 'x' }, maxAttempts: 1 });
  });

  afterAll(() => standin.stop());

  it('returns a String parameter of the caller account, its version counting writes', async () => {
    model.putParameter('/datadog-aws-org-integration/Stack/config', '{"a":1}');
    model.putParameter('/datadog-aws-org-integration/Stack/config', '{"a":2}');
    const { Parameter } = await client.send(new GetParameterCommand({ Name: '/datadog-aws-org-integration/Stack/config' }));
    expect(Parameter).toMatchObject({
      Name: '/datadog-aws-org-integration/Stack/config',
      Type: 'String',
      Value: '{"a":2}',
      Version: 2,
      ARN: 'arn:aws:ssm:us-east-1:111111111111:parameter/datadog-aws-org-integration/Stack/config',
    });
    expect(Parameter?.LastModifiedDate).toBeInstanceOf(Date);
    expect(model.callsTo('ssm', 'GetParameter')).toHaveLength(1);
  });

  it('answers ParameterNotFound for a name it does not hold, and for another account', async () => {
    model.putParameter('/only/in/member', 'x', '222222222222');
    for (const Name of ['/nope', '/only/in/member']) {
      await expect(client.send(new GetParameterCommand({ Name }))).rejects.toBeInstanceOf(ParameterNotFound);
    }
  });

  it('refuses a malformed name, and an unknown key, as SSM does', async () => {
    await expect(client.send(new GetParameterCommand({ Name: 'bad name!' }))).rejects.toMatchObject({ name: 'ValidationException' });
    const stranger = new SSMClient({ region: 'us-east-1', endpoint: standin.url, credentials: { accessKeyId: 'ASIAUNKNOWN', secretAccessKey: 'x', sessionToken: 't' }, maxAttempts: 1 });
    await expect(stranger.send(new GetParameterCommand({ Name: '/nope' }))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
  });

  it('injected faults surface like the other services', async () => {
    model.failNext({ service: 'ssm', operation: 'GetParameter', code: 'AccessDeniedException', status: 400 });
    await expect(client.send(new GetParameterCommand({ Name: '/nope' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});
