import type { Template } from 'aws-cdk-lib/assertions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import {
  ACCOUNT,
  actionsOf,
  allPolicyDocuments,
  allStatements,
  built,
  iamMatches,
  props,
  render,
  resources,
  resourcesOf,
  roleIdOf,
  statementsByRole,
  type Built,
  type Json,
  type Statement,
} from './helpers';

/**
 * Least privilege, asserted over every identity policy and role of every stack the app
 * builds (main stack and Control Tower forwarder), for the default configuration and for
 * one with every option on.
 */

const COMPLETE_ARN = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:team/datadog-AbCdEf`;
const PARTIAL_ARN = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:team/datadog`;

const EVERYTHING_ON = {
  datadog: { credentialsSecretId: COMPLETE_ARN },
  role: { memberAccessRoleName: 'AWSControlTowerExecution' },
  deployment: {
    alarmEmail: 'ops@example.com',
    alarmTopicArn: 'arn:aws:sns:us-east-1:222222222222:ops-alarms',
    controlTower: { enabled: true, homeRegion: 'eu-west-1' },
  },
};

const CONFIGS: Array<[string, Json]> = [
  ['default', {}],
  ['every option on', EVERYTHING_ON],
  // The root lookup's role (dedicated mode without includeOus) is checked in member-access.test.ts.
  ['dedicated member role, management account in scope', { role: { memberAccessMode: 'dedicated' }, scope: { includeOus: ['ou-abcd-11111111'], includeManagementAccount: true } }],
];

function templatesOf(b: Built): Template[] {
  return [b.template, ...(b.forwarderTemplate ? [b.forwarderTemplate] : [])];
}

function functionsOf(b: Built): { intake: NodejsFunction; worker: NodejsFunction; reconcile: NodejsFunction } {
  const { intake, worker, reconcile } = b.stack.integration;
  return { intake, worker, reconcile };
}

/** Allow statements whose actions match the predicate, with their role's function name. */
function allowsFor(b: Built, predicate: (action: string) => boolean): Array<{ role: string; statement: Statement; actions: string[] }> {
  const names = new Map(Object.entries(functionsOf(b)).map(([name, fn]) => [roleIdOf(fn), name]));
  return allStatements(b.template)
    .filter(({ statement }) => statement.Effect === 'Allow')
    .map(({ roleId, statement }) => ({ role: names.get(roleId) ?? roleId, statement, actions: actionsOf(statement).filter(predicate) }))
    .filter(({ actions }) => actions.length > 0);
}

