import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { HANDLED_EVENTS, parseEvent } from '../../lambda/event/parse';
import { ACCOUNT, built, CDK_JSON_CONTEXT, eventFixtures, eventPatterns, isKeysStoredRule, matchesPattern, props, render, resources, type Json } from './helpers';

/**
 * EventBridge: one rule per trigger of DESIGN.md on the default bus, each pattern checked
 * against the real-shaped events of test/support/events; the reconcile schedule; and the
 * Control Tower forwarder that bin/app.ts adds when Control Tower lives outside us-east-1.
 */

const CONTROL_TOWER_ON = { deployment: { controlTower: { enabled: true } } };
const ORGS = 'aws.organizations';
const CT = 'aws.controltower';
const SERVICE_EVENT = 'AWS Service Event via CloudTrail';
const API_CALL = 'AWS API Call via CloudTrail';

const API_CALLS = ['CloseAccount', 'RemoveAccountFromOrganization', 'MoveAccount', 'TagResource', 'UntagResource', 'AcceptHandshake', 'LeaveOrganization'];

/** The exact patterns the issue asks for. */
const ORGANIZATIONS_PATTERNS: Json[] = [
  {
    source: [ORGS],
    'detail-type': [SERVICE_EVENT],
    detail: { eventName: ['CreateAccountResult'], serviceEventDetails: { createAccountStatus: { state: ['SUCCEEDED'] } } },
  },
  {
    source: [ORGS],
    'detail-type': [SERVICE_EVENT],
    detail: { eventName: ['CloseAccountResult'], serviceEventDetails: { closeAccountStatus: { state: ['SUCCEEDED'] } } },
  },
  { source: [ORGS], 'detail-type': [SERVICE_EVENT], detail: { eventName: ['AccountJoinedOrganization'] } },
  { source: [ORGS], 'detail-type': [API_CALL], detail: { eventName: API_CALLS, errorCode: [{ exists: false }] } },
];
const CONTROL_TOWER_PATTERNS: Json[] = [
  {
    source: [CT],
    'detail-type': [SERVICE_EVENT],
    detail: { eventName: ['CreateManagedAccount'], serviceEventDetails: { createManagedAccountStatus: { state: ['SUCCEEDED'] } } },
  },
  {
    source: [CT],
    'detail-type': [SERVICE_EVENT],
    detail: { eventName: ['UpdateManagedAccount'], serviceEventDetails: { updateManagedAccountStatus: { state: ['SUCCEEDED'] } } },
  },
];

/** Sorts arrays of strings inside a pattern, so that patterns compare regardless of order. */
function normalised(pattern: unknown): unknown {
  if (Array.isArray(pattern)) return pattern.every((v) => typeof v === 'string') ? [...(pattern as string[])].sort() : pattern.map(normalised);
  if (typeof pattern === 'object' && pattern !== null) {
    return Object.fromEntries(Object.entries(pattern).map(([k, v]) => [k, normalised(v)]));
  }
  return pattern;
}

function patternsOf(template: Template): Json[] {
  return Object.values(eventPatterns(template)).map((p) => normalised(p) as Json);
}

const fixtures = eventFixtures();
const outcomes = fixtures.map(([name, event]) => ({ name, event, outcome: parseEvent(event) }));
/** Fixtures that must start work: parseEvent names accounts (or asks for a reconcile). */
const actionable = outcomes.filter((f) => f.outcome.kind === 'accounts' || f.outcome.kind === 'reconcile');

function serviceStates(event: unknown): string[] {
  const details = ((event as Json | null)?.detail as Json | undefined)?.serviceEventDetails;
  if (typeof details !== 'object' || details === null) return [];
  return Object.values(details as Record<string, unknown>)
    .map((status) => (status as Json | null)?.state)
    .filter((state): state is string => typeof state === 'string');
}

/** Failed or unfinished: a call with an errorCode, or a result whose state is not SUCCEEDED. */
const failedOrUnfinished = outcomes.filter(({ event }) => {
  const detail = (event as Json | null)?.detail as Json | undefined;
  return (detail?.errorCode !== undefined && detail.errorCode !== null) || serviceStates(event).some((s) => s !== 'SUCCEEDED');
});

function matchingRules(patterns: Record<string, Json>, event: unknown): string[] {
  return Object.entries(patterns)
    .filter(([, pattern]) => matchesPattern(pattern, event))
    .map(([id]) => id);
}

