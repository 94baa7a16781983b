import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CONFIG_CONTEXT_KEY, configFromContext } from '../../lib/config';
import { CREATED_SECRET_NAME, DatadogOrgIntegrationStack } from '../../lib/datadog-org-integration-stack';

function synth(context: Record<string, unknown> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = new DatadogOrgIntegrationStack(app, 'Test', {
    config: configFromContext(app.node),
    env: { region: 'us-east-1' },
  });
  return { app, stack, template: Template.fromStack(stack) };
}

function nagFindings(app: App): string[] {
  return new AwsSolutionsChecks(app).validateScope(app).violations.map((v) => v.ruleName);
}

describe('DatadogOrgIntegrationStack', () => {
  it('synthesizes with the default configuration and names the site and its principal', () => {
    const { template } = synth();
    template.hasOutput('DatadogSite', { Value: 'datadoghq.com' });
    template.hasOutput('DatadogPrincipal', { Value: '464622532012' });
  });

  it('creates the credentials secret with empty keys, never real ones, when no secret is configured', () => {
    const { template } = synth();
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: CREATED_SECRET_NAME,
      SecretString: JSON.stringify({ apiKey: '', appKey: '' }),
    });
    expect(Object.keys(template.findOutputs('*', { Value: CREATED_SECRET_NAME }))).toHaveLength(1);
  });

  it('creates no secret when the configuration names an existing one', () => {
    const { template } = synth({ [CONFIG_CONTEXT_KEY]: { datadog: { credentialsSecretId: 'team/datadog' } } });
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
  });

  it('reads the configuration from context, as an object or as JSON text', () => {
    synth({ [CONFIG_CONTEXT_KEY]: { datadog: { site: 'ap1.datadoghq.com' } } }).template.hasOutput('DatadogPrincipal', {
      Value: '417141415827',
    });
    synth({ [CONFIG_CONTEXT_KEY]: '{"datadog":{"site":"datadoghq.eu"}}' }).template.hasOutput('DatadogSite', {
      Value: 'datadoghq.eu',
    });
  });

  it.each([
    [{ datadog: { site: 'datadoghq.xyz' } }, /context datadogAwsOrg: datadog\.site: unknown Datadog site "datadoghq\.xyz"/],
    [{ datadog: { maxAttempts: 0 } }, /datadog\.maxAttempts: must be a whole number from 1 to 10/],
    [{ dataDog: {} }, /unknown key "dataDog"; known keys here: datadog/],
    ['{not json', /context datadogAwsOrg is not valid JSON/],
  ])('fails synth on a bad configuration, naming the key: %j', (value, message) => {
    expect(() => synth({ [CONFIG_CONTEXT_KEY]: value })).toThrow(message);
  });

  it('has no cdk-nag AwsSolutions findings', () => {
    expect(nagFindings(synth().app)).toEqual([]);
  });

  it('cdk-nag does report findings (control: an unencrypted-transport bucket is flagged)', () => {
    const app = new App();
    new Bucket(new Stack(app, 'Control'), 'Bucket');
    expect(nagFindings(app)).toEqual(expect.arrayContaining(['AwsSolutions-S10']));
  });
});
