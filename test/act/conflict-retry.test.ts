/**
 * Datadog answers 409 to AWS-integration writes made concurrently: executePlan waits and retries
 * them (update, rotate, delete), a bounded number of times; a 409 on create means "exists" and
 * is adopted instead.
 */
import { executePlan } from '../../lambda/act/execute';
import { parseConfig } from '../../lambda/config/schema';
import { DatadogApiError } from '../../lambda/datadog/errors';
import type { AwsIntegrationPort, Integration } from '../../lambda/datadog/port';
import type { AccountObservation } from '../../lambda/observe/model';
import type { AccountPlan, ActionType } from '../../lambda/plan/plan-account';

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
  organization: { accountId: ACCOUNT, state: 'ACTIVE', parentPath: ['r-abcd'], tags: {}, isManagementAccount: false },
  integrations: [],
  role: { kind: 'not-read', reason: 'not needed here' },
};

const plan = (...types: ActionType[]): AccountPlan => ({
  accountId: ACCOUNT,
  inScope: true,
  scope: 'test',
  actions: types.map((type) => ({ type, reason: 'test' })),
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
    const done = await executePlan(plan(type), observation, config, {
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
      executePlan(plan('update-integration'), observation, config, { datadog: port({ updateIntegration: 9 }, calls), sleep: async (ms) => void sleeps.push(ms) }),
    ).rejects.toMatchObject({ name: 'ActionError', action: { type: 'update-integration' }, message: expect.stringContaining('update-integration failed') });
    expect(calls).toHaveLength(4);
    expect(sleeps).toEqual([1000, 2000, 4000]);
  });

  it('a 409 on create is "already exists": adopted (rotate + update), not retried', async () => {
    const calls: string[] = [];
    const done = await executePlan(plan('create-integration'), observation, config, {
      datadog: port({ createIntegration: 1 }, calls),
      sleep: async () => undefined,
    });
    expect(done.map((a) => a.type)).toEqual(['create-integration']);
    expect(calls).toEqual(['createIntegration', 'rotateExternalId', 'updateIntegration']);
  });
});
