import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseConfig } from '../../lambda/config/schema';
import { CONFIG_ENVIRONMENT_VARIABLE, QUEUE_URL_VARIABLE } from '../../lambda/handlers/environment';
import { CONFIG_CONTEXT_KEY, configFromContext } from '../../lib/config';
import { CREATED_SECRET_NAME_PREFIX, DatadogOrgIntegrationStack } from '../../lib/datadog-org-integration-stack';
import { buildApp, buildStack, built, CDK_JSON_CONTEXT, logicalId, props, render, resources, type Json } from './helpers';

/**
 * The main stack: configuration from context, cdk-nag, and its resources (the account queue
 * and its dead-letter queue, the functions, the Datadog credentials secret, the alarms, the
 * region guard). Least privilege and EventBridge have their own files.
 */

const synthesized = new Map<string, ReturnType<typeof synthNew>>();

/** Synthesizes once per context within this file (the tests only read the result). */
function synth(context: Record<string, unknown> = {}) {
  const key = JSON.stringify(context);
  if (!synthesized.has(key)) synthesized.set(key, synthNew(context));
  return synthesized.get(key)!;
}

function synthNew(context: Record<string, unknown>) {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = new DatadogOrgIntegrationStack(app, 'Test', {
    config: configFromContext(app.node),
    env: { region: 'us-east-1' },
  });
  return { app, stack, template: Template.fromStack(stack) };
}

function nagFindings(app: App): string[] {
  return new AwsSolutionsChecks(app).validateScope(app).violations.map((v) => v.ruleName);
}

type GetAtt = { 'Fn::GetAtt': [string, string] };

/** Datadog's v2 API with CloudWatch namespace rules (the worker and reconcile read both from DD_AWS_ORG_CONFIG). */
const V2_SETTINGS = { datadog: { apiVersion: 'v2' }, integration: { namespaceRules: { 'AWS/EC2': false, 'AWS/SQS': true } } };

