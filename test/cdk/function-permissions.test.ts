import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { INTAKE_SENDS } from '../../lib/functions/intake';
import { RECONCILE_SENDS } from '../../lib/functions/reconcile';
import { SECRETS_CHECK_SENDS } from '../../lib/functions/secrets-check';
import { WORKER_SENDS } from '../../lib/functions/worker';
import { actionsOf, built, roleIdOf, statementsByRole, type Built, type Json } from './helpers';
import { filesLoadedBy, iamActionOf, importChain, sdkCallsOf } from './loaded-code';

/**
 * Each function's IAM policy against the AWS calls its handler's code sends. The construct of
 * each function (lib/functions/<name>.ts) declares the actions of the calls it sends with its
 * own role; here that list is held against the SDK commands found in the files the handler
 * loads, and against the role's policy in the template: nothing granted that the code does not
 * send (but the platform's needs, listed below), nothing sent that is not granted.
 */

type FunctionName = 'intake' | 'worker' | 'reconcile' | 'secrets-check';

const DECLARED: Record<FunctionName, readonly string[]> = { intake: INTAKE_SENDS, worker: WORKER_SENDS, reconcile: RECONCILE_SENDS, 'secrets-check': SECRETS_CHECK_SENDS };

const LOGS = ['logs:CreateLogStream', 'logs:PutLogEvents'];
/** CDK's grantSendMessages adds them beside sqs:SendMessage; the code resolves nothing (it has the queue URL). */
const SEND_GRANT = ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl'];
/** The SQS event source mapping polls the queue with the worker's role (ChangeMessageVisibility the code also sends). */
const EVENT_SOURCE = ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'];

/** Granted without a call in the code: Lambda writes each function's logs with its role, and what CDK's SQS grants add. */
const PLATFORM: Record<FunctionName, readonly string[]> = {
  intake: [...LOGS, ...SEND_GRANT],
  worker: [...LOGS, ...EVENT_SOURCE],
  reconcile: [...LOGS, ...SEND_GRANT],
  'secrets-check': LOGS,
};

/**
 * Commands in files a handler loads that it never sends with its role. Whole modules are
 * loaded for one export, so the files a handler loads hold more than it calls: each such
 * action is named here with why, and a new command must be placed here or in the declared list.
 */
const LOADED_NOT_SENT: Record<FunctionName, Record<string, string>> = {
  intake: {},
  worker: {
    'iam:*': "sent with the member access role's credentials in the member account, not with the worker's role (member-access.test.ts checks them)",
    'sqs:SendMessage': 'queue/messages.ts holds the message schema the worker parses and the enqueue that only the intake and the reconcile call',
  },
  reconcile: {
    'iam:*': 'observe/observe-account.ts, imported dynamically by reconcile/observe-organization.ts to read roles, which only the CLI asks for; the scheduled reconcile never reads roles',
    'sts:AssumeRole': 'the member access of the role reads above (observe/member-access.ts): the CLI only',
    'organizations:DescribeAccount': "one account's reads (observe/organizations.ts) come with the Organizations port; the reconcile reads the organization through the walk",
    'organizations:ListParents': "one account's reads, as above",
  },
  'secrets-check': {},
};

const ENTRY = (name: FunctionName) => `lambda/handlers/${name}.ts`;
const NAMES: FunctionName[] = ['intake', 'worker', 'reconcile', 'secrets-check'];

/** A profile with a Datadog secret of its own: the stack then has the secrets check too. */
const PROFILE_SECRET = { profiles: [{ name: 'asia', match: { ous: ['ou-ab12-cdef3456'] }, datadog: { site: 'ap1.datadoghq.com', credentialsSecretId: 'datadog/ap1-keys' } }] };
const sorted = (values: Iterable<string>) => [...new Set(values)].sort();

function excluded(name: FunctionName, action: string): boolean {
  const table = LOADED_NOT_SENT[name];
  return action in table || `${action.split(':')[0]}:*` in table;
}