describe.each(CONFIGS)('least privilege (%s)', (_label, settings) => {
  const b = () => built(settings);

  it('no identity policy of any stack grants a wildcard action or uses NotAction', () => {
    for (const template of templatesOf(b())) {
      const statements = allStatements(template);
      expect(statements.length).toBeGreaterThan(0);
      for (const { roleId, statement } of statements) {
        expect({ roleId, NotAction: statement.NotAction }).toEqual({ roleId, NotAction: undefined });
        for (const action of actionsOf(statement)) {
          expect({ roleId, action, wildcard: action.includes('*') }).toEqual({ roleId, action, wildcard: false });
        }
      }
    }
  });

  it('no role has a managed policy (no AWSLambdaBasicExecutionRole), and the function roles trust only Lambda', () => {
    for (const template of templatesOf(b())) {
      for (const [id, role] of Object.entries(resources(template, 'AWS::IAM::Role'))) {
        expect({ id, managed: props(role).ManagedPolicyArns }).toEqual({ id, managed: undefined });
      }
      template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
      expect(JSON.stringify(template.toJSON())).not.toMatch(/AWSLambdaBasicExecutionRole|service-role\//);
    }
    const roles = resources(b().template, 'AWS::IAM::Role');
    for (const fn of Object.values(functionsOf(b()))) {
      expect(props(roles[roleIdOf(fn)]!).AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'lambda.amazonaws.com' } }],
      });
    }
  });

  it('each function has its own role', () => {
    const ids = Object.values(functionsOf(b())).map(roleIdOf);
    expect(new Set(ids).size).toBe(3);
  });

  it('sts:AssumeRole only in the worker, only on the member access role in any account', () => {
    const { config } = b();
    const grants = allowsFor(b(), (a) => a.toLowerCase().startsWith('sts:'));
    expect(grants.map((g) => [g.role, g.actions])).toEqual([['worker', ['sts:AssumeRole']]]);
    expect(resourcesOf(grants[0]!.statement).map(render)).toEqual([`arn:\${AWS::Partition}:iam::*:role/${config.role.memberAccessRoleName}`]);
  });

  it('Organizations: read-only actions (Describe*/List*), only for the worker and reconcile', () => {
    const grants = allowsFor(b(), (a) => a.toLowerCase().startsWith('organizations:'));
    expect(grants.length).toBeGreaterThan(0);
    for (const { role, actions } of grants) {
      expect(['worker', 'reconcile']).toContain(role);
      for (const action of actions) expect(action).toMatch(/^organizations:(Describe|List)[A-Za-z]+$/);
    }
  });

  it('secretsmanager: GetSecretValue only, on the one secret, only for the worker and reconcile', () => {
    const { stack } = b();
    const grants = allowsFor(b(), (a) => a.toLowerCase().startsWith('secretsmanager:') || a.toLowerCase().startsWith('kms:'));
    expect(grants.map((g) => g.role).sort()).toEqual(['reconcile', 'worker']);
    for (const { statement } of grants) {
      expect(actionsOf(statement)).toEqual(['secretsmanager:GetSecretValue']);
      // A created secret is granted by its exact ARN; an imported one by its ARN and its ARN with Secrets Manager's suffix.
      const arn = stack.resolve(stack.integration.secret.secretArn);
      expect(resourcesOf(statement)).toEqual(typeof arn === 'string' ? [arn, `${arn}-??????`] : [arn]);
    }
  });

  it('sqs:SendMessage only to the account queue, only from the intake and reconcile; the worker only consumes it', () => {
    const { stack } = b();
    const queueArn = stack.resolve(stack.integration.queue.queueArn) as unknown;
    const sends = allowsFor(b(), (a) => a === 'sqs:SendMessage');
    expect(sends.map((g) => g.role).sort()).toEqual(['intake', 'reconcile']);
    for (const { statement } of sends) expect(resourcesOf(statement)).toEqual([queueArn]);
    const sqs = allowsFor(b(), (a) => a.startsWith('sqs:'));
    for (const { statement } of sqs) expect(resourcesOf(statement)).toEqual([queueArn]);
    const worker = sqs.filter((g) => g.role === 'worker').flatMap((g) => g.actions);
    expect(worker.sort()).toEqual(['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage']);
  });

  it("logs: each function writes only to its own log group, and creates none", () => {
    const { stack } = b();
    const functions = functionsOf(b());
    const grants = allowsFor(b(), (a) => a.startsWith('logs:'));
    expect(grants.map((g) => g.role).sort()).toEqual(['intake', 'reconcile', 'worker']);
    for (const { role, statement } of grants) {
      expect(actionsOf(statement).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      const fn = functions[role as keyof typeof functions];
      expect(resourcesOf(statement)).toEqual([stack.resolve(fn.logGroup.logGroupArn)]);
    }
  });

  it('a "*" resource is used only for Organizations reads (their list and describe calls)', () => {
    for (const template of templatesOf(b())) {
      for (const { roleId, statement } of allStatements(template)) {
        if (resourcesOf(statement).includes('*')) {
          for (const action of actionsOf(statement)) expect({ roleId, action }).toEqual({ roleId, action: expect.stringMatching(/^organizations:(Describe|List)/) });
        }
      }
    }
  });

  it('the intake and worker roles hold exactly the expected actions, nothing more', () => {
    const actionsOfRole = (fn: IFunction) => [...new Set((statementsByRole(b().template).get(roleIdOf(fn)) ?? []).flatMap(actionsOf))].sort();
    const { intake, worker } = functionsOf(b());
    expect(actionsOfRole(intake)).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage']);
    expect(actionsOfRole(worker)).toEqual(
      [
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'organizations:DescribeAccount',
        'organizations:DescribeOrganization',
        'organizations:ListParents',
        'organizations:ListTagsForResource',
        'secretsmanager:GetSecretValue',
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:ReceiveMessage',
        'sts:AssumeRole',
      ].sort(),
    );
  });

  it('no resource policy (queues, topic, key) grants anything to everyone: "*" principals appear only in Deny statements', () => {
    for (const template of templatesOf(b())) {
      for (const [where, statements] of allPolicyDocuments(template)) {
        for (const statement of statements) {
          const principal = JSON.stringify(statement.Principal ?? null);
          if (principal === '"*"' || principal === '{"AWS":"*"}') expect({ where, effect: statement.Effect }).toEqual({ where, effect: 'Deny' });
        }
      }
    }
  });
});

