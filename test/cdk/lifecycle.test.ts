import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { METRICS_NAMESPACE } from '../../lambda/report/telemetry';
import { RECONCILE_MAX_EVENT_AGE } from '../../lib/datadog-org-integration';
import { ACCOUNT, asArray, built, evaluate, logicalId, matchesPattern, props, render, resources, type Json, type Statement } from './helpers';

/**
 * The stack's lifecycle in a real account: alarms that can deliver (alarm -> action -> topic ->
 * topic policy -> key policy), a warning when they notify nobody, the dashboard, one reconcile
 * at a time, a reconcile when the Datadog keys are stored.
 */

const EMAIL = { deployment: { alarmEmail: 'ops@example.com' } };
const TOPIC_ARN = 'arn:aws:sns:us-east-1:222222222222:ops-alarms';
const STACK_ID = `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/DatadogOrgIntegration/5c9d6a70-3f1e-11ef-9f3b-0a1b2c3d4e5f`;
const PSEUDO = { 'AWS::Partition': 'aws', 'AWS::Region': 'us-east-1', 'AWS::AccountId': ACCOUNT, 'AWS::StackId': STACK_ID };

const refId = (value: unknown) => (value as { Ref?: string }).Ref;
const statementsOf = (document: unknown) => asArray((document as Json).Statement as Statement[]);
const principalIs = (statement: Statement, service: string) => JSON.stringify(statement.Principal) === JSON.stringify({ Service: service });

describe('alarms that deliver', () => {
  it('each alarm -> its action -> the topic -> a topic policy letting CloudWatch publish, beside the TLS deny -> a key CloudWatch may use', () => {
    const { template } = built(EMAIL);
    const alarms = Object.values(resources(template, 'AWS::CloudWatch::Alarm')).map(props);
    expect(alarms.length).toBeGreaterThanOrEqual(7);
    const topics = resources(template, 'AWS::SNS::Topic');
    const topicPolicies = Object.values(resources(template, 'AWS::SNS::TopicPolicy')).map(props);
    const keys = resources(template, 'AWS::KMS::Key');
    for (const alarm of alarms) {
      const actions = alarm.AlarmActions as unknown[];
      expect(actions.length).toBeGreaterThan(0);
      for (const action of actions) {
        const topicId = refId(action)!;
        const topic = props(topics[topicId]!);
        const statements = topicPolicies.filter((p) => (p.Topics as unknown[]).some((t) => refId(t) === topicId)).flatMap((p) => statementsOf(p.PolicyDocument));
        const publish = statements.filter((s) => s.Effect === 'Allow' && principalIs(s, 'cloudwatch.amazonaws.com'));
        expect(publish).toHaveLength(1);
        const topicArn = `arn:aws:sns:us-east-1:${ACCOUNT}:alarms`;
        expect(evaluate(publish[0], { ...PSEUDO, [topicId]: topicArn })).toEqual({
          Sid: 'CloudWatchAlarmsOfThisAccount',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: topicArn,
          Condition: {
            StringEquals: { 'aws:SourceAccount': ACCOUNT },
            ArnLike: { 'aws:SourceArn': `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:*` },
          },
        });
        // The TLS deny stays.
        expect(statements).toContainEqual(
          expect.objectContaining({ Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        );
        // An encrypted topic: CloudWatch must be allowed to use its key, or nothing is delivered.
        const keyId = ((topic.KmsMasterKeyId as Json)['Fn::GetAtt'] as string[])[0]!;
        const keyStatements = statementsOf(props(keys[keyId]!).KeyPolicy);
        expect(keyStatements.filter((s) => s.Effect === 'Allow' && principalIs(s, 'cloudwatch.amazonaws.com')).flatMap((s) => asArray(s.Action)).sort()).toEqual([
          'kms:Decrypt',
          'kms:GenerateDataKey*',
        ]);
      }
    }
  });

  it('no alarm destination: synth warns that the alarms notify nobody', () => {
    const { stack } = built();
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('No alarm destination: the alarms notify nobody'));
  });

  it.each([
    ['alarmEmail', EMAIL],
    ['alarmTopicArn', { deployment: { alarmTopicArn: TOPIC_ARN } }],
  ])('with %s: no warning', (_label, settings) => {
    const { stack } = built(settings);
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('No alarm destination'));
  });
});

// ---------------------------------------------------------------------------------------

const LAMBDA_DIR = join(__dirname, '..', '..', 'lambda');

function read(relative: string): string {
  return readFileSync(join(LAMBDA_DIR, relative), 'utf8');
}

