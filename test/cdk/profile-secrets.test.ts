import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { routingOf } from '../../lambda/config/profiles';
import { parseConfig } from '../../lambda/config/schema';
import { CONFIG_ENVIRONMENT_VARIABLE } from '../../lambda/handlers/environment';
import { profileSecretsOf, withDefaultSecret } from '../../lib/profile-secrets';
import { ACCOUNT, actionsOf, allStatements, buildApp, built, evaluate, matchesPattern, props, resources, resourcesOf, roleIdOf, type Built, type Json } from './helpers';

/**
 * The Datadog secrets of profiles (profiles[].datadog.credentialsSecretId): the worker and the
 * reconcile may read exactly the configured secrets, a deploy fails when one does not exist
 * (the check's custom resource), a synth fails when one is out of the functions' reach, and
 * storing keys in one starts a reconcile.
 */

const PSEUDO = { 'AWS::Partition': 'aws', 'AWS::Region': 'us-east-1', 'AWS::AccountId': ACCOUNT, 'AWS::StackId': `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/DatadogOrgIntegration/5c9d6a70-3f1e-11ef-9f3b-0a1b2c3d4e5f` };
const EU_ARN = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:datadog/eu-keys`;
const match = (ou: string) => ({ ous: [`ou-ab12-${ou}`] });

/** Two profiles with secrets of their own (by name, by partial ARN), one sharing the default target (another site needs its own keys: the schema says so). */
const PROFILES = {
  datadog: { apiVersion: 'v2' },
  profiles: [
    { name: 'asia', match: match('aaaaaaaa'), datadog: { site: 'ap1.datadoghq.com', credentialsSecretId: 'datadog/ap1-keys' } },
    { name: 'eu', match: match('bbbbbbbb'), datadog: { site: 'datadoghq.eu', credentialsSecretId: EU_ARN } },
    { name: 'sandbox', match: match('cccccccc'), integration: { metricsCollection: false } },
  ],
};
/** Profiles none of which names a secret of its own. */
const SHARED_ONLY = { datadog: { apiVersion: 'v2' }, profiles: PROFILES.profiles.slice(2) };
const RESTATED = {
  datadog: { apiVersion: 'v2', credentialsSecretId: 'team/datadog' },
  profiles: [{ name: 'prod', match: match('aaaaaaaa'), datadog: { credentialsSecretId: 'team/datadog', maxAttempts: 5 }, integration: { cspm: true } }],
};

/** "<function> <action>" -> the resources of every secretsmanager or kms grant, evaluated (the created secret as `created`). */
function secretGrants(b: Built): Record<string, string[]> {
  const { intake, worker, reconcile, secretsCheck } = b.stack.integration;
  const names = new Map<string, string>(
    Object.entries<IFunction | undefined>({ intake, worker, reconcile, secretsCheck }).flatMap(([name, fn]) => (fn ? [[roleIdOf(fn), name]] : [])),
  );
  const [createdId] = Object.keys(resources(b.template, 'AWS::SecretsManager::Secret'));
  const refs = { ...PSEUDO, ...(createdId && { [createdId]: 'created' }) };
  const grants: Record<string, string[]> = {};
  for (const { roleId, statement } of allStatements(b.template)) {
    const secretActions = actionsOf(statement).filter((a) => a.startsWith('secretsmanager:') || a.startsWith('kms:'));
    if (secretActions.length === 0) continue;
    expect(statement.Effect).toBe('Allow');
    for (const a of secretActions) {
      const key = `${names.get(roleId) ?? roleId} ${a}`;
      grants[key] = [...(grants[key] ?? []), ...resourcesOf(statement).map((r) => String(evaluate(r, refs)))].sort();
    }
  }
  return grants;
}

describe('profile secrets: what the functions may read', () => {
  it('the worker and the reconcile get GetSecretValue on exactly the default secret and the two profile secrets; the check DescribeSecret on the profile secrets only', () => {
    const asia = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:datadog/ap1-keys`;
    const read = ['created', asia, `${asia}-??????`, EU_ARN, `${EU_ARN}-??????`].sort();
    const profileOnly = [asia, `${asia}-??????`, EU_ARN, `${EU_ARN}-??????`].sort();
    expect(secretGrants(built(PROFILES))).toEqual({
      'worker secretsmanager:GetSecretValue': read,
      'reconcile secretsmanager:GetSecretValue': read,
      'secretsCheck secretsmanager:DescribeSecret': profileOnly,
    });
  });

  it('an imported default secret: granted as before, beside the profile secrets', () => {
    const grants = secretGrants(built({ ...PROFILES, datadog: { apiVersion: 'v2', credentialsSecretId: 'team/datadog' } }));
    const team = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:team/datadog`;
    expect(grants['worker secretsmanager:GetSecretValue']).toEqual(expect.arrayContaining([team, `${team}-??????`]));
    expect(grants['worker secretsmanager:GetSecretValue']).toHaveLength(6);
    expect(grants['secretsCheck secretsmanager:DescribeSecret']).not.toContain(team);
  });

  it.each<[string, Json]>([
    ['a profile that names no secret', SHARED_ONLY],
    ['a profile restating the top level\'s secret', RESTATED],
  ])('%s: no grant beyond the default secret, and no check', (_label, settings) => {
    const withProfiles = built(settings);
    const without = built({ datadog: (settings as { datadog: Json }).datadog });
    expect(secretGrants(withProfiles)).toEqual(secretGrants(without));
    expect(withProfiles.stack.integration.secretsCheck).toBeUndefined();
    withProfiles.template.resourceCountIs('Custom::DatadogProfileSecrets', 0);
    withProfiles.template.resourceCountIs('AWS::Lambda::Function', 3);
  });
});

describe('profile secrets: the deploy-time check', () => {
  it('one custom resource, backed by the check function itself (no provider framework), listing each profile that names a secret', () => {
    const { template, stack } = built(PROFILES);
    template.resourceCountIs('AWS::Lambda::Function', 4);
    const checks = Object.values(resources(template, 'Custom::DatadogProfileSecrets'));
    expect(checks).toHaveLength(1);
    expect(props(checks[0]!)).toEqual({
      ServiceToken: stack.resolve(stack.integration.secretsCheck!.functionArn),
      Secrets: [
        { profile: 'asia', field: 'profiles[0].datadog.credentialsSecretId', secretId: 'datadog/ap1-keys' },
        { profile: 'eu', field: 'profiles[1].datadog.credentialsSecretId', secretId: EU_ARN },
      ],
    });
    const fn = props(resources(template, 'AWS::Lambda::Function')[stack.getLogicalId(stack.integration.secretsCheck!.node.defaultChild as never)]!);
    expect(fn).toMatchObject({ Runtime: 'nodejs24.x', Timeout: 60 });
  });

  it('has no cdk-nag AwsSolutions findings with profile secrets (created and imported default secret)', () => {
    for (const settings of [PROFILES, { ...PROFILES, datadog: { apiVersion: 'v2', credentialsSecretId: 'team/datadog' } }]) {
      const { app } = buildApp(settings);
      expect(new AwsSolutionsChecks(app).validateScope(app).violations.map((v) => v.ruleName)).toEqual([]);
    }
  });
});

describe('profile secrets: synth refuses a secret the functions cannot read', () => {
  const profile = (credentialsSecretId: string) => ({ profiles: [{ name: 'asia', match: match('aaaaaaaa'), datadog: { site: 'ap1.datadoghq.com', credentialsSecretId } }] });

  it.each([
    ['another region', `arn:aws:secretsmanager:ap-southeast-1:${ACCOUNT}:secret:datadog/ap1-keys`, /profile "asia" \(profiles\[0\]\.datadog\.credentialsSecretId\): the secret arn:aws:secretsmanager:ap-southeast-1:.* is in aws ap-southeast-1, but the stack's functions read their secrets in aws us-east-1: replicate it there/],
    ['another partition', `arn:aws-us-gov:secretsmanager:us-east-1:${ACCOUNT}:secret:datadog/gov-keys`, /profile "asia" \(profiles\[0\]\.datadog\.credentialsSecretId\): the secret .* is in aws-us-gov us-east-1/],
    ['not a secret ARN', `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/datadog`, /profile "asia" \(profiles\[0\]\.datadog\.credentialsSecretId\): .* is not a Secrets Manager secret ARN/],
  ])('a profile secret in %s', (_label, arn, message) => {
    expect(() => buildApp(profile(arn))).toThrow(message);
  });

  it('the top level\'s imported secret in another region', () => {
    expect(() => buildApp({ datadog: { credentialsSecretId: `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:team/datadog` } })).toThrow(/^datadog\.credentialsSecretId: the secret .* is in aws eu-west-1/);
  });
});

describe('profile secrets: the configuration the functions run with', () => {
  it.each<[string, Json, string[]]>([
    ['a profile that names no secret', { ...PROFILES, datadog: { apiVersion: 'v2', credentialsSecretId: 'team/datadog' } }, ['sandbox']],
    ['a profile restating the top level\'s secret', RESTATED, ['prod']],
  ])('%s stays in the default target, on its secret\'s ARN, in the configuration the functions run with', (_label, settings, sharing) => {
    const { template, stack } = built(settings);
    const worker = props(resources(template, 'AWS::Lambda::Function')[stack.getLogicalId(stack.integration.worker.node.defaultChild as never)]!);
    const variables = (worker.Environment as { Variables: Json }).Variables;
    const config = parseConfig(JSON.parse(String(evaluate(variables[CONFIG_ENVIRONMENT_VARIABLE], PSEUDO))));
    const targets = routingOf(config).targets.map((t) => [t.datadog.site, t.datadog.credentialsSecretId, t.profiles]);
    const team = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:team/datadog`;
    expect(targets[0]).toEqual(['datadoghq.com', team, sharing]);
    expect(targets.slice(1)).toEqual(sharing[0] === 'sandbox' ? [['ap1.datadoghq.com', 'datadog/ap1-keys', ['asia']], ['datadoghq.eu', EU_ARN, ['eu']]] : []);
  });

  it('a profile restating the top level\'s secret is one target with it, not a second target of the same keys', () => {
    const config = parseConfig(RESTATED);
    expect(routingOf(config).targets).toHaveLength(1);
    expect(profileSecretsOf(config)).toEqual([]);
    const lambdaConfig = withDefaultSecret(config, 'arn:aws:secretsmanager:us-east-1:111111111111:secret:team/datadog');
    expect(routingOf(lambdaConfig).targets.map((t) => [t.isDefault, t.profiles])).toEqual([[true, ['prod']]]);
  });
});