/** The one resource of this type: [logical ID, resource]. */
function only(template: Template, type: string): [string, Json] {
  const found = Object.entries(resources(template, type));
  expect(found).toHaveLength(1);
  return found[0]!;
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
    const [, secret] = only(template, 'AWS::SecretsManager::Secret');
    expect(props(secret).SecretString).toBe(JSON.stringify({ apiKey: '', appKey: '' }));
    const name = props(secret).Name;
    expect(JSON.stringify(name)).toContain(`"${CREATED_SECRET_NAME_PREFIX}-"`);
    expect(Object.keys(template.findOutputs('*', { Value: name }))).toHaveLength(1);
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

  it.each([
    [{ deployment: { workerConcurrency: 0 } }, 'deployment.workerConcurrency'],
    [{ deployment: { workerConcurrency: 1.5 } }, 'deployment.workerConcurrency'],
    [{ deployment: { reconcileSchedule: 'every day' } }, 'deployment.reconcileSchedule'],
    [{ deployment: { logRetentionDays: 42 } }, 'deployment.logRetentionDays'],
    [{ deployment: { maxReceiveCount: 1 } }, 'deployment.maxReceiveCount'],
    [{ deployment: { alarmEmail: 'not-an-address' } }, 'deployment.alarmEmail'],
    [{ deployment: { alarmTopicArn: 'ops-alarms' } }, 'deployment.alarmTopicArn'],
    [{ deployment: { controlTower: { enabled: 'yes' } } }, 'deployment.controlTower.enabled'],
    [{ deployment: { controlTower: { homeRegion: 'Ireland' } } }, 'deployment.controlTower.homeRegion'],
    [{ deployment: { reconcileEvery: '1h' } }, 'deployment: unknown key "reconcileEvery"'],
    [{ role: { memberAccessRoleName: 'bad role name' } }, 'role.memberAccessRoleName'],
  ])('fails synth on a bad deployment value, naming its key path: %j', (value, path) => {
    expect(() => synth({ [CONFIG_CONTEXT_KEY]: value })).toThrow(`context datadogAwsOrg: ${path}`);
  });

  it('reports every bad key at once', () => {
    const bad = { deployment: { workerConcurrency: 0, reconcileSchedule: 'every day', logRetentionDays: 42 } };
    let message = '';
    try {
      synth({ [CONFIG_CONTEXT_KEY]: bad });
    } catch (error) {
      message = (error as Error).message;
    }
    for (const key of Object.keys(bad.deployment)) expect(message).toContain(`context datadogAwsOrg: deployment.${key}: `);
  });

  it('has no cdk-nag AwsSolutions findings', () => {
    expect(nagFindings(synth().app)).toEqual([]);
  });

  it('has no cdk-nag AwsSolutions findings with datadog.apiVersion v2', () => {
    // The app the functions test below reads its v2 template from (memoised: one synth).
    expect(nagFindings(built(V2_SETTINGS).app)).toEqual([]);
  });

  it.each([
    ['v2', { ec2: false }, /context datadogAwsOrg: integration\.namespaceRules: "ec2" is a v1 namespace key; with datadog\.apiVersion "v2" name the CloudWatch namespace, e\.g\. "AWS\/AutoScaling"/],
    ['v1', { 'AWS/EC2': false }, /context datadogAwsOrg: integration\.namespaceRules: "AWS\/EC2" is a v2 \(CloudWatch\) namespace; with datadog\.apiVersion "v1" use v1 keys/],
  ])('fails synth on a namespace rule of the other API version (apiVersion %s, rules %j)', (apiVersion, namespaceRules, message) => {
    expect(() => synth({ [CONFIG_CONTEXT_KEY]: { datadog: { apiVersion }, integration: { namespaceRules } } })).toThrow(message);
  });

  it('has no cdk-nag findings with every option on, for every stack bin/app.ts would build (forwarder included)', () => {
    const { app, forwarder } = buildApp({
      datadog: { credentialsSecretId: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:team/datadog-AbCdEf' },
      role: { memberAccessRoleName: 'AWSControlTowerExecution' },
      deployment: {
        alarmEmail: 'ops@example.com',
        alarmTopicArn: 'arn:aws:sns:us-east-1:222222222222:ops-alarms',
        controlTower: { enabled: true, homeRegion: 'eu-west-1' },
        reconcileSchedule: 'cron(0 */6 * * ? *)',
        workerConcurrency: 2,
        logRetentionDays: 365,
      },
    });
    expect(forwarder).toBeDefined();
    expect(nagFindings(app)).toEqual([]);
  });

  it.each([
    ['name', 'team/datadog'],
    ['partial ARN', 'arn:aws:secretsmanager:us-east-1:111111111111:secret:team/datadog'],
  ])('has no cdk-nag findings with a secret imported by %s', (_how, id) => {
    expect(nagFindings(buildApp({ datadog: { credentialsSecretId: id } }).app)).toEqual([]);
  });

  it('cdk-nag sees our own stack: a wildcard grant added to the worker is flagged despite the acknowledgements', () => {
    const { app, stack } = buildApp();
    stack.integration.worker.addToRolePolicy(new PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
    expect(nagFindings(app)).toEqual(['AwsSolutions-IAM5[Action::s3:*]']);
  });

  it('cdk-nag does report findings (control: an unencrypted-transport bucket is flagged)', () => {
    const app = new App();
    new Bucket(new Stack(app, 'Control'), 'Bucket');
    expect(nagFindings(app)).toEqual(expect.arrayContaining(['AwsSolutions-S10']));
  });
});

describe('account queue (SQS FIFO)', () => {
  it('is FIFO without content-based deduplication, SQS-managed SSE, with a FIFO dead-letter queue after maxReceiveCount receives', () => {
    const { stack, template } = built({ deployment: { maxReceiveCount: 4 } });
    const queueId = logicalId(stack.integration.queue);
    const dlqId = logicalId(stack.integration.deadLetterQueue);
    const queue = props(resources(template, 'AWS::SQS::Queue')[queueId]!);
    expect(queue).toMatchObject({
      FifoQueue: true,
      ContentBasedDeduplication: false,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 4 },
    });
    expect(queue.KmsMasterKeyId).toBeUndefined();
    expect(props(resources(template, 'AWS::SQS::Queue')[dlqId]!)).toMatchObject({ FifoQueue: true, SqsManagedSseEnabled: true });
  });

  it('defaults maxReceiveCount to 15 (the backoff then spans the 2 hours a new account may take)', () => {
    const { stack, template } = built();
    const queue = props(resources(template, 'AWS::SQS::Queue')[logicalId(stack.integration.queue)]!);
    expect((queue.RedrivePolicy as Json).maxReceiveCount).toBe(15);
  });

  it('every queue of the stack is encrypted and TLS-only (a queue policy denies aws:SecureTransport false)', () => {
    const { template } = built({ deployment: { controlTower: { enabled: true } } });
    const queues = resources(template, 'AWS::SQS::Queue');
    expect(Object.keys(queues).length).toBeGreaterThanOrEqual(4);
    for (const id of Object.keys(queues)) {
      expect(props(queues[id]!).SqsManagedSseEnabled).toBe(true);
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Effect: 'Deny',
              Action: 'sqs:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              Resource: { 'Fn::GetAtt': [id, 'Arn'] },
            },
          ]),
        },
      });
    }
  });

  it("has a visibility timeout of at least six times the worker's timeout", () => {
    const { stack, template } = built();
    const queue = props(resources(template, 'AWS::SQS::Queue')[logicalId(stack.integration.queue)]!);
    const worker = props(resources(template, 'AWS::Lambda::Function')[logicalId(stack.integration.worker)]!);
    expect(typeof worker.Timeout).toBe('number');
    expect(queue.VisibilityTimeout as number).toBeGreaterThanOrEqual(6 * (worker.Timeout as number));
  });
});

