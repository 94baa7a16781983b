import { capabilitiesOf } from '../../lambda/datadog/capabilities';
import {
  AccountNotFoundException,
  DescribeAccountCommand,
  InvalidInputException,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListChildrenCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  OrganizationsServiceException,
} from '@aws-sdk/client-organizations';
import { GetRoleCommand, IAMServiceException, NoSuchEntityException, TagRoleCommand, type IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSServiceException } from '@aws-sdk/client-sts';
import { performance } from 'node:perf_hooks';
import { createRole, deleteRole } from '../../lambda/act/iam-role';
import { parseConfig, type Config } from '../../lambda/config/schema';
import { convergeAccount } from '../../lambda/converge';
import { DatadogApiError } from '../../lambda/datadog/errors';
import type { IntegrationSettings } from '../../lambda/datadog/port';
import { datadogTrustPolicy } from '../../lambda/domain/policy';
import { MemberAccess } from '../../lambda/observe/member-access';
import { observeAccount, type ObserveDependencies } from '../../lambda/observe/observe-account';
import { OrganizationsReader } from '../../lambda/observe/organizations';
import { readRole } from '../../lambda/observe/role';
import { desiredRole } from '../../lambda/plan/desired-role';
import { planAccount } from '../../lambda/plan/plan-account';
import { createSimulatedAws, type SimulatedAws } from '../../bench/sim/aws';
import { VirtualClock } from '../../bench/sim/clock';
import { SimulatedDatadog } from '../../bench/sim/datadog';
import { SimulatedService } from '../../bench/sim/limits';
import { buildOrganization, DRIFT_KINDS, parentPathOf, seedState, type DriftKind, type SimulatedOrganization } from '../../bench/sim/organization';

const MEMBER_ROLE = 'OrganizationAccountAccessRole';

/** Runs `fn` on at most `size` tasks at once, as the reconcile's bounded pools do. */
async function pool<T>(items: readonly T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}

function realMs<T>(fn: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = fn();
  return { value, ms: performance.now() - start };
}

const settings: IntegrationSettings = {
  hostTags: ['team:platform'],
  filterTags: [],
  excludedRegions: [],
  namespaceRules: {},
  metricsCollection: true,
  cspmResourceCollection: false,
  extendedResourceCollection: false,
};