describe('profile secrets: a reconcile when keys are stored', () => {
  it('storing keys in a profile secret (by name, ARN or full ARN) starts a reconcile, like the default secret; others do not', () => {
    const rules = Object.values(resources(built(PROFILES).template, 'AWS::Events::Rule')).filter((r) => JSON.stringify(props(r).EventPattern ?? {}).includes('aws.secretsmanager'));
    expect(rules).toHaveLength(1);
    const pattern = evaluate(props(rules[0]!).EventPattern, PSEUDO) as Json;
    const call = (eventName: string, secretId: string) => ({
      source: 'aws.secretsmanager',
      'detail-type': 'AWS API Call via CloudTrail',
      detail: { eventSource: 'secretsmanager.amazonaws.com', eventName, requestParameters: { secretId } },
    });
    const asia = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:datadog/ap1-keys`;
    for (const secretId of ['datadog/ap1-keys', asia, `${asia}-AbCdEf`, 'datadog/eu-keys', EU_ARN, `${EU_ARN}-AbCdEf`]) {
      for (const eventName of ['PutSecretValue', 'UpdateSecret']) expect({ secretId, eventName, matches: matchesPattern(pattern, call(eventName, secretId)) }).toEqual({ secretId, eventName, matches: true });
    }
    expect(matchesPattern(pattern, call('PutSecretValue', 'datadog/other-keys'))).toBe(false);
    expect(matchesPattern(pattern, call('GetSecretValue', 'datadog/ap1-keys'))).toBe(false);
  });
});