describe('functions', () => {
  it('the worker consumes the account queue with partial batch failures', () => {
    const { stack, template } = built();
    const [, mapping] = only(template, 'AWS::Lambda::EventSourceMapping');
    expect(props(mapping)).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack.integration.queue), 'Arn'] },
      FunctionName: { Ref: logicalId(stack.integration.worker) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it.each([
    [{}, 5],
    [{ deployment: { workerConcurrency: 1 } }, 1],
    [{ deployment: { workerConcurrency: 3 } }, 3],
  ])('with %j the worker reserves %i concurrent executions, reconcile 1 (one at a time), the intake none', (settings, reserved) => {
    const { stack, template } = built(settings);
    const functions = resources(template, 'AWS::Lambda::Function');
    expect(props(functions[logicalId(stack.integration.worker)]!).ReservedConcurrentExecutions).toBe(reserved);
    expect(props(functions[logicalId(stack.integration.intake)]!).ReservedConcurrentExecutions).toBeUndefined();
    expect(props(functions[logicalId(stack.integration.reconcile)]!).ReservedConcurrentExecutions).toBe(1);
  });

  it.each([
    [{}, 30],
    [{ deployment: { logRetentionDays: 90 } }, 90],
  ])('with %j every function runs nodejs24.x and logs to its own log group kept %i days', (settings, days) => {
    const { stack, template } = built(settings);
    const functions = resources(template, 'AWS::Lambda::Function');
    expect(Object.keys(functions)).toHaveLength(3);
    const logGroups = resources(template, 'AWS::Logs::LogGroup');
    const used = new Set<string>();
    for (const fn of [stack.integration.intake, stack.integration.worker, stack.integration.reconcile]) {
      const properties = props(functions[logicalId(fn)]!);
      expect(properties.Runtime).toBe('nodejs24.x');
      const groupId = ((properties.LoggingConfig as Json).LogGroup as { Ref: string }).Ref;
      expect(groupId).toBe(logicalId(fn.logGroup));
      expect(props(logGroups[groupId]!).RetentionInDays).toBe(days);
      used.add(groupId);
    }
    expect(used.size).toBe(3);
  });

  it.each([
    [{}],
    [{ datadog: { credentialsSecretId: 'team/datadog', site: 'datadoghq.eu' }, role: { memberAccessRoleName: 'AWSControlTowerExecution' }, deployment: { workerConcurrency: 2 } }],
    [V2_SETTINGS],
  ])('with %j the worker and reconcile get the configuration (secret ARN resolved) in DD_AWS_ORG_CONFIG and the queue URL', (settings) => {
    const { stack, template, config } = built(settings);
    const functions = resources(template, 'AWS::Lambda::Function');
    const secretArn = render(stack.resolve(stack.integration.secret.secretArn));
    for (const fn of [stack.integration.worker, stack.integration.reconcile]) {
      const variables = (props(functions[logicalId(fn)]!).Environment as Json).Variables as Json;
      expect(variables[QUEUE_URL_VARIABLE]).toEqual({ Ref: logicalId(stack.integration.queue) });
      const raw = variables[CONFIG_ENVIRONMENT_VARIABLE];
      // A token inside (the secret's ARN) makes it an Fn::Join; rendered, it is the JSON the Lambda parses.
      const json = JSON.parse(render(raw)) as Json;
      expect(json).toEqual(JSON.parse(JSON.stringify({ ...config, datadog: { ...config.datadog, credentialsSecretId: secretArn } })));
      expect(parseConfig(json, 'environment')).toEqual({ ...config, datadog: { ...config.datadog, credentialsSecretId: secretArn } });
    }
  });

  it('with datadog.apiVersion v2 the worker and reconcile parse apiVersion "v2" and the CloudWatch namespace rules as given; v2 is the default, v1 is kept when set', () => {
    const { stack, template } = built(V2_SETTINGS);
    const functions = resources(template, 'AWS::Lambda::Function');
    for (const fn of [stack.integration.worker, stack.integration.reconcile]) {
      const variables = (props(functions[logicalId(fn)]!).Environment as Json).Variables as Json;
      const config = parseConfig(JSON.parse(render(variables[CONFIG_ENVIRONMENT_VARIABLE])), 'environment');
      expect(config.datadog.apiVersion).toBe('v2');
      expect(config.integration.namespaceRules).toEqual({ 'AWS/EC2': false, 'AWS/SQS': true });
    }
    // The default is v2; v1 is what a deployment sets to keep the deprecated API.
    const apiVersionOf = (deployment: ReturnType<typeof built>) => {
      const variables = (props(resources(deployment.template, 'AWS::Lambda::Function')[logicalId(deployment.stack.integration.worker)]!).Environment as Json).Variables as Json;
      return parseConfig(JSON.parse(render(variables[CONFIG_ENVIRONMENT_VARIABLE])), 'environment').datadog.apiVersion;
    };
    expect(apiVersionOf(built())).toBe('v2');
    expect(apiVersionOf(built({ datadog: { apiVersion: 'v1' } }))).toBe('v1');
  });

  // Regression: the worker was once capped by reserved concurrency only (throttled batches burn receives toward the DLQ).
  it('the event source mapping itself caps concurrency at deployment.workerConcurrency', () => {
    const { template } = built({ deployment: { workerConcurrency: 3 } });
    const [, mapping] = only(template, 'AWS::Lambda::EventSourceMapping');
    expect(props(mapping).ScalingConfig).toEqual({ MaximumConcurrency: 3 });
  });

  // The default caps both: no throttled poll counts a receive toward the DLQ (bench: 0 dead-lettered at 10,000 accounts).
  it('by default the worker reserves 5 and the event source mapping caps at 5, in batches of 10', () => {
    const { template } = built();
    const [, mapping] = only(template, 'AWS::Lambda::EventSourceMapping');
    expect(props(mapping)).toMatchObject({ ScalingConfig: { MaximumConcurrency: 5 }, BatchSize: 10 });
  });

  it('below AWS minimum of 2, the event source mapping has no maximum concurrency (reserved concurrency alone)', () => {
    const { template } = built({ deployment: { workerConcurrency: 1 } });
    const [, mapping] = only(template, 'AWS::Lambda::EventSourceMapping');
    expect(props(mapping).ScalingConfig).toBeUndefined();
  });

  it('the intake gets the queue URL but not the configuration it does not use', () => {
    const { stack, template } = built();
    const variables = (props(resources(template, 'AWS::Lambda::Function')[logicalId(stack.integration.intake)]!).Environment as Json).Variables as Json;
    expect(variables[QUEUE_URL_VARIABLE]).toEqual({ Ref: logicalId(stack.integration.queue) });
    expect(variables[CONFIG_ENVIRONMENT_VARIABLE]).toBeUndefined();
  });

  // Regression: the output once named /aws/lambda/<function>, a log group the worker never writes to.
  it('the WorkerLogGroup output names the log group the worker really writes to', () => {
    const { stack, template } = built();
    const outputs = template.findOutputs('*');
    const [, output] = Object.entries(outputs).find(([id]) => id.startsWith('IntegrationWorkerLogGroup'))!;
    expect((output as Json).Value).toEqual(stack.resolve(stack.integration.worker.logGroup.logGroupName));
  });
});