/** The metric names a source file emits: addMetric('X', ...) and the names resultMetrics pushes. */
function emittedIn(text: string): string[] {
  return [...text.matchAll(/(?:addMetric|names\.push)\('([A-Za-z]+)'/g)].map((m) => m[1]!);
}

function allSources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    // Unit tests beside the modules (*.test.ts) emit nothing.
    return statSync(path).isDirectory() ? allSources(path) : path.endsWith('.ts') && !path.endsWith('.test.ts') ? [readFileSync(path, 'utf8')] : [];
  });
}

describe('dashboard', () => {
  function dashboardMetrics(settings: Json = {}): unknown[][] {
    const { template } = built(settings);
    const dashboards = Object.values(resources(template, 'AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    expect(props(dashboards[0]!).DashboardName).toBeUndefined();
    const body = JSON.parse(render(props(dashboards[0]!).DashboardBody)) as { widgets: Array<{ properties: { metrics?: unknown[][] } }> };
    return body.widgets.flatMap((w) => w.properties.metrics ?? []);
  }

  it('shows accounts onboarded, repaired, offboarded, failed, drift found and guard trips with exactly the names and service dimension the code emits', () => {
    const worker = emittedIn(read('report/telemetry.ts'));
    const reconcile = emittedIn(read('reconcile/reconcile.ts'));
    const custom = dashboardMetrics().filter((m) => m[0] === METRICS_NAMESPACE);
    const shown = custom.map((m) => [m[1], m[2], m[3]]);
    for (const name of ['Onboarded', 'DriftRepaired', 'Offboarded', 'AccountFailed']) {
      expect(worker).toContain(name);
      expect(shown).toContainEqual([name, 'service', 'worker']);
    }
    for (const name of ['ReconcileDriftFound', 'DeletionGuardTripped']) {
      expect(reconcile).toContain(name);
      expect(shown).toContainEqual([name, 'service', 'reconcile']);
    }
    // Nothing shown that no code emits, or under another service's dimension.
    for (const [name, , service] of shown) {
      expect({ name, service, emitted: (service === 'worker' ? worker : reconcile).includes(name as string) }).toEqual({ name, service, emitted: true });
    }
    expect(allSources(LAMBDA_DIR).some((text) => text.includes(`createMetrics('worker')`))).toBe(true);
  });

  it('shows the account queue (depth, age of the oldest message) and every dead-letter queue', () => {
    const { stack, template } = built();
    const queueName = (id: string) => `\${${id}.QueueName}`;
    const sqs = dashboardMetrics().filter((m) => m[0] === 'AWS/SQS').map((m) => [m[1], m[3]]);
    const queue = queueName(logicalId(stack.integration.queue));
    expect(sqs).toContainEqual(['ApproximateNumberOfMessagesVisible', queue]);
    expect(sqs).toContainEqual(['ApproximateAgeOfOldestMessage', queue]);
    const deadLetterQueues = Object.keys(resources(template, 'AWS::SQS::Queue')).filter((id) => /DeadLetterQueue/.test(id));
    expect(deadLetterQueues.length).toBeGreaterThanOrEqual(2);
    for (const id of deadLetterQueues) expect(sqs).toContainEqual(['ApproximateNumberOfMessagesVisible', queueName(id)]);
  });
});

describe('one reconcile at a time', () => {
  it('reserves one concurrent execution; a throttled trigger waits for the run in progress, is never rerun on failure, and expires after 30 minutes', () => {
    const { stack, template } = built();
    const reconcileId = logicalId(stack.integration.reconcile);
    const fn = props(resources(template, 'AWS::Lambda::Function')[reconcileId]!);
    expect(fn.ReservedConcurrentExecutions).toBe(1);
    const configs = Object.values(resources(template, 'AWS::Lambda::EventInvokeConfig')).map(props);
    expect(configs).toEqual([{ FunctionName: { Ref: reconcileId }, Qualifier: '$LATEST', MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 1800 }]);
    // Longer than a run can last: a trigger that arrives during one still gets its turn.
    expect(RECONCILE_MAX_EVENT_AGE.toSeconds()).toBeGreaterThan(fn.Timeout as number);
  });
});

describe('a reconcile when the Datadog keys are stored', () => {
  function keysRule(settings: Json = {}): Json {
    const rules = Object.values(resources(built(settings).template, 'AWS::Events::Rule')).filter((r) => JSON.stringify(props(r).EventPattern ?? {}).includes('aws.secretsmanager'));
    expect(rules).toHaveLength(1);
    return props(rules[0]!);
  }

  function apiCall(eventName: string, secretId: string): Json {
    return {
      source: 'aws.secretsmanager',
      'detail-type': 'AWS API Call via CloudTrail',
      detail: { eventSource: 'secretsmanager.amazonaws.com', eventName, requestParameters: { secretId } },
    };
  }

  it('starts the reconcile function (with retries) on the default bus', () => {
    const { stack } = built();
    const rule = keysRule();
    expect(rule.EventBusName).toBeUndefined();
    expect(rule.Targets).toEqual([expect.objectContaining({ Arn: stack.resolve(stack.integration.reconcile.functionArn), RetryPolicy: { MaximumRetryAttempts: 2 } })]);
  });

  it.each([
    ['the created secret', {}, 'datadog-aws-org-integration/datadog-keys-5c9d6a70'],
    ['a secret imported by name', { datadog: { credentialsSecretId: 'team/datadog' } }, 'team/datadog'],
    ['a secret imported by partial ARN', { datadog: { credentialsSecretId: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:team/datadog` } }, 'team/datadog'],
  ])('%s: matches PutSecretValue and UpdateSecret by name, full ARN and partial ARN, and nothing else', (_label, settings, name) => {
    const { stack } = built(settings);
    const secretRef = stack.resolve(stack.integration.secret.secretArn) as unknown;
    const refs = { ...PSEUDO, ...(refId(secretRef) && { [refId(secretRef)!]: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${name}-AbCdEf` }) };
    const pattern = evaluate(keysRule(settings).EventPattern, refs) as Json;
    const arn = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${name}`;
    for (const eventName of ['PutSecretValue', 'UpdateSecret']) {
      for (const secretId of [name, `${arn}-AbCdEf`, arn]) expect({ eventName, secretId, matches: matchesPattern(pattern, apiCall(eventName, secretId)) }).toEqual({ eventName, secretId, matches: true });
    }
    expect(matchesPattern(pattern, apiCall('GetSecretValue', name))).toBe(false);
    expect(matchesPattern(pattern, apiCall('PutSecretValue', 'someone-else/keys'))).toBe(false);
    expect(matchesPattern(pattern, { ...apiCall('PutSecretValue', name), source: 'aws.organizations' })).toBe(false);
  });

  it('the created secret starts with the placeholder keys the functions wait on, and its name output matches the rule', () => {
    const { template } = built();
    const [secret] = Object.values(resources(template, 'AWS::SecretsManager::Secret'));
    expect(props(secret!).SecretString).toBe('{"apiKey":"","appKey":""}');
    expect(evaluate(props(secret!).Name, PSEUDO)).toBe('datadog-aws-org-integration/datadog-keys-5c9d6a70');
    const outputs = Object.values(template.findOutputs('*')).filter((o) => JSON.stringify(o).includes('datadog-keys'));
    expect(outputs.map((o) => evaluate((o as Json).Value, PSEUDO))).toEqual(['datadog-aws-org-integration/datadog-keys-5c9d6a70']);
  });
});

describe('destroy and deploy again', () => {
  it.each([
    ['default', {}, ['AWS::SecretsManager::Secret']],
    ['alarm e-mail, dedicated, management account in scope', { ...EMAIL, role: { memberAccessMode: 'dedicated' }, scope: { includeManagementAccount: true } }, ['AWS::SecretsManager::Secret']],
    ['imported secret', { datadog: { credentialsSecretId: 'team/datadog' } }, []],
  ])('%s: cdk destroy leaves behind only the created secret (README "Uninstall")', (_label, settings, retained) => {
    const all = Object.values(built(settings).template.toJSON().Resources as Record<string, Json>);
    expect(all.filter((r) => r.DeletionPolicy === 'Retain' || r.UpdateReplacePolicy === 'Retain').map((r) => r.Type)).toEqual(retained);
  });

  it('the alarm key is deleted with the stack after a 7-day wait', () => {
    const [key] = Object.values(resources(built(EMAIL).template, 'AWS::KMS::Key'));
    expect(key).toMatchObject({ DeletionPolicy: 'Delete', Properties: { PendingWindowInDays: 7 } });
  });

  it('no queue, topic, log group, dashboard, role or function has a fixed name that a second deploy could collide with', () => {
    const { template } = built({ ...EMAIL, role: { memberAccessMode: 'dedicated' } });
    const fixedNames = Object.entries(template.toJSON().Resources as Record<string, Json>).flatMap(([id, r]) =>
      ['TopicName', 'QueueName', 'LogGroupName', 'DashboardName', 'RoleName'].filter((k) => k in props(r)).map((k) => `${id}.${k}`),
    );
    expect(fixedNames).toEqual([]);
    for (const fn of Object.values(resources(template, 'AWS::Lambda::Function'))) expect(props(fn).FunctionName).toBeUndefined();
  });
});
