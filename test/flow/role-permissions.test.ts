/**
 * Datadog's IAM permission lists, end to end: read from Datadog at run time, written into the
 * role (the standard list inline, the resource-collection list in customer managed policies of
 * at most 6,144 characters), kept in step when Datadog changes them, and never cut back on the
 * word of the pinned list when Datadog cannot be asked. Real pipeline and SDK clients against
 * the AWS and Datadog stand-ins.
 */
import { parseConfig, type Config } from '../../lambda/config/schema';
import { convergeAccount, type ConvergeResult } from '../../lambda/converge';
import { pipelineDependencies } from '../../lambda/dependencies';
import { allowedActions, policySize, type PolicyDocument } from '../../lambda/domain/policy';
import { DatadogPermissionSource, permissionsIn } from '../../lambda/observe/datadog-permissions';
import { DATADOG_STANDARD_PERMISSIONS, PINNED_PERMISSIONS } from '../../lambda/domain/datadog-permissions';
import { CUSTOMER_POLICY_PATH } from '../../lambda/domain/ownership';
import { FakeAwsOrganization, pointProcessAt, startAwsStandin } from '@datadog-aws-org-integration/standins/aws';
import { DatadogStandin } from '@datadog-aws-org-integration/standins/datadog';
import { V2_STANDIN_IAM_RESOURCE_COLLECTION, V2_STANDIN_IAM_STANDARD } from '@datadog-aws-org-integration/standins/datadog-v2';

const API_KEY = 'perm-api-key-1234';
const APP_KEY = 'perm-app-key-5678';
const ROLE = 'DatadogIntegrationRole';
const SECURITY_AUDIT = 'arn:aws:iam::aws:policy/SecurityAudit';
const MANAGED_BY = { 'managed-by': 'datadog-aws-org-integration' };

describe('DatadogPermissionSource', () => {
  const body = (permissions: unknown) => ({ data: { attributes: { permissions } } });

  it.each<[string, unknown, string[] | string]>([
    ['a list of actions, sorted, without duplicates', body(['s3:List*', 'ec2:Describe*', 's3:List*']), ['ec2:Describe*', 's3:List*']],
    ['no list', { data: {} }, 'the answer has no data.attributes.permissions list'],
    ['an empty list', body([]), 'the list is empty'],
    ['something that is not an IAM action', body(['ec2:Describe*', 'Allow everything']), '"Allow everything" is not an IAM action'],
    ['a wildcard for everything', body(['*']), '"*" is not an IAM action'],
    ['not a string', body([42]), '42 is not an IAM action'],
    ['far too many', body(Array.from({ length: 5001 }, (_, i) => `svc:Action${i}`)), 'the list has 5001 entries, more than 5000'],
  ])('permissionsIn: %s', (_name, answer, expected) => {
    expect(permissionsIn(answer)).toEqual(expected);
  });

  function source(answers: { standard: () => unknown; resourceCollection: () => unknown }, clock = { now: 0 }) {
    const calls = { standard: 0, resourceCollection: 0 };
    const fallbacks: string[] = [];
    const permissions = new DatadogPermissionSource(
      {
        standard: async () => (calls.standard++, answers.standard()),
        resourceCollection: async () => (calls.resourceCollection++, answers.resourceCollection()),
      },
      { ttlMs: 1000, retryAfterMs: 100, now: () => clock.now, onFallback: (reason) => fallbacks.push(reason) },
    );
    return { permissions, calls, fallbacks, clock };
  }

  it('reads both lists once per ttl, and concurrent callers share one read', async () => {
    const { permissions, calls, clock } = source({ standard: () => body(['ec2:Describe*']), resourceCollection: () => body(['s3:GetBucketPolicy']) });
    const [a, b] = await Promise.all([permissions.current(), permissions.current()]);
    expect(a).toEqual({ standard: ['ec2:Describe*'], resourceCollection: ['s3:GetBucketPolicy'], source: 'datadog' });
    expect(b).toBe(a);
    clock.now = 999;
    await permissions.current();
    expect(calls).toEqual({ standard: 1, resourceCollection: 1 });
    clock.now = 1000;
    await permissions.current();
    expect(calls).toEqual({ standard: 2, resourceCollection: 2 });
  });

  it.each<[string, () => unknown, string]>([
    ['Datadog unreachable', () => Promise.reject(new Error('connect ECONNREFUSED')), 'connect ECONNREFUSED'],
    ['an answer that is not a list of actions', () => body(['*']), 'iam_permissions/standard: "*" is not an IAM action'],
  ])('%s: the pinned list, marked fallback with the reason, asked again after retryAfter', async (_name, standard, reason) => {
    const { permissions, calls, fallbacks, clock } = source({ standard, resourceCollection: () => body(['s3:GetBucketPolicy']) });
    const value = await permissions.current();
    expect(value).toMatchObject({ standard: DATADOG_STANDARD_PERMISSIONS, resourceCollection: [], source: 'fallback' });
    expect(value.reason).toContain(reason);
    expect(fallbacks).toHaveLength(1);
    clock.now = 99;
    await permissions.current();
    expect(calls.standard).toBe(1);
    clock.now = 100;
    await permissions.current();
    expect(calls.standard).toBe(2);
  });

  it('the pinned list without a source is the truth, not a fallback', () => {
    expect(PINNED_PERMISSIONS.source).toBe('pinned');
  });
});

