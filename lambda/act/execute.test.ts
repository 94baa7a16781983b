/**
 * Datadog answers 409 to AWS-integration writes made concurrently: executePlan waits and retries
 * them (update, rotate, delete), a bounded number of times; a 409 on create means "exists" and
 * is adopted instead.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import { executePlan } from './execute';
import { datadogTargets } from '../datadog/targets';
import { parseConfig } from '../config/schema';
import { V1_CAPABILITIES, v2Capabilities } from '../datadog/capabilities';
import { DatadogApiError } from '../datadog/errors';
import type { AwsIntegrationPort, Integration } from '../datadog/port';
import type { AccountObservation } from '../observe/model';
import type { AccountPlan, ActionType } from '../plan/plan-account';
import { withPayloads } from '../plan/actions';
import { desiredRole } from '../plan/desired-role';
import { desiredSettings } from '../plan/desired-settings';

const ACCOUNT = '123456789012';
const config = parseConfig({});
const conflict = () => new DatadogApiError('UpdateAWSAccount', 'conflict', 409, ['Conflicting updates'], 'conflict');

function port(failures: Partial<Record<keyof AwsIntegrationPort, number>>, calls: string[]): AwsIntegrationPort {
  const remaining = { ...failures };
  const op = <T>(name: keyof AwsIntegrationPort, value: T) => async () => {
    calls.push(name);
    if ((remaining[name] ?? 0) > 0) {
      remaining[name]! -= 1;
      throw conflict();
    }
    return value;
  };
  return {
    apiVersion: 'v1',
    capabilities: V1_CAPABILITIES,
    mintExternalId: op('mintExternalId', 'minted'),
    listIntegrations: op('listIntegrations', [] as Integration[]),
    createIntegration: op('createIntegration', { externalId: 'created' }),
    updateIntegration: op('updateIntegration', undefined),
    deleteIntegration: op('deleteIntegration', undefined),
    rotateExternalId: op('rotateExternalId', { externalId: 'rotated' }),
    listNamespaces: op('listNamespaces', [] as string[]),
  };
}

const observation: AccountObservation = {
  accountId: ACCOUNT,
  partition: 'aws',
  organizationId: 'o-ourorg1234',
  organization: { accountId: ACCOUNT, state: 'ACTIVE', parentPath: ['r-abcd'], tags: {}, isManagementAccount: false },
  integrations: [],
  role: { kind: 'not-read', reason: 'not needed here' },
};

const plan = (...types: ActionType[]): AccountPlan => ({
  accountId: ACCOUNT,
  target: 'datadoghq.com',
  roleName: config.role.name,
  partition: 'aws',
  inScope: true,
  scope: 'test',
  actions: withPayloads(
    types.map((type) => ({ type, reason: 'test' })),
    {
      settings: () => desiredSettings(config, observation.organization, observation.organizationId),
      role: () => desiredRole(config, 'aws'),
      trust: () => ({ principalArn: 'arn:aws:iam::464622532012:root', keep: [] }),
    },
  ),
  notes: [],
});

describe('executePlan: 409 conflicts on Datadog writes', () => {
  it.each<[ActionType, keyof AwsIntegrationPort]>([
    ['update-integration', 'updateIntegration'],
    ['rotate-external-id', 'rotateExternalId'],
    ['delete-integration', 'deleteIntegration'],
  ])('%s: retried after 1 s and 2 s, then done', async (type, method) => {
    const calls: string[] = [];
    const sleeps: number[] = [];
    const done = await executePlan(plan(type), {
      datadog: port({ [method]: 2 }, calls),
      sleep: async (ms) => void sleeps.push(ms),
    });
    expect(done.map((a) => a.type)).toEqual([type]);
    expect(calls).toEqual([method, method, method]);
    expect(sleeps).toEqual([1000, 2000]);
  });

  it('gives up after three retries and reports the action that failed', async () => {
    const calls: string[] = [];
    const sleeps: number[] = [];
    await expect(
      executePlan(plan('update-integration'), { datadog: port({ updateIntegration: 9 }, calls), sleep: async (ms) => void sleeps.push(ms) }),
    ).rejects.toMatchObject({ name: 'ActionError', action: { type: 'update-integration' }, message: expect.stringContaining('update-integration failed') });
    expect(calls).toHaveLength(4);
    expect(sleeps).toEqual([1000, 2000, 4000]);
  });

  it('a 409 on create is "already exists": adopted (rotate + update), not retried', async () => {
    const calls: string[] = [];
    const done = await executePlan(plan('create-integration'), {
      datadog: port({ createIntegration: 1 }, calls),
      sleep: async () => undefined,
    });
    expect(done.map((a) => a.type)).toEqual(['create-integration']);
    expect(calls).toEqual(['createIntegration', 'rotateExternalId', 'updateIntegration']);
  });
});

describe('executePlan: a v2 create with a minted external ID that Datadog refuses', () => {
  const v2 = parseConfig({ datadog: { apiVersion: 'v2' } });
  const ours = (externalId: string): Integration => ({
    accountId: ACCOUNT,
    auth: { kind: 'role', roleName: v2.role.name },
    externalId,
    settings: { hostTags: [], filterTags: [], excludedRegions: [], namespaceRules: {}, metricsCollection: true, cspmResourceCollection: false, extendedResourceCollection: false },
  });
  const refused = (kind: 'bad-request' | 'conflict') => new DatadogApiError('CreateAWSAccount', kind, kind === 'conflict' ? 409 : 400, ['refused'], 'refused');

  function v2Port(listed: Integration[], kind: 'bad-request' | 'conflict', calls: string[]): AwsIntegrationPort {
    return {
      apiVersion: 'v2',
      capabilities: v2Capabilities(),
      mintExternalId: async () => (calls.push('mintExternalId'), 'minted'),
      listIntegrations: async () => (calls.push('listIntegrations'), listed),
      createIntegration: async () => {
        calls.push('createIntegration');
        throw refused(kind);
      },
      updateIntegration: async () => void calls.push('updateIntegration'),
      deleteIntegration: async () => void calls.push('deleteIntegration'),
      rotateExternalId: async (_ref, given) => (calls.push(`rotateExternalId(${given?.externalId})`), { externalId: given?.externalId ?? 'rotated' }),
      listNamespaces: async () => [],
    };
  }

  it.each<[string, Integration[], 'bad-request' | 'conflict', string[] | 'error']>([
    ['400 after a lost answer, Datadog holds ours with the minted ID: done', [ours('minted')], 'bad-request', ['mintExternalId', 'createIntegration', 'listIntegrations']],
    ['400 and nothing of ours in Datadog: the error stands', [], 'bad-request', 'error'],
    ['400 and ours with another ID: the error stands', [ours('other')], 'bad-request', 'error'],
    ['409 and ours with another ID: adopted with the minted ID (PATCH, no new mint)', [ours('other')], 'conflict', ['mintExternalId', 'createIntegration', 'listIntegrations', 'rotateExternalId(minted)', 'updateIntegration']],
  ])('%s', async (_name, listed, kind, expected) => {
    const calls: string[] = [];
    // v2 order: the role's trust first (with the minted ID), then the integration. IAM answers every write.
    const iam = { send: async () => ({}) } as unknown as IAMClient;
    const run = executePlan(plan('update-role-trust', 'create-integration'), { datadog: v2Port(listed, kind, calls), iam, sleep: async () => undefined });
    if (expected === 'error') {
      await expect(run).rejects.toMatchObject({ name: 'ActionError', action: { type: 'create-integration' }, done: [{ type: 'update-role-trust' }] });
      return;
    }
    expect((await run).map((a) => a.type)).toEqual(['update-role-trust', 'create-integration']);
    expect(calls).toEqual(expected);
  });
});

describe("executePlan: a move's leftover is deleted in the target that holds it", () => {
  it('the create goes to the own target, the leftover deletion to the other', async () => {
    const own: string[] = [];
    const other: string[] = [];
    const leftover: AccountPlan = {
      ...plan('create-integration', 'delete-integration'),
      actions: [...plan('create-integration').actions, { type: 'delete-integration', reason: 'moved', target: 'datadoghq.eu' }],
    };
    const targets = datadogTargets(new Map([['datadoghq.eu', port({}, other)]]));
    const done = await executePlan(leftover, { datadog: port({}, own), targets, sleep: async () => undefined });
    expect(done.map((a) => [a.type, a.target])).toEqual([
      ['create-integration', undefined],
      ['delete-integration', 'datadoghq.eu'],
    ]);
    expect(own).toEqual(['createIntegration']);
    expect(other).toEqual(['deleteIntegration']);
  });

  it('without the targets it names, the deletion fails rather than going to the wrong Datadog organization', async () => {
    const own: string[] = [];
    const leftover: AccountPlan = { ...plan('delete-integration'), actions: [{ type: 'delete-integration', reason: 'moved', target: 'datadoghq.eu' }] };
    await expect(executePlan(leftover, { datadog: port({}, own) })).rejects.toThrow(/no Datadog port for target datadoghq\.eu/);
    expect(own).toEqual([]);
  });
});

describe('executePlan: an external ID minted ahead (mint-ahead.ts)', () => {
  /** A v2 port whose create succeeds; records what each call carried. */
  function recording(calls: string[]): AwsIntegrationPort {
    return {
      ...port({}, calls),
      apiVersion: 'v2',
      capabilities: v2Capabilities(),
      createIntegration: async (_ref, _settings, options) => (calls.push(`createIntegration(${options?.externalId})`), { externalId: options?.externalId ?? 'created' }),
    };
  }
  const trusted: string[] = [];
  const iam = {
    send: async (command: { input: { AssumeRolePolicyDocument?: string; PolicyDocument?: string } }) => {
      const document = command.input.AssumeRolePolicyDocument ?? command.input.PolicyDocument;
      if (document?.includes('sts:ExternalId')) trusted.push(document);
      return {};
    },
  } as unknown as IAMClient;
  beforeEach(() => (trusted.length = 0));

  it('v2: the role trusts it and the create carries it; nothing is minted here', async () => {
    const calls: string[] = [];
    await executePlan(plan('create-role', 'create-integration'), { datadog: recording(calls), iam, mintedExternalId: 'ahead', sleep: async () => undefined });
    expect(calls).toEqual(['createIntegration(ahead)']);
    expect(trusted).toHaveLength(1);
    expect(trusted[0]).toContain('"ahead"');
  });

  it('v2 without one: minted here, before the role is written', async () => {
    const calls: string[] = [];
    await executePlan(plan('create-role', 'create-integration'), { datadog: recording(calls), iam, sleep: async () => undefined });
    expect(calls).toEqual(['mintExternalId', 'createIntegration(minted)']);
    expect(trusted[0]).toContain('"minted"');
  });

  it('a plan that creates no integration does not use it', async () => {
    const calls: string[] = [];
    await executePlan(plan('rotate-external-id', 'update-role-trust'), { datadog: recording(calls), iam, mintedExternalId: 'ahead', sleep: async () => undefined });
    expect(calls).toEqual(['rotateExternalId']);
    expect(trusted[0]).toContain('"rotated"');
  });
});