describe('the pattern matcher used by these tests', () => {
  it('implements exact values, exists:false, prefix and nested objects as EventBridge does', () => {
    const pattern = { source: ['a', 'b'], detail: { state: ['OK'], errorCode: [{ exists: false }] } };
    expect(matchesPattern(pattern, { source: 'b', detail: { state: 'OK' } })).toBe(true);
    expect(matchesPattern(pattern, { source: 'c', detail: { state: 'OK' } })).toBe(false);
    expect(matchesPattern(pattern, { source: 'a', detail: { state: 'OK', errorCode: 'Denied' } })).toBe(false);
    expect(matchesPattern(pattern, { source: 'a', detail: { state: 'FAILED' } })).toBe(false);
    expect(matchesPattern(pattern, { source: 'a' })).toBe(false);
    expect(matchesPattern(pattern, { source: 'a', detail: { state: ['x', 'OK'] } })).toBe(true);
    expect(matchesPattern({ source: [{ prefix: 'aws.' }] }, { source: 'aws.organizations' })).toBe(true);
    expect(matchesPattern({ source: [{ prefix: 'aws.' }] }, { source: 'custom.aws.' })).toBe(false);
    expect(matchesPattern({ source: [{ prefix: 'aws.' }] }, {})).toBe(false);
    expect(() => matchesPattern({ source: [{ suffix: 'a' }] }, { source: 'a' })).toThrow(/unsupported/);
  });
});

describe('EventBridge rules for the triggers', () => {
  it('has exactly the Organizations rules, with the precise patterns, when Control Tower is off (the default)', () => {
    const { template } = built();
    expect(patternsOf(template)).toEqual(expect.arrayContaining(ORGANIZATIONS_PATTERNS.map(normalised)));
    expect(patternsOf(template)).toHaveLength(ORGANIZATIONS_PATTERNS.length);
    expect(JSON.stringify(template.toJSON())).not.toContain(CT);
  });

  it('adds the two Control Tower rules (SUCCEEDED only) when deployment.controlTower.enabled', () => {
    const { template } = built(CONTROL_TOWER_ON);
    const expected = [...ORGANIZATIONS_PATTERNS, ...CONTROL_TOWER_PATTERNS].map(normalised);
    expect(patternsOf(template)).toEqual(expect.arrayContaining(expected));
    expect(patternsOf(template)).toHaveLength(expected.length);
  });

  it('covers every event the parser handles, and nothing else', () => {
    const { template } = built(CONTROL_TOWER_ON);
    const covered = Object.values(eventPatterns(template)).flatMap((p) =>
      ((p.detail as Json).eventName as string[]).map((name) => `${(p.source as string[])[0]} ${(p['detail-type'] as string[])[0]} ${name}`),
    );
    expect(covered.sort()).toEqual(HANDLED_EVENTS.map((e) => `${e.source} ${e.detailType} ${e.eventName}`).sort());
  });

  it('puts every rule on the default bus and targets the intake function with a retry policy and a dead-letter queue', () => {
    const { stack, template } = built(CONTROL_TOWER_ON);
    const intakeArn = stack.resolve(stack.integration.intake.functionArn) as unknown;
    const queues = resources(template, 'AWS::SQS::Queue');
    const rules = Object.entries(resources(template, 'AWS::Events::Rule')).filter(([, r]) => props(r).EventPattern !== undefined && !isKeysStoredRule(r));
    expect(rules).toHaveLength(6);
    for (const [id, rule] of rules) {
      expect({ id, bus: props(rule).EventBusName }).toEqual({ id, bus: undefined });
      expect(props(rule).State).toBe('ENABLED');
      const targets = props(rule).Targets as Json[];
      // AccountJoinedOrganization names no verified account: it also starts a reconcile.
      const joined = JSON.stringify(props(rule).EventPattern).includes('AccountJoinedOrganization');
      expect(targets.map((t) => t.Arn)).toEqual(
        joined ? [intakeArn, stack.resolve(stack.integration.reconcile.functionArn)] : [intakeArn],
      );
      const [target] = targets as [Json];
      expect((target.RetryPolicy as Json).MaximumRetryAttempts).toBeGreaterThan(0);
      const dlq = ((target.DeadLetterConfig as Json).Arn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
      expect(dlq[1]).toBe('Arn');
      expect(queues[dlq[0]]).toBeDefined();
      // The queue lets EventBridge deliver there from this rule only.
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: dlq[0] }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Action: 'sqs:SendMessage',
              Principal: { Service: 'events.amazonaws.com' },
              Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [id, 'Arn'] } } },
            }),
          ]),
        },
      });
    }
    // EventBridge may invoke the intake function from these rules, and from nothing else.
    const permissions = Object.values(resources(template, 'AWS::Lambda::Permission')).filter(
      (p) => JSON.stringify(props(p).FunctionName) === JSON.stringify(intakeArn),
    );
    expect(permissions.map((p) => props(p).SourceArn).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual(
      rules.map(([id]) => ({ 'Fn::GetAtt': [id, 'Arn'] })).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    );
    expect(permissions.every((p) => props(p).Principal === 'events.amazonaws.com')).toBe(true);
  });
});