describe('VirtualClock', () => {
  it('runs 1,000 concurrent 60 ms sleeps in 60 ms of virtual time and well under a second of real time', async () => {
    const clock = new VirtualClock();
    const start = performance.now();
    const ends = await clock.run(() => Promise.all(Array.from({ length: 1000 }, () => clock.sleep(60).then(() => clock.now()))));
    expect(performance.now() - start).toBeLessThan(1000);
    expect(clock.now()).toBe(60);
    expect(new Set(ends)).toEqual(new Set([60]));
    expect(clock.pendingTimers).toBe(0);
  });

  it('adds sequential sleeps and resolves timers in due-time, then registration, order', async () => {
    const clock = new VirtualClock();
    const order: string[] = [];
    await clock.run(async () => {
      await Promise.all([
        clock.sleep(30).then(() => order.push('a@30')),
        clock.sleep(10).then(() => order.push('b@10')),
        clock.sleep(30).then(() => order.push('c@30')),
        clock.sleep(0).then(() => order.push('d@0')),
        (async () => {
          await clock.sleep(5);
          await clock.sleep(5);
          order.push(`e@${clock.now()}`);
        })(),
      ]);
    });
    expect(order).toEqual(['d@0', 'b@10', 'e@10', 'a@30', 'c@30']);
    expect(clock.now()).toBe(30);
  });

  it('drives bounded pools: 1,000 tasks of 80 ms over 32 workers take 32 rounds, deterministically', async () => {
    const trace = async (): Promise<{ virtual: number; log: string }> => {
      const clock = new VirtualClock();
      const log: string[] = [];
      await clock.run(() =>
        pool(
          Array.from({ length: 1000 }, (_, i) => i),
          32,
          async (i) => {
            await clock.sleep(80 + (i % 3));
            log.push(`${i}@${clock.now()}`);
          },
        ),
      );
      return { virtual: clock.now(), log: log.join(',') };
    };
    const first = await trace();
    const second = await trace();
    expect(second).toEqual(first);
    expect(first.virtual).toBeGreaterThanOrEqual(Math.ceil(1000 / 32) * 80);
    expect(first.virtual).toBeLessThanOrEqual(Math.ceil(1000 / 32) * 82);
  });

  it('passes results and errors through run, and starts at startMs', async () => {
    const clock = new VirtualClock({ startMs: 1000 });
    await expect(clock.run(async () => (await clock.sleep(5), clock.now()))).resolves.toBe(1005);
    await expect(clock.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(clock.date().getTime()).toBe(clock.epochMs + 1005);
  });

  it('reports a run that waits on nothing the clock drives instead of hanging', async () => {
    const clock = new VirtualClock({ stallChecks: 5 });
    await expect(clock.run(() => new Promise<void>(() => undefined))).rejects.toThrow(/stalled/);
  });
});

describe('SimulatedService', () => {
  it('queues calls on a 10/s token bucket: 100 calls take about 10 s of virtual time', async () => {
    const clock = new VirtualClock();
    const service = new SimulatedService(clock, { name: 'organizations', latencyMs: 60, ratePerSecond: 10 });
    const start = performance.now();
    await clock.run(() => Promise.all(Array.from({ length: 100 }, (_, i) => service.call('DescribeAccount', () => i))));
    expect(performance.now() - start).toBeLessThan(1000);
    expect(clock.now()).toBe(99 * 100 + 60);
    const stats = service.stats();
    expect(stats.calls).toBe(100);
    expect(stats.operations.DescribeAccount).toEqual({ calls: 100, reads: 100, writes: 0, errors: 0 });
    expect(stats.maxInFlight).toBe(1);
    expect(stats.maxQueued).toBe(100);
  });

  it('lets a burst through at once, then refills at the rate', async () => {
    const clock = new VirtualClock();
    const service = new SimulatedService(clock, { name: 's', latencyMs: 0, ratePerSecond: 10, burst: 10 });
    await clock.run(() => Promise.all(Array.from({ length: 30 }, () => service.call('Op', () => undefined))));
    expect(clock.now()).toBe(2000);
  });

  it('counts operations, reads, writes and errors, and records the peak in flight', async () => {
    const clock = new VirtualClock();
    const service = new SimulatedService(clock, { name: 'iam', latencyMs: 80 });
    await clock.run(async () => {
      await Promise.all([
        ...Array.from({ length: 40 }, () => service.call('GetRole', () => 'role')),
        ...Array.from({ length: 10 }, () => service.call('PutRolePolicy', () => undefined, { write: true })),
      ]);
      await expect(
        service.call('GetRole', () => {
          throw new Error('NoSuchEntity');
        }),
      ).rejects.toThrow('NoSuchEntity');
    });
    expect(clock.now()).toBe(160);
    const stats = service.stats();
    expect(stats).toMatchObject({ calls: 51, reads: 41, writes: 10, errors: 1, maxInFlight: 50, rateWaitMs: 0 });
    expect(stats.operations).toEqual({
      GetRole: { calls: 41, reads: 41, writes: 0, errors: 1 },
      PutRolePolicy: { calls: 10, reads: 0, writes: 10, errors: 0 },
    });
    expect(service.inFlight).toBe(0);
  });

  it('bounds concurrency: 50 calls over 8 slots take 7 rounds of latency', async () => {
    const clock = new VirtualClock();
    const service = new SimulatedService(clock, { name: 'sts', latencyMs: 80, concurrency: 8 });
    await clock.run(() => Promise.all(Array.from({ length: 50 }, () => service.call('AssumeRole', () => undefined))));
    expect(clock.now()).toBe(7 * 80);
    expect(service.maxInFlight).toBe(8);
  });

  it('limits writes separately from reads', async () => {
    const clock = new VirtualClock();
    const service = new SimulatedService(clock, { name: 'datadog', latencyMs: 150, writeRatePerSecond: 2 });
    const readsDone: number[] = [];
    await clock.run(() =>
      Promise.all([
        ...Array.from({ length: 20 }, () => service.call('UpdateAWSAccount', () => undefined, { write: true })),
        ...Array.from({ length: 20 }, () => service.call('ListAWSAccounts', () => readsDone.push(clock.now()))),
      ]),
    );
    expect(new Set(readsDone)).toEqual(new Set([150]));
    expect(clock.now()).toBe(19 * 500 + 150);
  });
});

describe('simulated AWS clients', () => {
  let clock: VirtualClock;
  let org: SimulatedOrganization;
  let aws: SimulatedAws;
  let member: string;

  beforeEach(() => {
    clock = new VirtualClock();
    org = buildOrganization({ accounts: 60, depth: 3, branching: 3, seed: 11, clock });
    aws = createSimulatedAws(org.model, clock, {
      organizations: { latencyMs: 60, ratePerSecond: 10 },
      sts: { latencyMs: 80 },
      iam: { latencyMs: 80 },
    });
    member = org.memberAccountIds[4]!;
  });

  const memberAccess = () => new MemberAccess(aws.sdk.sts, (credentials) => aws.sdk.iamFor(credentials));
  const iamIn = async (accountId: string): Promise<IAMClient> => {
    const access = await memberAccess().iamIn(accountId, 'aws', MEMBER_ROLE);
    if (access.kind !== 'ok') throw new Error(`no access: ${access.message}`);
    return access.iam;
  };

  it("answers OrganizationsReader.account() with the account's state, path, tags and join date", async () => {
    const reader = new OrganizationsReader(aws.sdk.organizations);
    const account = await clock.run(() => reader.account(member));
    const stored = org.model.getAccount(member)!;
    expect(account).toEqual({
      accountId: member,
      state: 'ACTIVE',
      name: stored.name,
      parentPath: parentPathOf(org.model, member),
      tags: stored.tags,
      isManagementAccount: false,
      joinedAt: stored.joinedTimestamp,
    });
    expect(account.joinedAt).toBeInstanceOf(Date);
    expect(account.parentPath).toHaveLength(4);
    expect(account.parentPath[0]).toBe(org.rootId);
    // DescribeAccount (its ARN names the organization: no DescribeOrganization), 4 x ListParents, ListTagsForResource at 10/s.
    expect(aws.services.organizations.stats().operations).not.toHaveProperty('DescribeOrganization');
    expect(aws.services.organizations.stats().operations).toMatchObject({
      DescribeAccount: { calls: 1 },
      ListParents: { calls: 4 },
      ListTagsForResource: { calls: 1 },
    });
    expect(clock.now()).toBeGreaterThanOrEqual(500);
    expect(org.model.callsTo('organizations', 'ListParents')).toHaveLength(4);
    await expect(reader.organization()).resolves.toMatchObject({ organizationId: org.model.organizationId, managementAccountId: org.model.managementAccountId });
  });

  it("serves the organization's ID (the ownership marker names it), read once per reader", async () => {
    const reader = new OrganizationsReader(aws.sdk.organizations);
    const facts = await clock.run(async () => (await reader.organization(), reader.organization()));
    expect(facts).toMatchObject({ organizationId: org.model.organizationId, partition: 'aws' });
    expect(facts.organizationId).toMatch(/^o-[a-z0-9]{10,32}$/);
    expect(aws.services.organizations.stats().operations).toMatchObject({ DescribeOrganization: { calls: 1 } });
  });

  it('throws the SDK exception classes, so the product sees NOT_IN_ORGANIZATION for an unknown account', async () => {
    const reader = new OrganizationsReader(aws.sdk.organizations);
    const error = await clock.run(() => aws.organizations.send(new DescribeAccountCommand({ AccountId: '123456789012' })).catch((e: unknown) => e));
    expect(error).toBeInstanceOf(AccountNotFoundException);
    expect(error).toBeInstanceOf(OrganizationsServiceException);
    expect(error).toMatchObject({ name: 'AccountNotFoundException', $fault: 'client', $metadata: { httpStatusCode: 404 } });
    await expect(clock.run(() => reader.account('123456789012'))).resolves.toMatchObject({ state: 'NOT_IN_ORGANIZATION' });
    const invalid = await clock.run(() =>
      aws.organizations.send(new ListAccountsForParentCommand({ ParentId: org.rootId, MaxResults: 25 })).catch((e: unknown) => e),
    );
    expect(invalid).toBeInstanceOf(InvalidInputException);
    expect(invalid).toMatchObject({ Reason: 'MAX_VALUE_EXCEEDED' });
  });

  it('pages Organizations listings 20 at a time at most, and walks the tree', async () => {
    const accounts: string[] = [];
    await clock.run(async () => {
      let NextToken: string | undefined;
      do {
        const page = await aws.sdk.organizations.send(new ListAccountsCommand({ NextToken }));
        expect(page.Accounts!.length).toBeLessThanOrEqual(20);
        accounts.push(...page.Accounts!.map((account) => account.Id!));
        NextToken = page.NextToken;
      } while (NextToken);
    });
    expect(accounts).toHaveLength(61);
    expect(new Set(accounts)).toEqual(new Set([org.managementAccountId, ...org.memberAccountIds]));
    expect(aws.services.organizations.stats().operations.ListAccounts?.calls).toBe(4);
    // Four calls at 10/s with 60 ms latency: 3 token waits of 100 ms, then the last call's latency.
    expect(clock.now()).toBe(360);

    const roots = await clock.run(() => aws.sdk.organizations.send(new ListRootsCommand({})));
    expect(roots.Roots?.[0]?.Id).toBe(org.rootId);
    const ous = await clock.run(() => aws.sdk.organizations.send(new ListOrganizationalUnitsForParentCommand({ ParentId: org.rootId, MaxResults: 2 })));
    expect(ous.OrganizationalUnits?.map((ou) => ou.Id)).toEqual(org.levels[0]!.slice(0, 2));
    const rest = await clock.run(() =>
      aws.sdk.organizations.send(new ListOrganizationalUnitsForParentCommand({ ParentId: org.rootId, NextToken: ous.NextToken })),
    );
    expect(rest.OrganizationalUnits?.map((ou) => ou.Id)).toEqual(org.levels[0]!.slice(2));
    expect(rest.NextToken).toBeUndefined();
    const leaf = org.leafIds[0]!;
    const children = await clock.run(() => aws.sdk.organizations.send(new ListChildrenCommand({ ParentId: leaf, ChildType: 'ACCOUNT' })));
    expect(children.Children?.map((child) => child.Id)).toEqual(org.accountsByLeaf.get(leaf));
    const listed = await clock.run(() => aws.sdk.organizations.send(new ListAccountsForParentCommand({ ParentId: leaf })));
    expect(listed.Accounts?.[0]?.JoinedTimestamp).toBeInstanceOf(Date);
    expect(listed.$metadata.httpStatusCode).toBe(200);
  });

  it('assumes the member access role and reads roles with readRole() in that account', async () => {
    const iam = await clock.run(() => iamIn(member));
    const memberRole = await clock.run(() => readRole(iam, MEMBER_ROLE));
    expect(memberRole).toMatchObject({
      kind: 'present',
      role: { roleName: MEMBER_ROLE, inlinePolicies: { AdministratorAccess: undefined }, attachedPolicyArns: [] },
    });
    if (memberRole.kind !== 'present') throw new Error('unreachable');
    expect(memberRole.role.trustPolicy?.Statement[0]?.Principal).toEqual({ AWS: `arn:aws:iam::${org.managementAccountId}:root` });
    await expect(clock.run(() => readRole(iam, 'DatadogIntegrationRole'))).resolves.toEqual({ kind: 'absent' });
    expect(aws.services.sts.stats().operations.AssumeRole?.calls).toBe(1);
    const session = org.model.listSessions()[0]!;
    expect(session).toMatchObject({ accountId: member, roleName: MEMBER_ROLE });
  });

  it('creates the Datadog role with createRole() in the assumed account only, then finds it with readRole()', async () => {
    const config = parseConfig({ integration: { cspm: true } });
    const desired = desiredRole(config, 'aws');
    const trust = datadogTrustPolicy(desired.principalArn, 'abc123external');
    const iam = await clock.run(() => iamIn(member));
    await clock.run(() => createRole(iam, desired, trust, { accountId: member, partition: 'aws' }));

    const stored = org.model.getRole(member, desired.roleName)!;
    expect(JSON.parse(stored.assumeRolePolicyDocument)).toEqual(trust);
    expect(Object.keys(stored.inlinePolicies)).toEqual(Object.keys(desired.inlinePolicies));
    expect(stored.attachedPolicyArns).toEqual(['arn:aws:iam::aws:policy/SecurityAudit']);
    expect(stored.tags).toEqual(desired.tags);
    expect(org.model.getRole(org.memberAccountIds[5]!, desired.roleName)).toBeUndefined();

    const observed = await clock.run(() => readRole(iam, desired.roleName));
    expect(observed).toMatchObject({ kind: 'present', role: { trustPolicy: trust, tags: desired.tags } });
    if (observed.kind !== 'present') throw new Error('unreachable');
    expect(Object.values(observed.role.inlinePolicies)).toEqual(Object.values(desired.inlinePolicies));

    // Writes are IAM writes in the call log and in the service counters.
    expect(org.model.iamWrites(member).map((call) => call.operation)).toEqual(['CreateRole', 'PutRolePolicy', 'AttachRolePolicy']);
    expect(aws.services.iam.stats().writes).toBe(3);

    // A second createRole meets EntityAlreadyExistsException and rewrites the trust instead.
    const newTrust = datadogTrustPolicy(desired.principalArn, 'rotated-id');
    await clock.run(() => createRole(iam, desired, newTrust, { accountId: member, partition: 'aws' }));
    expect(JSON.parse(org.model.getRole(member, desired.roleName)!.assumeRolePolicyDocument)).toEqual(newTrust);
    expect(org.model.callsTo('iam', 'UpdateAssumeRolePolicy')).toHaveLength(1);
  });

  it('tags and deletes the role with the remaining IAM writes (deleteRole())', async () => {
    const config = parseConfig({ integration: { cspm: true } });
    const desired = desiredRole(config, 'aws');
    const iam = await clock.run(() => iamIn(member));
    await clock.run(() => createRole(iam, desired, datadogTrustPolicy(desired.principalArn, 'abc123external'), { accountId: member, partition: 'aws' }));
    await clock.run(() => iam.send(new TagRoleCommand({ RoleName: desired.roleName, Tags: [{ Key: 'owner', Value: 'bench' }] })));
    expect(org.model.getRole(member, desired.roleName)?.tags).toEqual({ ...desired.tags, owner: 'bench' });
    await clock.run(() => deleteRole(iam, desired.roleName));
    expect(org.model.getRole(member, desired.roleName)).toBeUndefined();
    expect(org.model.iamWrites(member).map((call) => call.operation)).toEqual([
      'CreateRole', 'PutRolePolicy', 'AttachRolePolicy', 'TagRole', 'DeleteRolePolicy', 'DetachRolePolicy', 'DeleteRole',
    ]);
    // Gone already counts as done: NoSuchEntityException is caught by deleteRole.
    await expect(clock.run(() => deleteRole(iam, desired.roleName))).resolves.toBeUndefined();
    expect(() => new SimulatedService(clock, { name: 'x', latencyMs: 1, concurrency: 0.5 })).toThrow(/whole number/);
  });

  it('answers GetRole in the SDK shape and throws NoSuchEntityException for a missing role', async () => {
    const iam = await clock.run(() => iamIn(member));
    const role = await clock.run(() => iam.send(new GetRoleCommand({ RoleName: MEMBER_ROLE })));
    expect(role.Role?.CreateDate).toBeInstanceOf(Date);
    expect(role.Role?.AssumeRolePolicyDocument).toMatch(/^%7B/);
    expect(role.Role?.Arn).toBe(`arn:aws:iam::${member}:role/${MEMBER_ROLE}`);
    expect(role.Role).not.toHaveProperty('Description');
    const missing = await clock.run(() => iam.send(new GetRoleCommand({ RoleName: 'Nope' })).catch((e: unknown) => e));
    expect(missing).toBeInstanceOf(NoSuchEntityException);
    expect(missing).toBeInstanceOf(IAMServiceException);
    expect(missing).toMatchObject({ name: 'NoSuchEntityException', $metadata: { httpStatusCode: 404 } });
  });

  it('denies AssumeRole into a role that is not there, as STS does', async () => {
    const error = await clock.run(() =>
      aws.sdk.sts
        .send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${member}:role/Missing`, RoleSessionName: 'bench' }))
        .catch((e: unknown) => e),
    );
    expect(error).toBeInstanceOf(STSServiceException);
    expect(error).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    await expect(clock.run(() => memberAccess().iamIn(member, 'aws', 'Missing'))).resolves.toMatchObject({ kind: 'denied', code: 'AccessDenied' });
  });

  it('hands out session credentials that expire in virtual time', async () => {
    const assumed = await clock.run(() =>
      aws.sdk.sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${member}:role/${MEMBER_ROLE}`, RoleSessionName: 'bench', DurationSeconds: 900 })),
    );
    const credentials = assumed.Credentials!;
    expect(credentials.Expiration).toBeInstanceOf(Date);
    expect(credentials.Expiration!.getTime()).toBe(clock.date().getTime() - (clock.date().getTime() % 1000) + 900_000);
    const iam = aws.sdk.iamFor({
      accessKeyId: credentials.AccessKeyId!,
      secretAccessKey: credentials.SecretAccessKey!,
      sessionToken: credentials.SessionToken!,
    });
    await expect(clock.run(() => iam.send(new GetRoleCommand({ RoleName: MEMBER_ROLE })))).resolves.toBeDefined();
    await clock.run(() => clock.sleep(16 * 60_000));
    await expect(clock.run(() => iam.send(new GetRoleCommand({ RoleName: MEMBER_ROLE })))).rejects.toMatchObject({ name: 'ExpiredToken' });
  });

  it("applies the model's injected faults", async () => {
    org.model.failNext({ service: 'iam', operation: 'GetRole', code: 'Throttling' });
    const iam = await clock.run(() => iamIn(member));
    const error = await clock.run(() => iam.send(new GetRoleCommand({ RoleName: MEMBER_ROLE })).catch((e: unknown) => e));
    expect(error).toBeInstanceOf(IAMServiceException);
    expect(error).toMatchObject({ name: 'Throttling', $fault: 'client' });
    await expect(clock.run(() => iam.send(new GetRoleCommand({ RoleName: MEMBER_ROLE })))).resolves.toBeDefined();
    expect(aws.services.iam.stats().operations.GetRole).toMatchObject({ calls: 2, errors: 1 });
  });
});