describe('Datadog credentials secret', () => {
  it('is created with empty keys and retained, when none is configured', () => {
    const { template } = built();
    const [, secret] = only(template, 'AWS::SecretsManager::Secret');
    expect(secret).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { SecretString: JSON.stringify({ apiKey: '', appKey: '' }) },
    });
    expect(props(secret).GenerateSecretString).toBeUndefined();
  });

  // Regression: a fixed name plus Retain made the second deploy after `cdk destroy` fail (the retained secret, or
  // Secrets Manager's recovery window on a deleted one, holds the name).
  it('is named datadog-aws-org-integration/datadog-keys-<first part of the stack ID>: a redeployed stack never reuses the name', () => {
    const { template } = built();
    const [, secret] = only(template, 'AWS::SecretsManager::Secret');
    expect(CREATED_SECRET_NAME_PREFIX).toBe('datadog-aws-org-integration/datadog-keys');
    expect(props(secret).Name).toEqual({
      'Fn::Join': [
        '',
        [`${CREATED_SECRET_NAME_PREFIX}-`, { 'Fn::Select': [0, { 'Fn::Split': ['-', { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }] }] }],
      ],
    });
    // What that renders to for a stack ID CloudFormation gives: arn:...:stack/<name>/<uuid>.
    const stackId = 'arn:aws:cloudformation:us-east-1:111111111111:stack/DatadogOrgIntegration/5c9d6a70-3f1e-11ef-9f3b-0a1b2c3d4e5f';
    expect(`${CREATED_SECRET_NAME_PREFIX}-${stackId.split('/')[2]!.split('-')[0]}`).toBe('datadog-aws-org-integration/datadog-keys-5c9d6a70');
  });

  it.each([
    'team/datadog',
    'arn:aws:secretsmanager:us-east-1:111111111111:secret:team/datadog-AbCdEf',
    'arn:aws:secretsmanager:us-east-1:111111111111:secret:team/datadog',
  ])('is not created when datadog.credentialsSecretId is %s', (id) => {
    const { template } = built({ datadog: { credentialsSecretId: id } });
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(Object.keys(template.findOutputs('*', { Value: CREATED_SECRET_NAME_PREFIX }))).toEqual([]);
  });
});