describe('rule patterns against the fixture events', () => {
  it('has fixtures of every kind to check against', () => {
    expect(actionable.length).toBeGreaterThanOrEqual(12);
    expect(failedOrUnfinished.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        'organizations-create-account-result-failed',
        'organizations-create-account-result-in-progress',
        'organizations-close-account-result-failed',
        'organizations-close-account-access-denied',
        'organizations-move-account-not-found',
        'controltower-create-managed-account-failed',
        'controltower-update-managed-account-in-progress',
      ]),
    );
  });

  it.each(actionable.map((f) => [f.name, f.event] as const))('a rule matches %s (parseEvent acts on it)', (_name, event) => {
    expect(matchingRules(eventPatterns(built(CONTROL_TOWER_ON).template), event)).toHaveLength(1);
  });

  it.each(failedOrUnfinished.map((f) => [f.name, f.event, f.outcome] as const))('no rule matches %s (failed or unfinished)', (_name, event, outcome) => {
    expect(outcome.kind).toBe('ignored');
    expect(matchingRules(eventPatterns(built(CONTROL_TOWER_ON).template), event)).toEqual([]);
  });

  it('every rule is exercised by at least one fixture parseEvent acts on', () => {
    const patterns = eventPatterns(built(CONTROL_TOWER_ON).template);
    for (const id of Object.keys(patterns)) {
      expect({ id, matched: actionable.some((f) => matchesPattern(patterns[id]!, f.event)) }).toEqual({ id, matched: true });
    }
  });

  it('no rule matches events from other services or Organizations events that are not handled', () => {
    const patterns = eventPatterns(built(CONTROL_TOWER_ON).template);
    for (const f of outcomes.filter((o) => o.outcome.kind === 'unknown')) {
      expect({ name: f.name, rules: matchingRules(patterns, f.event) }).toEqual({ name: f.name, rules: [] });
    }
  });

  it('without Control Tower, the Control Tower events match no rule', () => {
    const patterns = eventPatterns(built().template);
    const controlTower = outcomes.filter((f) => (f.event as Json | null)?.source === CT);
    expect(controlTower.length).toBeGreaterThan(0);
    for (const f of controlTower) expect({ name: f.name, rules: matchingRules(patterns, f.event) }).toEqual({ name: f.name, rules: [] });
  });
});

describe('reconcile schedule', () => {
  function scheduleRules(template: Template): Json[] {
    return Object.values(resources(template, 'AWS::Events::Rule')).filter((r) => props(r).ScheduleExpression !== undefined);
  }

  it.each([
    [{}, 'rate(12 hours)'],
    [{ deployment: { reconcileSchedule: 'cron(0 */6 * * ? *)' } }, 'cron(0 */6 * * ? *)'],
    [{ deployment: { reconcileSchedule: 'rate(1 day)' } }, 'rate(1 day)'],
  ])('with %j runs the reconcile function on %s', (settings, expression) => {
    const { stack, template } = built(settings);
    const rules = scheduleRules(template);
    expect(rules).toHaveLength(1);
    expect(props(rules[0]!)).toMatchObject({
      ScheduleExpression: expression,
      State: 'ENABLED',
      Targets: [expect.objectContaining({ Arn: stack.resolve(stack.integration.reconcile.functionArn) })],
    });
    expect(props(rules[0]!).Targets).toHaveLength(1);
  });

  it('has no schedule when deployment.reconcileSchedule is "disabled"', () => {
    const { stack, template } = built({ deployment: { reconcileSchedule: 'disabled' } });
    expect(scheduleRules(template)).toEqual([]);
    const reconcileArn = JSON.stringify(stack.resolve(stack.integration.reconcile.functionArn));
    const invokers = Object.values(resources(template, 'AWS::Lambda::Permission')).filter((p) => JSON.stringify(props(p).FunctionName) === reconcileArn);
    // Only the AccountJoinedOrganization rule and the keys-stored rule may still start it.
    expect(invokers.map((p) => JSON.stringify(props(p).SourceArn)).sort()).toEqual([
      expect.stringContaining('KeysStoredRule'),
      expect.stringContaining('OrganizationsAccountJoinedOrganization'),
    ]);
  });
});

