import { AwsSolutionsChecks } from 'cdk-nag';
import { parseConfig } from '../../lambda/config/schema';
import { CONFIG_ENVIRONMENT_VARIABLE } from '../../lambda/handlers/environment';
import { publishedConfigParameterName } from '../../lib/config';
import { buildApp, built, logicalId, props, render, resources, type Json } from './helpers';

/** The stack publishes the configuration its Lambdas run with, for `dd-aws-org --from-stack`. */

const PARAMETER_NAME = '/datadog-aws-org-integration/DatadogOrgIntegration/config';

function parameterOf(template: ReturnType<typeof built>['template']): Json {
  const parameters = Object.values(resources(template, 'AWS::SSM::Parameter'));
  expect(parameters).toHaveLength(1);
  return props(parameters[0]!);
}

describe('the published configuration', () => {
  it('is one String parameter named after the stack, in the Standard tier, holding exactly what the Lambdas get', () => {
    const settings = { datadog: { site: 'datadoghq.eu', apiVersion: 'v1' }, scope: { excludeAccounts: ['999999999999'] } };
    const { stack, template } = built(settings);
    const parameter = parameterOf(template);
    expect(publishedConfigParameterName(stack.stackName)).toBe(PARAMETER_NAME);
    expect(parameter).toMatchObject({ Name: PARAMETER_NAME, Type: 'String', Tier: 'Standard' });

    const worker = props(resources(template, 'AWS::Lambda::Function')[logicalId(stack.integration.worker)]!);
    const lambdaConfig = ((worker.Environment as Json).Variables as Json)[CONFIG_ENVIRONMENT_VARIABLE];
    expect(render(parameter.Value)).toBe(render(lambdaConfig));
    const published = parseConfig(JSON.parse(render(parameter.Value)), 'published');
    expect(published.datadog).toMatchObject({ site: 'datadoghq.eu', apiVersion: 'v1' });
    expect(published.scope.excludeAccounts).toEqual(['999999999999']);
    // The keys' secret is named by ARN (the created one: a Ref), never its value.
    expect(published.datadog.credentialsSecretId).toBe(`\${${logicalId(stack.integration.secret.node.defaultChild as never)}}`);
  });

  it('names the parameter in a stack output', () => {
    const { template } = built();
    template.hasOutput('ConfigParameter', { Value: PARAMETER_NAME });
  });

  it('takes the Advanced tier when the configuration outgrows 4 KB, and fails synth past 8 KB', () => {
    const accounts = (n: number) => Array.from({ length: n }, (_, i) => String(100000000000 + i));
    expect(parameterOf(buildApp({ scope: { excludeAccounts: accounts(200) } }).template).Tier).toBe('Advanced');
    expect(() => buildApp({ scope: { excludeAccounts: accounts(600) } })).toThrow(/more than an SSM parameter holds \(8192\).*scope\.excludeOus/);
  });

  it('adds no cdk-nag finding', () => {
    const { app } = buildApp({ datadog: { credentialsSecretId: 'team/datadog' } });
    expect(new AwsSolutionsChecks(app).validateScope(app).violations.map((v) => v.ruleName)).toEqual([]);
  });
});