/** The IAM actions of the SDK commands in the files the handler loads, with the files that send each. */
function actionsInCode(name: FunctionName): Map<string, string[]> {
  const actions = new Map<string, string[]>();
  for (const call of sdkCallsOf(ENTRY(name))) {
    const action = iamActionOf(call);
    actions.set(action, sorted([...(actions.get(action) ?? []), call.file]));
  }
  return actions;
}

function functionOf(b: Built, name: FunctionName): NodejsFunction {
  const { intake, worker, reconcile, secretsCheck } = b.stack.integration;
  const fn = { intake, worker, reconcile, 'secrets-check': secretsCheck }[name];
  if (!fn) throw new Error(`no ${name} function in this stack`);
  return fn;
}

function policyActions(b: Built, name: FunctionName): string[] {
  const fn = functionOf(b, name);
  return sorted((statementsByRole(b.template).get(roleIdOf(fn)) ?? []).flatMap(actionsOf));
}

describe.each(NAMES)('the %s function', (name) => {
  const inCode = actionsInCode(name);

  it('declares only calls its code sends, each in the files its handler loads', () => {
    for (const action of DECLARED[name]) expect({ action, sentBy: inCode.get(action) ?? [] }).toEqual({ action, sentBy: expect.arrayContaining([expect.any(String)]) });
  });

  it('declares every call its code sends, but those documented as never sent with its role', () => {
    const undeclared = [...inCode.keys()].filter((action) => !DECLARED[name].includes(action) && !excluded(name, action));
    const loaded = filesLoadedBy(ENTRY(name));
    // Name the import chain, so whoever adds a call sees which file brought it in.
    expect(undeclared.map((action) => ({ action, via: inCode.get(action)!.map((file) => importChain(loaded, file).join(' -> ')) }))).toEqual([]);
  });

  it('documents as never sent only what its handler loads and does not declare', () => {
    for (const action of Object.keys(LOADED_NOT_SENT[name])) {
      expect({ action, declared: DECLARED[name].includes(action) }).toEqual({ action, declared: false });
      const present = action.endsWith(':*') ? [...inCode.keys()].some((a) => a.startsWith(action.slice(0, -1))) : inCode.has(action);
      expect({ action, present }).toEqual({ action, present: true });
    }
  });

  it.each<[string, Json]>([
    ['default', {}],
    ['dedicated member access, everything on', { role: { memberAccessMode: 'dedicated' }, deployment: { alarmEmail: 'ops@example.com', workerConcurrency: 1, controlTower: { enabled: true } } }],
    ['a profile with its own Datadog secret', PROFILE_SECRET],
  ])('%s: its role allows exactly the declared calls and the platform\'s needs', (_label, settings) => {
    // The check exists only when a profile names a secret of its own.
    const withFunction = name === 'secrets-check' ? { ...settings, ...PROFILE_SECRET } : settings;
    expect(policyActions(built(withFunction), name)).toEqual(sorted([...DECLARED[name], ...PLATFORM[name]]));
  });
});

describe('reading the calls out of the code', () => {
  it('follows value imports and skips type-only ones', () => {
    const loaded = [...filesLoadedBy(ENTRY('intake')).keys()].map((file) => file.replace(/.*\/lambda\//, 'lambda/'));
    expect(loaded).toEqual(expect.arrayContaining(['lambda/handlers/intake.ts', 'lambda/queue/messages.ts']));
    // report/telemetry.ts imports only the ConvergeResult type from converge.ts: the intake loads none of the pipeline.
    expect(loaded).toContain('lambda/report/telemetry.ts');
    expect(loaded).not.toContain('lambda/converge.ts');
    expect(loaded).not.toContain('lambda/act/iam-role.ts');
  });

  it('maps batch operations to the action IAM authorizes them as', () => {
    expect(iamActionOf({ client: 'client-sqs', operation: 'SendMessageBatch', file: 'x.ts' })).toBe('sqs:SendMessage');
    expect(iamActionOf({ client: 'client-secrets-manager', operation: 'GetSecretValue', file: 'x.ts' })).toBe('secretsmanager:GetSecretValue');
    expect(() => iamActionOf({ client: 'client-s3', operation: 'GetObject', file: 'x.ts' })).toThrow(/SERVICE_PREFIX/);
  });
});