describe('Control Tower forwarder (home region other than us-east-1)', () => {
  const settings = { deployment: { controlTower: { enabled: true, homeRegion: 'eu-west-1' } } };

  it('is deployed in the home region and forwards both Control Tower events to us-east-1\'s default bus', () => {
    const { forwarder, forwarderTemplate } = built(settings);
    expect(forwarder?.region).toBe('eu-west-1');
    const template = forwarderTemplate!;
    const rules = Object.entries(resources(template, 'AWS::Events::Rule'));
    expect(rules.map(([, r]) => normalised(props(r).EventPattern))).toEqual(expect.arrayContaining(CONTROL_TOWER_PATTERNS.map(normalised)));
    expect(rules).toHaveLength(2);
    for (const [, rule] of rules) {
      expect(props(rule).EventBusName).toBeUndefined();
      const targets = props(rule).Targets as Json[];
      expect(targets).toHaveLength(1);
      expect(render(targets[0]!.Arn)).toBe('arn:${AWS::Partition}:events:us-east-1:${AWS::AccountId}:event-bus/default');
      // Cross-region bus targets need a role: it may put events on that bus only.
      const roleId = (targets[0]!.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const policies = Object.values(resources(template, 'AWS::IAM::Policy')).filter((p) => JSON.stringify(props(p).Roles) === JSON.stringify([{ Ref: roleId }]));
      const statements = policies.flatMap((p) => ((props(p).PolicyDocument as Json).Statement as Json[]));
      expect(statements.map((s) => [s.Effect, s.Action, render(s.Resource)])).toEqual([
        ['Allow', 'events:PutEvents', 'arn:${AWS::Partition}:events:us-east-1:${AWS::AccountId}:event-bus/default'],
      ]);
    }
  });

  it('forwards only what the main stack listens for: the SUCCEEDED Control Tower fixtures, not the others', () => {
    const forwarded = eventPatterns(built(settings).forwarderTemplate!);
    for (const f of outcomes.filter((o) => (o.event as Json | null)?.source === CT)) {
      const expected = f.outcome.kind === 'accounts' ? 1 : 0;
      expect({ name: f.name, rules: matchingRules(forwarded, f.event).length }).toEqual({ name: f.name, rules: expected });
    }
  });

  it('the main stack in us-east-1 keeps its own Control Tower rules to receive the forwarded events', () => {
    const { template } = built(settings);
    expect(patternsOf(template)).toEqual(expect.arrayContaining(CONTROL_TOWER_PATTERNS.map(normalised)));
  });

  it('is not built when the home region is us-east-1 or Control Tower is off', () => {
    expect(built(CONTROL_TOWER_ON).forwarder).toBeUndefined();
    expect(built({ deployment: { controlTower: { enabled: false, homeRegion: 'eu-west-1' } } }).forwarder).toBeUndefined();
  });
});

describe('bin/app.ts', () => {
  type StackInfo = { id: string; region: string; account: string };
  const ROOT = join(__dirname, '..', '..');
  const CASES = [
    { deployment: { controlTower: { enabled: true, homeRegion: 'eu-west-1' } } },
    { deployment: { controlTower: { enabled: true, homeRegion: 'us-east-1' } } },
    { deployment: { controlTower: { enabled: false, homeRegion: 'eu-west-1' } } },
  ];

  /**
   * Runs the real bin/app.ts once per configuration, in one child process (plain Node + tsx,
   * context through CDK_CONTEXT_JSON, no synthesis, no bundling), and lists the stacks each
   * run created. The App is found through the Validations.of(app) call bin/app.ts ends with.
   */
  async function stacksOfBinApp(cases: Json[]): Promise<StackInfo[][]> {
    const script = `
      const { Stack, Validations } = require('aws-cdk-lib');
      const of = Validations.of.bind(Validations);
      let app;
      Validations.of = (scope) => { app = scope.node.root; return of(scope); };
      const entry = require.resolve('./bin/app.ts');
      const results = [];
      for (const settings of ${JSON.stringify(cases)}) {
        process.env.CDK_CONTEXT_JSON = JSON.stringify({ ...${JSON.stringify(CDK_JSON_CONTEXT)}, 'aws:cdk:bundling-stacks': [], datadogAwsOrg: settings });
        delete require.cache[entry];
        app = undefined;
        require(entry);
        results.push(app.node.children.filter((c) => Stack.isStack(c)).map((s) => ({ id: s.node.id, region: s.region, account: s.account })));
      }
      process.stdout.write(JSON.stringify(results));`;
    const env: NodeJS.ProcessEnv = { ...process.env, CDK_DEFAULT_ACCOUNT: ACCOUNT };
    delete env.CDK_OUTDIR;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, env, timeout: 25_000 });
    return JSON.parse(stdout) as StackInfo[][];
  }

  // Started while the file is collected, so that the child runs alongside the in-process syntheses.
  const pending = stacksOfBinApp(CASES);
  pending.catch(() => undefined);

  it('creates the forwarder in the home region only when Control Tower is on and its home region is not us-east-1', async () => {
    const [homeElsewhere, homeUsEast1, off] = await pending;
    const main = { id: 'DatadogOrgIntegration', region: 'us-east-1', account: ACCOUNT };
    expect(homeElsewhere).toEqual([main, { id: 'DatadogOrgIntegrationControlTower', region: 'eu-west-1', account: ACCOUNT }]);
    expect(homeUsEast1).toEqual([main]);
    expect(off).toEqual([main]);
  }, 30_000);
});