describe('alarms', () => {
  const EMAIL = 'ops@example.com';
  const TOPIC_ARN = 'arn:aws:sns:us-east-1:222222222222:ops-alarms';

  function alarms(template: Template): Json[] {
    return Object.values(resources(template, 'AWS::CloudWatch::Alarm')).map(props);
  }

  it('watch the dead-letter queue depth, every function\'s Errors and the AccountFailed metric', () => {
    const { stack, template } = built();
    const all = alarms(template);
    // The account DLQ, the rules' DLQ, three functions' Errors, DeletionGuardTripped, AccountFailed.
    expect(all).toHaveLength(7);
    expect(all).toContainEqual(
      expect.objectContaining({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stack.integration.deadLetterQueue), 'QueueName'] } }],
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
      }),
    );
    for (const fn of [stack.integration.intake, stack.integration.worker, stack.integration.reconcile]) {
      expect(all).toContainEqual(
        expect.objectContaining({
          Namespace: 'AWS/Lambda',
          MetricName: 'Errors',
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(fn) } }],
          Statistic: 'Sum',
          Threshold: 1,
        }),
      );
    }
    // The worker's EMF metric: Powertools adds the service dimension (POWERTOOLS_SERVICE_NAME / serviceName "worker").
    expect(all).toContainEqual(
      expect.objectContaining({
        Namespace: 'DatadogAwsOrgIntegration',
        MetricName: 'AccountFailed',
        Dimensions: [{ Name: 'service', Value: 'worker' }],
        Statistic: 'Sum',
        Threshold: 1,
      }),
    );
    const worker = props(resources(template, 'AWS::Lambda::Function')[logicalId(stack.integration.worker)]!);
    expect((worker.Environment as Json).Variables).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'worker', POWERTOOLS_METRICS_NAMESPACE: 'DatadogAwsOrgIntegration' });
  });

  it('with neither alarmEmail nor alarmTopicArn: no topic and no alarm actions', () => {
    const { template } = built();
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
    for (const alarm of alarms(template)) expect(alarm.AlarmActions).toBeUndefined();
  });

  it('with alarmEmail: a KMS-encrypted (rotating key), TLS-only topic with an e-mail subscription that every alarm notifies', () => {
    const { template } = built({ deployment: { alarmEmail: EMAIL } });
    const [keyId, key] = only(template, 'AWS::KMS::Key');
    expect(props(key).EnableKeyRotation).toBe(true);
    const [topicId, topic] = only(template, 'AWS::SNS::Topic');
    expect(props(topic).KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    const [, subscription] = only(template, 'AWS::SNS::Subscription');
    expect(props(subscription)).toMatchObject({ Protocol: 'email', Endpoint: EMAIL, TopicArn: { Ref: topicId } });
    // CloudWatch must be able to use the key to publish to the encrypted topic.
    expect(((props(key).KeyPolicy as Json).Statement as Json[])).toContainEqual(
      expect.objectContaining({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] }),
    );
    const all = alarms(template);
    expect(all).toHaveLength(7);
    for (const alarm of all) expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
  });

  it('with alarmTopicArn: every alarm notifies that topic, and no topic is created', () => {
    const { template } = built({ deployment: { alarmTopicArn: TOPIC_ARN } });
    template.resourceCountIs('AWS::SNS::Topic', 0);
    for (const alarm of alarms(template)) expect(alarm.AlarmActions).toEqual([TOPIC_ARN]);
  });

  it('with both: every alarm notifies the created topic and the given one', () => {
    const { template } = built({ deployment: { alarmEmail: EMAIL, alarmTopicArn: TOPIC_ARN } });
    const [topicId] = only(template, 'AWS::SNS::Topic');
    for (const alarm of alarms(template)) expect(alarm.AlarmActions).toEqual([{ Ref: topicId }, TOPIC_ARN]);
  });

  // Regression: the rules' dead-letter queue once had no alarm.
  it('every dead-letter queue, including the one of the EventBridge rules, has a depth alarm', () => {
    const { template } = built();
    const watched = alarms(template)
      .filter((a) => a.Namespace === 'AWS/SQS')
      .map((a) => ((a.Dimensions as Json[])[0]!.Value as GetAtt)['Fn::GetAtt'][0]);
    const deadLetterQueues = Object.keys(resources(template, 'AWS::SQS::Queue')).filter((id) => /DeadLetterQueue/.test(id));
    expect(deadLetterQueues.length).toBeGreaterThanOrEqual(2);
    expect(watched.sort()).toEqual(deadLetterQueues.sort());
  });
});

describe('region', () => {
  it('refuses a stack whose region is not us-east-1, saying why', () => {
    expect(() => buildStack({ region: 'eu-west-1' })).toThrow(/us-east-1/);
    expect(() => buildStack({ region: 'eu-west-1' })).toThrow(/Organizations/);
  });

  it('an environment-agnostic stack carries a CloudFormation rule that asserts AWS::Region is us-east-1', () => {
    const rules = (Template.fromStack(buildStack(undefined)).toJSON().Rules ?? {}) as Record<string, Json>;
    const guards = Object.values(rules).filter((rule) => JSON.stringify(rule).includes('AWS::Region'));
    expect(guards).toHaveLength(1);
    expect((guards[0]!.Assertions as Json[])).toEqual([
      expect.objectContaining({ Assert: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] }, AssertDescription: expect.stringMatching(/us-east-1/) }),
    ]);
  });

  it('a us-east-1 stack needs no such rule', () => {
    const rules = (built().template.toJSON().Rules ?? {}) as Record<string, Json>;
    expect(JSON.stringify(rules)).not.toContain('AWS::Region');
  });
});