describe('SimulatedDatadog', () => {
  const ref = { accountId: '200000000001', roleName: 'DatadogIntegrationRole' };

  it('creates, conflicts, rotates, lists, updates and deletes', async () => {
    const clock = new VirtualClock();
    const datadog = new SimulatedDatadog(clock, { writeRatePerSecond: 5 });
    await clock.run(async () => {
      const { externalId } = await datadog.createIntegration(ref, settings);
      expect(externalId).toMatch(/^[0-9a-f]{32}$/);
      expect(datadog.externalIdOf(ref.accountId, ref.roleName)).toBe(externalId);

      const conflict = await datadog.createIntegration(ref, settings).catch((e: unknown) => e);
      expect(conflict).toBeInstanceOf(DatadogApiError);
      expect(conflict).toMatchObject({ kind: 'conflict', status: 409, operation: 'CreateAWSAccount' });

      const rotated = await datadog.rotateExternalId(ref);
      expect(rotated.externalId).not.toBe(externalId);
      expect(datadog.externalIdOf(ref.accountId, ref.roleName)).toBe(rotated.externalId);

      datadog.seed({ accountId: '200000000002', auth: { kind: 'role', roleName: 'OtherRole' }, settings });
      const all = await datadog.listIntegrations();
      expect(all.map((i) => i.accountId)).toEqual(['200000000001', '200000000002']);
      expect(all[0]).toEqual({ accountId: ref.accountId, auth: { kind: 'role', roleName: ref.roleName }, settings });
      expect(all[0]).not.toHaveProperty('externalId');
      await expect(datadog.listIntegrations({ accountId: '200000000002' })).resolves.toHaveLength(1);

      await datadog.updateIntegration(ref, { ...settings, metricsCollection: false });
      expect((await datadog.listIntegrations({ accountId: ref.accountId }))[0]?.settings.metricsCollection).toBe(false);
      await datadog.deleteIntegration(ref);
      await expect(datadog.updateIntegration(ref, settings)).rejects.toMatchObject({ kind: 'bad-request', status: 400 });
      await expect(datadog.rotateExternalId(ref)).rejects.toBeInstanceOf(DatadogApiError);
      await expect(datadog.listNamespaces()).resolves.toContain('ec2');
    });
    const stats = datadog.service.stats();
    expect(stats.operations.ListAWSAccounts).toMatchObject({ calls: 3, reads: 3 });
    expect(stats).toMatchObject({ writes: 7, errors: 3 });
  });

  it('lists every integration in one call and rate-limits writes only', async () => {
    const clock = new VirtualClock();
    const datadog = new SimulatedDatadog(clock, { writeRatePerSecond: 2 });
    for (let i = 0; i < 500; i += 1) {
      datadog.seed({ accountId: String(300000000000 + i), auth: { kind: 'role', roleName: 'DatadogIntegrationRole' }, settings });
    }
    const listed = await clock.run(() => datadog.listIntegrations());
    expect(listed).toHaveLength(500);
    expect(clock.now()).toBe(150);
    await clock.run(() =>
      Promise.all(listed.slice(0, 10).map((i) => datadog.updateIntegration({ accountId: i.accountId, roleName: 'DatadogIntegrationRole' }, settings))),
    );
    expect(clock.now()).toBe(150 + 9 * 500 + 150);
  });

  it('answers injected faults', async () => {
    const clock = new VirtualClock();
    const datadog = new SimulatedDatadog(clock);
    datadog.failNext({ operation: 'ListAWSAccounts', status: 429 });
    await expect(clock.run(() => datadog.listIntegrations())).rejects.toMatchObject({ kind: 'rate-limited', retryable: true });
    await expect(clock.run(() => datadog.listIntegrations())).resolves.toEqual([]);
  });
});