describe('least privilege: details that depend on the configuration', () => {
  it.each(['OrganizationAccountAccessRole', 'AWSControlTowerExecution'])('sts:AssumeRole names the configured member access role %s', (name) => {
    const b = built({ role: { memberAccessRoleName: name } });
    const grants = allowsFor(b, (a) => a === 'sts:AssumeRole');
    expect(grants.map((g) => g.role)).toEqual(['worker']);
    expect(resourcesOf(grants[0]!.statement).map(render)).toEqual([`arn:\${AWS::Partition}:iam::*:role/${name}`]);
  });

  it('the created secret: GetSecretValue on that secret (by reference) only', () => {
    const b = built();
    const [secretId] = Object.keys(resources(b.template, 'AWS::SecretsManager::Secret'));
    const grants = allowsFor(b, (a) => a.startsWith('secretsmanager:'));
    expect(grants.map((g) => [g.role, resourcesOf(g.statement)]).sort()).toEqual([
      ['reconcile', [{ Ref: secretId }]],
      ['worker', [{ Ref: secretId }]],
    ]);
  });

  it.each([
    ['by name', 'team/datadog', 'team/datadog'],
    ['by complete ARN', COMPLETE_ARN, 'team/datadog-AbCdEf'],
    ['by partial ARN', PARTIAL_ARN, 'team/datadog'],
  ])('an imported secret (%s): GetSecretValue only for the worker and reconcile, on one resource naming it', (_how, id, name) => {
    const b = built({ datadog: { credentialsSecretId: id } });
    const grants = allowsFor(b, (a) => a.startsWith('secretsmanager:') || a.startsWith('kms:'));
    expect(grants.map((g) => g.role).sort()).toEqual(['reconcile', 'worker']);
    for (const { statement } of grants) {
      expect(actionsOf(statement)).toEqual(['secretsmanager:GetSecretValue']);
      const [resource, ...more] = resourcesOf(statement).map(render);
      expect(more).toEqual([`${resource}-??????`]);
      expect(resource).toMatch(/^arn:(aws|\$\{AWS::Partition\}):secretsmanager:us-east-1:(111111111111|\$\{AWS::AccountId\}):secret:/);
      expect(resource).toContain(`:secret:${name}`);
    }
  });

  /** The resource of the secret grant, in the aws partition and our account, against the secret's real ARN. */
  function secretGrantCovers(id: string, realArn: string): boolean {
    const b = built({ datadog: { credentialsSecretId: id } });
    const grants = allowsFor(b, (a) => a === 'secretsmanager:GetSecretValue');
    expect(grants).toHaveLength(2);
    return grants.every(({ statement }) =>
      resourcesOf(statement)
        .map((r) => render(r).replace('${AWS::Partition}', 'aws').replace('${AWS::AccountId}', ACCOUNT))
        .some((pattern) => iamMatches(pattern, realArn)),
    );
  }

  it('an imported secret by complete ARN: the grant covers exactly that secret', () => {
    expect(secretGrantCovers(COMPLETE_ARN, COMPLETE_ARN)).toBe(true);
    expect(secretGrantCovers(COMPLETE_ARN, `${PARTIAL_ARN}-ZzZzZz`)).toBe(false);
  });

  // Regression: an imported secret was once granted without the "-??????" suffix of its real ARN (AccessDenied at run time).
  it('an imported secret by name: the grant covers the real ARN (name + 6-character suffix)', () => {
    expect(secretGrantCovers('team/datadog', `${PARTIAL_ARN}-AbCdEf`)).toBe(true);
  });

  it('an imported secret by partial ARN: the grant covers the real ARN (partial ARN + 6-character suffix)', () => {
    expect(secretGrantCovers(PARTIAL_ARN, `${PARTIAL_ARN}-AbCdEf`)).toBe(true);
  });

  // Regression: a partial ARN whose name ends in "-" + 6 characters was once taken for a complete one.
  it('an imported secret by a partial ARN ending in a 6-character word: the grant covers the real ARN', () => {
    const partial = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:datadog/api-access`;
    expect(secretGrantCovers(partial, `${partial}-AbCdEf`)).toBe(true);
  });

  // Regression: reconcile once held an Organizations action its code never called.
  it('the reconcile role holds exactly the actions its code needs', () => {
    const b = built();
    const actions = [...new Set((statementsByRole(b.template).get(roleIdOf(b.stack.integration.reconcile)) ?? []).flatMap(actionsOf))].sort();
    expect(actions).toEqual(
      [
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'organizations:DescribeOrganization',
        'organizations:ListAccountsForParent',
        'organizations:ListOrganizationalUnitsForParent',
        'organizations:ListRoots',
        'organizations:ListTagsForResource',
        'secretsmanager:GetSecretValue',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
      ].sort(),
    );
  });

  it('the forwarder roles (one per rule) may only put events on us-east-1\'s default bus, and are trusted by EventBridge only', () => {
    const { forwarderTemplate } = built(EVERYTHING_ON);
    const byRole = statementsByRole(forwarderTemplate!);
    expect(byRole.size).toBe(2);
    for (const [roleId, statements] of byRole) {
      expect(statements.map((s) => [s.Effect, actionsOf(s), resourcesOf(s).map(render)])).toEqual([
        ['Allow', ['events:PutEvents'], ['arn:${AWS::Partition}:events:us-east-1:${AWS::AccountId}:event-bus/default']],
      ]);
      const trust = props(resources(forwarderTemplate!, 'AWS::IAM::Role')[roleId]!).AssumeRolePolicyDocument as Json;
      expect(trust.Statement).toEqual([{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'events.amazonaws.com' } }]);
    }
  });
});