describe('role permissions from Datadog, against the AWS and Datadog stand-ins', () => {
  const datadog = new DatadogStandin({ apiKey: API_KEY, appKey: APP_KEY });
  let model: FakeAwsOrganization;
  let aws: Awaited<ReturnType<typeof startAwsStandin>>;
  let account: string;
  let restoreEnv: () => void;

  beforeAll(async () => {
    await datadog.start();
  });

  beforeEach(async () => {
    model = new FakeAwsOrganization({ managementAccountId: '111111111111' });
    account = model.createAccount({ name: 'workload', parentId: model.createOu('Workloads') });
    aws = await startAwsStandin(model);
    restoreEnv = pointProcessAt(aws);
    datadog.reset();
  });

  afterEach(async () => {
    await aws.stop();
    restoreEnv();
  });

  afterAll(async () => {
    await datadog.stop();
  });

  const configWith = (integration: Record<string, unknown> = {}): Config =>
    parseConfig({ datadog: { apiVersion: 'v2', apiUrl: datadog.url, maxAttempts: 1 }, integration });

  /** A fresh process: a new permission cache, as a new Lambda container or CLI run has. */
  async function converge(config: Config, dryRun = false): Promise<ConvergeResult> {
    const env = { ...process.env, DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY };
    return convergeAccount(account, { config, deps: pipelineDependencies(config, env, { sleep: async () => undefined }), dryRun });
  }

  const role = () => model.getRole(account, ROLE)!;
  const inlineActions = () => allowedActions(Object.values(role().inlinePolicies).map((text) => JSON.parse(text) as PolicyDocument));
  const ourCustomerPolicies = () => model.customerPolicies(account).filter((p) => p.path === CUSTOMER_POLICY_PATH);
  const customerActions = () => allowedActions(ourCustomerPolicies().map((p) => p.document as PolicyDocument));
  const types = (result: ConvergeResult) => result.actions.map((a) => a.type);

  it("onboards with Datadog's lists: standard inline, resource collection in attached customer policies under 6,144 characters", async () => {
    const config = configWith({ resourceCollection: true });
    expect(types(await converge(config))).toEqual(['create-role', 'create-integration']);
    expect(inlineActions()).toEqual([...V2_STANDIN_IAM_STANDARD].sort());
    const policies = ourCustomerPolicies();
    expect(policies.length).toBeGreaterThan(1);
    expect(policies.map((p) => p.name)).toEqual(policies.map((_, i) => `${ROLE}-ResourceCollection${i + 1}`));
    for (const policy of policies) {
      expect(policySize(policy.document as PolicyDocument)).toBeLessThanOrEqual(6144);
      expect(policy.tags).toEqual(MANAGED_BY);
      expect(policy.attachmentCount).toBe(1);
    }
    expect(customerActions()).toEqual([...V2_STANDIN_IAM_RESOURCE_COLLECTION].sort());
    expect(role().attachedPolicyArns).toEqual(expect.arrayContaining([SECURITY_AUDIT, ...policies.map((p) => p.arn)]));

    const again = await converge(config, true);
    expect(types(again)).toEqual(['none']);
  });

  it('Datadog changes its lists: plan shows update-role-policy; apply writes new policy versions, never more than 5', async () => {
    const config = configWith({ resourceCollection: true });
    await converge(config);
    for (let round = 1; round <= 6; round++) {
      datadog.store.iamPermissions = {
        standard: [...V2_STANDIN_IAM_STANDARD, `ec2:DescribeNewThing${round}`],
        resourceCollection: [...V2_STANDIN_IAM_RESOURCE_COLLECTION.slice(round), `acm:DescribeNewThing${round}`],
      };
      const planned = await converge(config, true);
      expect(planned.actions.map(({ type, reason }) => ({ type, reason }))).toEqual([{ type: 'update-role-policy', reason: expect.stringMatching(/1 of Datadog's standard permissions missing.*resource-collection permissions missing/) }]);
      expect(types(await converge(config))).toEqual(['update-role-policy']);
      expect(inlineActions()).toContain(`ec2:DescribeNewThing${round}`);
      expect(customerActions()).toEqual([...datadog.store.iamPermissions.resourceCollection].sort());
      expect(Math.max(...ourCustomerPolicies().map((p) => p.versions))).toBeLessThanOrEqual(5);
      expect(types(await converge(config, true))).toEqual(['none']);
    }
    expect(ourCustomerPolicies()[0]!.defaultVersionId).toBe('v7');
  });

  it('resource collection turned off: our customer policies are detached and deleted, SecurityAudit detached; a look-alike without our tag is only detached', async () => {
    await converge(configWith({ resourceCollection: true }));
    // Someone attached their own policy with a name and path like ours, but without our tag.
    const lookAlike = model.putCustomerPolicyByHand(account, {
      policyName: `${ROLE}-ResourceCollection9`,
      path: CUSTOMER_POLICY_PATH,
      document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] },
    });
    model.putRoleByHand(account, { ...role(), attachedPolicyArns: [...role().attachedPolicyArns, lookAlike.arn] });
    const result = await converge(configWith());
    expect(types(result)).toEqual(['update-integration', 'update-role-policy']);
    expect(role().attachedPolicyArns).toEqual([]);
    expect(ourCustomerPolicies().map((p) => p.name)).toEqual([lookAlike.name]);
  });

  it("Datadog's lists cannot be read: onboarding uses the pinned list, and nothing the role has is removed", async () => {
    const config = configWith({ resourceCollection: true });
    await converge(config);
    const before = inlineActions();
    const customerBefore = customerActions();
    // From now on every permission-list read fails (one attempt each: maxAttempts 1).
    datadog.inject(...Array.from({ length: 20 }, () => ({ kind: 'status' as const, status: 500, only: /iam_permissions/ })));
    const planned = await converge(config, true);
    expect(planned.notes.join('\n')).toContain("Datadog's permission lists could not be read");
    expect(types(planned)).toEqual(['none']);
    expect(inlineActions()).toEqual(before);
    expect(customerActions()).toEqual(customerBefore);

    // A pinned action taken away by hand is added back even so; Datadog's newer actions stay.
    const inline = JSON.parse(role().inlinePolicies.DatadogIntegrationPolicy!) as PolicyDocument;
    inline.Statement[0]!.Action = before.filter((a) => a !== 'ec2:Describe*');
    model.putRoleByHand(account, { ...role(), inlinePolicies: { DatadogIntegrationPolicy: JSON.stringify(inline) } });
    expect(types(await converge(config))).toEqual(['update-role-policy']);
    expect(inlineActions()).toEqual(before);
  });

  it('offboarding deletes the role and our customer policies with it', async () => {
    await converge(configWith({ resourceCollection: true }));
    // Excluded, with offboarding excluded accounts configured (by default an excluded account is left alone).
    const out = parseConfig({ ...configWith({ resourceCollection: true }), scope: { excludeAccounts: [account], onExclusion: 'offboard' } });
    const result = await converge(out);
    expect(types(result)).toEqual(['delete-integration', 'delete-role']);
    expect(model.getRole(account, ROLE)).toBeUndefined();
    expect(ourCustomerPolicies()).toEqual([]);
  });
});