describe('buildOrganization', () => {
  it('builds 1,000 accounts at depth 3, spread evenly over 27 leaf OUs, in under 2 s', () => {
    const { value: org, ms } = realMs(() => buildOrganization({ accounts: 1000, depth: 3, branching: 3, seed: 1 }));
    expect(ms).toBeLessThan(2000);
    expect(org.memberAccountIds).toHaveLength(1000);
    expect(new Set(org.memberAccountIds).size).toBe(1000);
    expect(org.model.listAccounts()).toHaveLength(1001);
    expect(org.levels.map((level) => level.length)).toEqual([3, 9, 27]);
    expect(org.leafIds).toEqual(org.levels[2]);
    const sizes = org.leafIds.map((leaf) => org.accountsByLeaf.get(leaf)!.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    for (const id of [org.memberAccountIds[0]!, org.memberAccountIds[999]!]) {
      expect(parentPathOf(org.model, id)).toHaveLength(4);
      expect(org.model.getRole(id, MEMBER_ROLE)).toBeDefined();
      expect(org.model.getAccount(id)!.tags).toHaveProperty('env');
    }
  });

  it('is deterministic for a seed', () => {
    const a = buildOrganization({ accounts: 50, seed: 5 });
    const b = buildOrganization({ accounts: 50, seed: 5 });
    const c = buildOrganization({ accounts: 50, seed: 6 });
    expect(b.levels).toEqual(a.levels);
    expect(b.model.listAccounts()).toEqual(a.model.listAccounts());
    expect(c.levels).not.toEqual(a.levels);
  });

  it('builds 10,000 accounts in under 10 s', () => {
    const { value: org, ms } = realMs(() => buildOrganization({ accounts: 10_000, depth: 3, branching: 3, seed: 2 }));
    expect(ms).toBeLessThan(10_000);
    expect(org.memberAccountIds).toHaveLength(10_000);
    const sizes = org.leafIds.map((leaf) => org.accountsByLeaf.get(leaf)!.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });
});

describe('seedState with the real pipeline', () => {
  // The simulated Datadog is v1-shaped: list returns no external IDs.
  const config: Config = parseConfig({ datadog: { apiVersion: 'v1' }, integration: { accountTagsAsHostTags: ['env'] } });

  function setup(accounts: number) {
    const clock = new VirtualClock();
    const org = buildOrganization({ accounts, seed: 3, clock });
    const aws = createSimulatedAws(org.model, clock);
    const datadog = new SimulatedDatadog(clock, { writeRatePerSecond: 10 });
    const deps: ObserveDependencies = {
      organizations: new OrganizationsReader(aws.sdk.organizations),
      datadog,
      memberAccess: new MemberAccess(aws.sdk.sts, (credentials) => aws.sdk.iamFor(credentials)),
      now: () => clock.date(),
    };
    const plan = (accountId: string) =>
      clock.run(async () => planAccount((await observeAccount(accountId, config, deps)).observation, config, capabilitiesOf(config.datadog.apiVersion)).actions.map((a) => a.type));
    return { clock, org, aws, datadog, deps, plan };
  }

  it('leaves inSyncFraction of the accounts in sync and drifts the rest, deterministically', () => {
    const first = setup(1000);
    const state = seedState(first.org.model, first.datadog, config, { inSyncFraction: 0.95, seed: 9 });
    expect(state.inSync).toHaveLength(950);
    expect(state.drifted).toHaveLength(50);
    expect(DRIFT_KINDS.map((kind) => state.byKind[kind].length)).toEqual([17, 17, 16, 0, 0]);
    expect(first.datadog.size).toBe(950 + 17 + 16);
    const again = setup(1000);
    expect(seedState(again.org.model, again.datadog, config, { inSyncFraction: 0.95, seed: 9 })).toEqual(state);
  });

  it('plans nothing for in-sync accounts and the expected actions for each drift kind', async () => {
    const { org, datadog, plan } = setup(40);
    const mix = Object.fromEntries(DRIFT_KINDS.map((kind) => [kind, 1])) as Record<DriftKind, number>;
    const state = seedState(org.model, datadog, config, { inSyncFraction: 0.5, seed: 4, mix });
    expect(state.inSync).toHaveLength(20);
    const expected: Record<DriftKind, string[]> = {
      'missing-integration': ['create-integration', 'create-role'],
      'missing-role': ['rotate-external-id', 'create-role'],
      'settings-drift': ['update-integration'],
      'policy-drift': ['update-role-policy'],
      'trust-drift': ['update-role-trust'],
    };
    for (const accountId of state.inSync.slice(0, 5)) await expect(plan(accountId)).resolves.toEqual(['none']);
    for (const kind of DRIFT_KINDS) {
      expect(state.byKind[kind]).toHaveLength(4);
      await expect(plan(state.byKind[kind][0]!)).resolves.toEqual(expected[kind]);
    }
  });

  it('converges every drifted account with convergeAccount() over a bounded pool, then plans nothing', async () => {
    const { clock, org, aws, datadog, deps, plan } = setup(200);
    const state = seedState(org.model, datadog, config, {
      inSyncFraction: 0.8,
      seed: 5,
      mix: { 'missing-integration': 1, 'missing-role': 1, 'settings-drift': 1, 'policy-drift': 1, 'trust-drift': 1 },
    });
    const results: string[] = [];
    const start = performance.now();
    await clock.run(() =>
      pool(org.memberAccountIds, 16, async (accountId) => {
        const result = await convergeAccount(accountId, { config, deps: { ...deps, datadog }, dryRun: false });
        results.push(`${result.status}${result.error ? `: ${result.error}` : ''}`);
      }),
    );
    expect(performance.now() - start).toBeLessThan(5000);
    expect(results.filter((r) => r !== 'ok')).toEqual([]);
    expect(clock.now()).toBeGreaterThan(0);
    expect(aws.services.iam.stats().writes).toBeGreaterThan(0);
    for (const { accountId } of state.drifted) await expect(plan(accountId)).resolves.toEqual(['none']);
    // The trust of a converged account names the external ID Datadog holds.
    const repaired = state.byKind['missing-integration'][0]!;
    const trust = JSON.parse(org.model.getRole(repaired, config.role.name)!.assumeRolePolicyDocument) as {
      Statement: { Condition: { StringEquals: Record<string, string> } }[];
    };
    expect(trust.Statement[0]!.Condition.StringEquals['sts:ExternalId']).toBe(datadog.externalIdOf(repaired, config.role.name));
  });
});
