/**
 * planOrganization is pure: a hand-built snapshot of the organization and Datadog's listing in,
 * one plan per account, a summary and the deletion guard out. No stand-in, no I/O. Under
 * datadog.apiVersion v1 and v2: v2's listing carries the external ID, so its plans differ where
 * the external ID matters (a new account, a missing role).
 */
import { capabilitiesOf } from '../datadog/capabilities';
import type { Integration } from '../datadog/port';
import type { ObservedRole, OrgAccount, RoleObservation } from '../observe/model';
import type { OrganizationSnapshot } from '../observe/organization-walk';
import type { AccountPlan, Action, ActionType } from './plan-account';
import { heldDeletions, planOrganization, workKind, type GuardLimits } from './plan-organization';
import { guardLimits } from '../reconcile/organization-work';
import { datadogTrustPolicy } from '../domain/policy';
import {
  AP1_PRINCIPAL,
  EXTERNAL_ID,
  MANAGEMENT_ACCOUNT_ID,
  MARKER,
  ORGANIZATION_ID,
  OU_PROD,
  OU_WORKLOADS,
  ROOT_ID,
  deepFreeze,
  desiredObservedRole,
  makeConfig,
  ourIntegration,
} from '../../test/support/plan-fixtures';
import { API_VERSIONS, missingRoleActions, newAccountActions } from '../../test/support/api-version';

describe.each(API_VERSIONS)('datadog.apiVersion %s', (apiVersion) => {
  const v2 = apiVersion === 'v2';
  /** A configuration of this API version. */
  const configOf = (raw: Record<string, unknown> = {}) => makeConfig({ ...raw, datadog: { apiVersion } });
  const config = configOf();
  const ROLE = config.role.name;
  const OTHER_ROLE = 'OtherTeamRole';
  /** Generous limits, for tests that are not about the guard. */
  const NO_GUARD: GuardLimits = { maxDeletions: 10_000, maxDeletionsPercent: 100 };

  /** A 12-digit account ID from a small number: 100000000001, 100000000002, ... */
  const id = (n: number) => String(100_000_000_000 + n);

  function account(n: number, overrides: Partial<OrgAccount> = {}): OrgAccount {
    return {
      accountId: id(n),
      state: 'ACTIVE',
      name: `account-${n}`,
      parentPath: [ROOT_ID, OU_WORKLOADS],
      tags: {},
      isManagementAccount: false,
      ...overrides,
    };
  }

  const management: OrgAccount = {
    accountId: MANAGEMENT_ACCOUNT_ID,
    state: 'ACTIVE',
    name: 'Management',
    parentPath: [ROOT_ID],
    tags: {},
    isManagementAccount: true,
  };

  function snapshot(accounts: readonly OrgAccount[]): OrganizationSnapshot {
    return { organizationId: ORGANIZATION_ID, managementAccountId: MANAGEMENT_ACCOUNT_ID, partition: 'aws', accounts, tagsRead: new Set() };
  }

  /** v2's listing carries a role integration's external ID (the one desiredObservedRole trusts); v1's does not. */
  const listed: Partial<Integration> = v2 ? { externalId: EXTERNAL_ID } : {};

  /** Ours, for an account of the snapshot (settings as desired) or any account ID. */
  function ours(target: OrgAccount | string, cfg = config): Integration {
    return ourIntegration(cfg, typeof target === 'string' ? account(0, { accountId: target }) : target, listed);
  }

  function theirs(accountId: string, roleName = OTHER_ROLE): Integration {
    return { ...ours(accountId), auth: { kind: 'role', roleName } };
  }

  function accessKey(accountId: string): Integration {
    // No external ID in either version: an access key has none.
    return { ...ourIntegration(config, account(0, { accountId })), auth: { kind: 'access-key', accessKeyId: 'AKIAOTHERTEAM0000000' } };
  }

  const byId = (plans: readonly AccountPlan[], accountId: string): AccountPlan => {
    const plan = plans.find((p) => p.accountId === accountId);
    if (!plan) throw new Error(`no plan for ${accountId}`);
    return plan;
  };
  const types = (plan: AccountPlan): ActionType[] => plan.actions.map((a) => a.type);
  // The actions as the operator reads them (each also carries what it writes).
  const intents = (plan: AccountPlan) => plan.actions.map(({ type, reason }) => ({ type, reason }));

  describe('planOrganization: summary and actions', () => {
    // The organization: the management account, one in sync, one new, one drifted, one closed with our
    // integration, one suspended with nothing of ours; Datadog also has ours for an account outside the
    // organization, another team's for another one, and an access-key integration for a third.
    const inSync = account(1);
    const fresh = account(2);
    const drifted = account(3);
    const closed = account(4, { state: 'CLOSED' });
    const suspended = account(5, { state: 'SUSPENDED' });
    const STALE = '222222222222';
    const FOREIGN = '333333333333';
    const KEYED = '444444444444';
    const org = snapshot([management, inSync, fresh, drifted, closed, suspended]);
    const integrations: Integration[] = [
      ours(inSync),
      { ...ours(drifted), settings: { ...ours(drifted).settings, hostTags: ['hand:made', MARKER] } },
      ours(closed),
      ours(STALE),
      theirs(FOREIGN),
      accessKey(KEYED),
      theirs(suspended.accountId),
    ];
    const plan = planOrganization(org, integrations, config, capabilitiesOf(config.datadog.apiVersion), NO_GUARD);

    it('counts every account once: the walked ones and those only Datadog knows', () => {
      expect(plan.summary).toEqual({ accounts: 9, inSync: 5, toCreate: 1, toRepair: 1, toDelete: 2 });
      // The walk's order, then the accounts outside the organization, sorted.
      expect(plan.plans.map((p) => p.accountId)).toEqual([
        MANAGEMENT_ACCOUNT_ID, inSync.accountId, fresh.accountId, drifted.accountId, closed.accountId, suspended.accountId, STALE, FOREIGN, KEYED,
      ]);
      expect(plan.plans.map(workKind)).toEqual(['in-sync', 'in-sync', 'create', 'repair', 'delete', 'in-sync', 'delete', 'in-sync', 'in-sync']);
    });

    it('a new account: create-integration and create-role (the role is not inspected), in the order of the version', () => {
      const createIntegration = { type: 'create-integration', reason: `Datadog has no integration for this account with role ${ROLE}` };
      const createRole = { type: 'create-role', reason: `role ${ROLE} is created, or its trust rewritten, with the new external ID` };
      // v2: the role first, trusting a minted ID, then the integration with it; v1: Datadog's create yields the ID first.
      expect(intents(byId(plan.plans, fresh.accountId))).toEqual(v2 ? [createRole, createIntegration] : [createIntegration, createRole]);
    });

    it('drift in Datadog settings: only update-integration, naming the fields', () => {
      expect(intents(byId(plan.plans, drifted.accountId))).toEqual([{ type: 'update-integration', reason: 'Datadog settings differ: host_tags' }]);
    });

    it('in sync: one "none" that says the role was not inspected', () => {
      expect(byId(plan.plans, inSync.accountId).actions).toEqual([
        { type: 'none', reason: 'the integration matches the configuration (role not inspected)' },
      ]);
    });

    it('a closed account with our integration: delete-integration only (its role cannot be reached)', () => {
      expect(byId(plan.plans, closed.accountId).actions).toEqual([
        { type: 'delete-integration', reason: `the account is CLOSED: offboarded (the account is in organization ${ORGANIZATION_ID} and the role is ${ROLE})` },
      ]);
      expect(byId(plan.plans, closed.accountId).inScope).toBe(false);
    });

    it('ours for an account not in the organization is stale: delete-integration', () => {
      const stale = byId(plan.plans, STALE);
      expect(stale.actions).toEqual([{ type: 'delete-integration', reason: `the account is not in the organization: offboarded (it carries our marker ${MARKER})` }]);
      expect(stale.inScope).toBe(false);
    });

    it("another AWS organization's integration with our role name, outside ours: left alone, and the plan's reason says so", () => {
      const unmarked: Integration = { ...ours('999988887777'), settings: { ...ours('999988887777').settings, hostTags: ['team:them'] } };
      const result = planOrganization(snapshot([management]), [unmarked], config, capabilitiesOf(config.datadog.apiVersion), NO_GUARD);
      const foreign = byId(result.plans, '999988887777');
      expect(foreign.actions).toEqual([{ type: 'none', reason: expect.stringMatching(/^left alone: nothing proves this deployment made its integration/) }]);
      expect(foreign.actions[0]!.reason).not.toContain('offboarded');
      expect(foreign.notes).toEqual([expect.stringContaining('left alone')]);
    });

    it("another team's role or an access key is never touched, inside the organization or not", () => {
      for (const accountId of [FOREIGN, KEYED, suspended.accountId]) {
        expect(types(byId(plan.plans, accountId))).toEqual(['none']);
      }
      expect(byId(plan.plans, FOREIGN).notes).toEqual([`integration with role ${OTHER_ROLE} left alone: not the configured role ${ROLE}`]);
      expect(byId(plan.plans, KEYED).notes).toEqual([
        'integration with access key AKIAOTHERTEAM0000000 left alone: access-key integrations are not ours',
      ]);
    });

    it('the management account is out of scope by default and planned as nothing', () => {
      expect(byId(plan.plans, MANAGEMENT_ACCOUNT_ID)).toMatchObject({ inScope: false, actions: [{ type: 'none' }] });
    });

    it('ours and theirs on one stale account: only ours is deleted, theirs is noted', () => {
      const result = planOrganization(snapshot([management]), [ours(STALE), theirs(STALE), accessKey(STALE)], config, capabilitiesOf(config.datadog.apiVersion), NO_GUARD);
      const stale = byId(result.plans, STALE);
      expect(types(stale)).toEqual(['delete-integration']);
      expect(stale.notes).toHaveLength(2);
      expect(result.plans).toHaveLength(2);
      expect(result.guard.deletions).toBe(1);
    });

    it('role.name decides what is ours: with OtherTeamRole configured, the foreign stale integration is the one deleted', () => {
      const other = configOf({ role: { name: OTHER_ROLE } });
      const result = planOrganization(org, integrations, other, capabilitiesOf(other.datadog.apiVersion), NO_GUARD);
      expect(types(byId(result.plans, FOREIGN))).toEqual(['delete-integration']);
      expect(types(byId(result.plans, STALE))).toEqual(['none']);
      // The suspended account has an OtherTeamRole integration: now ours, and it goes.
      expect(types(byId(result.plans, suspended.accountId))).toEqual(['delete-integration']);
    });

    it('the --json contract counts: every walked account and every stale one', () => {
      const { summary } = plan;
      expect(summary.inSync + summary.toCreate + summary.toRepair + summary.toDelete).toBe(summary.accounts);
    });

    it('is pure: frozen inputs, the same plan twice', () => {
      const frozenSnapshot = deepFreeze(snapshot([management, inSync, fresh, drifted, closed, suspended]));
      const frozenIntegrations = deepFreeze(structuredClone(integrations));
      const first = planOrganization(frozenSnapshot, frozenIntegrations, config, capabilitiesOf(config.datadog.apiVersion), NO_GUARD);
      const second = planOrganization(frozenSnapshot, frozenIntegrations, config, capabilitiesOf(config.datadog.apiVersion), NO_GUARD);
      expect(second).toEqual(first);
      expect(first.summary).toEqual(plan.summary);
    });

    it('an empty organization and an empty listing: nothing to do', () => {
      const result = planOrganization(snapshot([]), [], config, capabilitiesOf(config.datadog.apiVersion), guardLimits(config));
      expect(result.plans).toEqual([]);
      expect(result.summary).toEqual({ accounts: 0, inSync: 0, toCreate: 0, toRepair: 0, toDelete: 0 });
      expect(result.guard).toEqual({ tripped: false, deletions: 0, limit: 1, reason: '0 deletions, within the limit of 1' });
    });
  });

  describe('planOrganization: the deletion guard', () => {
    /**
     * An organization of `size` accounts: the first `closed` are CLOSED with our integration (each a
     * deletion), the rest in sync; plus `stale` integrations of ours for accounts outside it.
     */
    function organization(size: number, closed: number, stale = 0) {
      const accounts = Array.from({ length: size }, (_, i) => account(i + 1, i < closed ? { state: 'CLOSED' } : {}));
      const integrations = [...accounts.map((a) => ours(a)), ...Array.from({ length: stale }, (_, i) => ours(String(900_000_000_000 + i)))];
      return { snapshot: snapshot(accounts), integrations };
    }

    const guardOf = (size: number, closed: number, limits: GuardLimits, stale = 0) => {
      const org = organization(size, closed, stale);
      return planOrganization(org.snapshot, org.integrations, config, capabilitiesOf(config.datadog.apiVersion), limits).guard;
    };

    it.each`
      case                                          | size   | deletions | maxDeletions | percent | tripped  | limit
      ${'count: at the limit'}                      | ${100} | ${5}      | ${5}         | ${100}  | ${false} | ${5}
      ${'count: one over'}                          | ${100} | ${6}      | ${5}         | ${100}  | ${true}  | ${5}
      ${'percent: 10% of 30 is 3, at the limit'}    | ${30}  | ${3}      | ${100}       | ${10}   | ${false} | ${3}
      ${'percent: 10% of 30 is 3, one over'}        | ${30}  | ${4}      | ${100}       | ${10}   | ${true}  | ${3}
      ${'percent rounds down: 10% of 39 is 3'}      | ${39}  | ${4}      | ${100}       | ${10}   | ${true}  | ${3}
      ${'the smaller limit wins (count)'}           | ${100} | ${6}      | ${5}         | ${10}   | ${true}  | ${5}
      ${'the smaller limit wins (percent)'}         | ${20}  | ${3}      | ${5}         | ${10}   | ${true}  | ${2}
      ${'floor of 1: 10% of 5 accounts'}            | ${5}   | ${1}      | ${5}         | ${10}   | ${false} | ${1}
      ${'floor of 1: two deletions trip'}           | ${5}   | ${2}      | ${5}         | ${10}   | ${true}  | ${1}
      ${'floor of 1: even at 0%'}                   | ${50}  | ${1}      | ${5}         | ${0}    | ${false} | ${1}
      ${'maxDeletions 0: any deletion trips'}       | ${100} | ${1}      | ${0}         | ${100}  | ${true}  | ${0}
      ${'maxDeletions 0: no deletion, no trip'}     | ${100} | ${0}      | ${0}         | ${100}  | ${false} | ${0}
      ${'defaults (5, 10%) on 19 accounts'}         | ${19}  | ${2}      | ${5}         | ${10}   | ${true}  | ${1}
      ${'defaults (5, 10%) on 20 accounts'}         | ${20}  | ${2}      | ${5}         | ${10}   | ${false} | ${2}
    `('$case: tripped $tripped, limit $limit', ({ size, deletions, maxDeletions, percent, tripped, limit }) => {
      const guard = guardOf(size, deletions, { maxDeletions, maxDeletionsPercent: percent });
      expect({ tripped: guard.tripped, deletions: guard.deletions, limit: guard.limit }).toEqual({ tripped, deletions, limit });
    });

    it('stale integrations count as deletions but not as accounts of the organization', () => {
      // 20 accounts (10%: 2), 1 closed + 2 stale = 3 deletions.
      const guard = guardOf(20, 1, { maxDeletions: 5, maxDeletionsPercent: 10 }, 2);
      expect(guard).toMatchObject({ tripped: true, deletions: 3, limit: 2 });
    });

    it('a tripped guard says why, with the limits and the --max-deletions that would allow the run', () => {
      const guard = guardOf(30, 8, { maxDeletions: 5, maxDeletionsPercent: 10 });
      expect(guard).toEqual({
        tripped: true,
        deletions: 8,
        limit: 3,
        reason:
          'the plan deletes 8 integrations, more than the 3 allowed per run (maxDeletionsPerRun 5, maxDeletionsPercent 10% of 30 accounts): ' +
          'every deletion is held, creations and repairs go ahead. If the organization really lost these accounts, run apply with --max-deletions 8',
      });
    });

    it('within the limit, the reason counts (singular and plural)', () => {
      expect(guardOf(30, 1, { maxDeletions: 5, maxDeletionsPercent: 100 }).reason).toBe('1 deletion, within the limit of 5');
      expect(guardOf(30, 2, { maxDeletions: 5, maxDeletionsPercent: 100 }).reason).toBe('2 deletions, within the limit of 5');
    });

    it('a tripped guard holds the deletions only: they move to `held`, every other action stays, the summary counts what the plan wants', () => {
      const org = organization(30, 8);
      const tripped = planOrganization(org.snapshot, org.integrations, config, capabilitiesOf(config.datadog.apiVersion), { maxDeletions: 0, maxDeletionsPercent: 0 });
      const allowed = planOrganization(org.snapshot, org.integrations, config, capabilitiesOf(config.datadog.apiVersion), NO_GUARD);
      expect(tripped.summary).toEqual(allowed.summary);
      expect(tripped.plans.flatMap((p) => p.actions).filter((a) => a.type.startsWith('delete-'))).toEqual([]);
      const held = heldDeletions(tripped);
      expect(held).toHaveLength(8);
      expect(held.every((d) => d.type === 'delete-integration')).toBe(true);
      // Whatever else an account had to do is still planned, in the same order.
      for (const [i, plan] of tripped.plans.entries()) {
        const rest = allowed.plans[i]!.actions.filter((a) => !a.type.startsWith('delete-'));
        if (rest.length > 0) expect(plan.actions).toEqual(rest);
        else expect(plan.actions).toEqual([{ type: 'none', reason: 'deletion held: the deletion guard allows 0 deletions per run and the plan has 8' }]);
      }
      expect(heldDeletions(allowed)).toEqual([]);
    });

    describe('guardLimits', () => {
      it('without --max-deletions: the configuration (defaults 5 and 10%)', () => {
        expect(guardLimits(configOf())).toEqual({ maxDeletions: 5, maxDeletionsPercent: 10 });
        expect(guardLimits(configOf({ reconcile: { maxDeletionsPerRun: 7, maxDeletionsPercent: 25 } }))).toEqual({ maxDeletions: 7, maxDeletionsPercent: 25 });
      });

      it('--max-deletions N replaces both limits for that run', () => {
        // No percentage at all: the operator named the count.
        expect(guardLimits(configOf(), 8)).toEqual({ maxDeletions: 8 });
        // 30 accounts, 8 deletions: the configuration trips (limit 3), --max-deletions 8 allows it, 7 does not.
        expect(guardOf(30, 8, guardLimits(config))).toMatchObject({ tripped: true, deletions: 8, limit: 3 });
        expect(guardOf(30, 8, guardLimits(config, 8))).toMatchObject({ tripped: false, deletions: 8, limit: 8 });
        expect(guardOf(30, 8, guardLimits(config, 7))).toMatchObject({ tripped: true, deletions: 8, limit: 7 });
        expect(guardOf(30, 1, guardLimits(config, 0))).toMatchObject({ tripped: true, deletions: 1, limit: 0 });
      });

      // Regression: --max-deletions N was once still capped by a percentage of the accounts the walk found.
      it('--max-deletions N allows N deletions even when more integrations are stale than accounts remain', () => {
        // 3 accounts left in the organization, 6 integrations of ours for accounts that left it.
        expect(guardOf(3, 0, guardLimits(config, 6), 6)).toMatchObject({ tripped: false, deletions: 6, limit: 6 });
      });
    });
  });

  describe('workKind: create wins over delete, delete over repair', () => {
    const planWith = (actions: ActionType[], blocked = false): AccountPlan => ({
      accountId: id(1),
      target: 'datadoghq.com',
      roleName: 'DatadogIntegrationRole',
      partition: 'aws',
      inScope: true,
      scope: 'test',
      // workKind reads the types only.
      actions: actions.map((type) => ({ type, reason: 'test' }) as Action),
      notes: [],
      ...(blocked && { blocked: { reason: 'unreachable', retryable: false } }),
    });

    it.each`
      actions                                              | blocked  | kind
      ${['none']}                                          | ${false} | ${'in-sync'}
      ${['create-integration', 'create-role']}             | ${false} | ${'create'}
      ${['create-integration', 'update-role-trust']}       | ${false} | ${'create'}
      ${['create-integration', 'delete-integration']}      | ${false} | ${'create'}
      ${['create-integration', 'delete-role']}             | ${false} | ${'create'}
      ${['delete-integration']}                            | ${false} | ${'delete'}
      ${['delete-integration', 'delete-role']}             | ${false} | ${'delete'}
      ${['delete-role']}                                   | ${false} | ${'delete'}
      ${['update-integration', 'delete-integration']}      | ${false} | ${'delete'}
      ${['rotate-external-id', 'delete-role']}             | ${false} | ${'delete'}
      ${['update-integration']}                            | ${false} | ${'repair'}
      ${['rotate-external-id', 'create-role']}             | ${false} | ${'repair'}
      ${['rotate-external-id', 'update-role-trust']}       | ${false} | ${'repair'}
      ${['update-role-trust']}                             | ${false} | ${'repair'}
      ${['update-role-policy']}                            | ${false} | ${'repair'}
      ${['create-role']}                                   | ${false} | ${'repair'}
      ${[]}                                                | ${true}  | ${'repair'}
      ${['none']}                                          | ${true}  | ${'repair'}
    `('$actions (blocked: $blocked) -> $kind', ({ actions, blocked, kind }) => {
      expect(workKind(planWith(actions, blocked))).toBe(kind);
    });
  });

  describe('shallow and deep plans', () => {
    const fresh = account(1);
    const inSync = account(2);
    const drifted = account(3);
    const accounts = [management, fresh, inSync, drifted];
    const integrations = [ours(inSync), { ...ours(drifted), settings: { ...ours(drifted).settings, metricsCollection: false } }];
    const present = (role: ObservedRole = desiredObservedRole(config)): RoleObservation => ({ kind: 'present', role });

    it('shallow (no roles map): create-integration + create-role for a new account, only update-integration for drift', () => {
      const plan = planOrganization(snapshot(accounts), integrations, config, capabilitiesOf(config.datadog.apiVersion), NO_GUARD);
      expect(types(byId(plan.plans, fresh.accountId))).toEqual(newAccountActions(apiVersion));
      expect(types(byId(plan.plans, drifted.accountId))).toEqual(['update-integration']);
      expect(types(byId(plan.plans, inSync.accountId))).toEqual(['none']);
      expect(plan.plans.every((p) => p.blocked === undefined)).toBe(true);
    });

    it('deep: a new account whose role already exists gets its trust rewritten, not a new role', () => {
      const roles = new Map([[fresh.accountId, present()]]);
      const plan = planOrganization(snapshot(accounts), integrations, config, capabilitiesOf(config.datadog.apiVersion), NO_GUARD, roles);
      // v2 rewrites the trust to a minted ID before creating the integration with it.
      expect(types(byId(plan.plans, fresh.accountId))).toEqual(v2 ? ['update-role-trust', 'create-integration'] : ['create-integration', 'update-role-trust']);
    });

    it('deep: a new account without the role: create-integration + create-role', () => {
      const roles = new Map<string, RoleObservation>([[fresh.accountId, { kind: 'absent' }]]);
      expect(types(byId(planOrganization(snapshot(accounts), integrations, config, capabilitiesOf(config.datadog.apiVersion), NO_GUARD, roles).plans, fresh.accountId))).toEqual(
        newAccountActions(apiVersion),
      );
    });

    it('deep: the role rules apply (missing role, wrong trust, policy drift) where shallow saw nothing', () => {
      const wrongTrust = present({ ...desiredObservedRole(config), trustPolicy: datadogTrustPolicy(AP1_PRINCIPAL, EXTERNAL_ID) });
      const noPolicy = present({ ...desiredObservedRole(config), inlinePolicies: {} });
      const a = account(11);
      const b = account(12);
      const c = account(13);
      const d = account(14);
      const org = snapshot([a, b, c, d]);
      const listing = [ours(a), ours(b), ours(c), ours(d)];
      const roles = new Map<string, RoleObservation>([
        [a.accountId, { kind: 'absent' }],
        [b.accountId, wrongTrust],
        [c.accountId, noPolicy],
        [d.accountId, present()],
      ]);
      const shallow = planOrganization(org, listing, config, capabilitiesOf(config.datadog.apiVersion), NO_GUARD);
      expect(shallow.summary).toMatchObject({ inSync: 4, toRepair: 0 });
      const deep = planOrganization(org, listing, config, capabilitiesOf(config.datadog.apiVersion), NO_GUARD, roles);
      expect(types(byId(deep.plans, a.accountId))).toEqual(missingRoleActions(apiVersion));
      expect(types(byId(deep.plans, b.accountId))).toEqual(['update-role-trust']);
      expect(types(byId(deep.plans, c.accountId))).toEqual(['update-role-policy']);
      expect(types(byId(deep.plans, d.accountId))).toEqual(['none']);
      expect(byId(deep.plans, d.accountId).actions[0]?.reason).toBe('the integration and the role match the configuration');
      expect(deep.summary).toEqual({ accounts: 4, inSync: 1, toCreate: 0, toRepair: 3, toDelete: 0 });
    });

    it('deep: a role trusting another external ID than Datadog has is trust drift only v2 can see', () => {
      const handEdited = present(desiredObservedRole(config, 'aws', 'edited-by-hand'));
      const plan = planOrganization(snapshot(accounts), integrations, config, capabilitiesOf(config.datadog.apiVersion), NO_GUARD, new Map([[inSync.accountId, handEdited]]));
      // v2 lists Datadog's external ID, so the trust is rewritten to it (no rotation); v1 lists none and cannot compare.
      expect(types(byId(plan.plans, inSync.accountId))).toEqual(v2 ? ['update-role-trust'] : ['none']);
    });

    it('deep: an unreachable account is blocked (counted as repair), with no action', () => {
      const roles = new Map<string, RoleObservation>([[inSync.accountId, { kind: 'unreachable', reason: 'AccessDenied', retryable: false }]]);
      const plan = planOrganization(snapshot(accounts), integrations, config, capabilitiesOf(config.datadog.apiVersion), NO_GUARD, roles);
      expect(byId(plan.plans, inSync.accountId)).toMatchObject({ actions: [], blocked: { reason: 'AccessDenied', retryable: false } });
      expect(workKind(byId(plan.plans, inSync.accountId))).toBe('repair');
      expect(plan.summary.toRepair).toBe(2);
    });

    it('deep: an active account missing from the roles map is planned shallow', () => {
      const roles = new Map([[inSync.accountId, present()]]);
      const plan = planOrganization(snapshot(accounts), integrations, config, capabilitiesOf(config.datadog.apiVersion), NO_GUARD, roles);
      expect(types(byId(plan.plans, fresh.accountId))).toEqual(newAccountActions(apiVersion));
      expect(types(byId(plan.plans, drifted.accountId))).toEqual(['update-integration']);
    });

    it('a closed account ignores the roles map: its role is not read, only the integration goes', () => {
      const closed = account(20, { state: 'CLOSED' });
      const roles = new Map([[closed.accountId, present()]]);
      const plan = planOrganization(snapshot([closed]), [ours(closed)], config, capabilitiesOf(config.datadog.apiVersion), NO_GUARD, roles);
      expect(types(byId(plan.plans, closed.accountId))).toEqual(['delete-integration']);
    });

    it('deep, excluded with scope.onExclusion "offboard": our integration and the role we created go; delete-role alone is a delete the guard does not count', () => {
      const excluded = account(30);
      const roleOnly = account(31);
      const scoped = configOf({ scope: { excludeAccounts: [excluded.accountId, roleOnly.accountId], onExclusion: 'offboard' } });
      const roles = new Map([
        [excluded.accountId, present()],
        [roleOnly.accountId, present()],
      ]);
      const plan = planOrganization(snapshot([excluded, roleOnly]), [ours(excluded, scoped)], scoped, capabilitiesOf(scoped.datadog.apiVersion), NO_GUARD, roles);
      expect(types(byId(plan.plans, excluded.accountId))).toEqual(['delete-integration', 'delete-role']);
      expect(types(byId(plan.plans, roleOnly.accountId))).toEqual(['delete-role']);
      expect(plan.summary.toDelete).toBe(2);
      // The guard counts integrations.
      expect(plan.guard.deletions).toBe(1);
    });

    it('the parent path decides scope (excludeOus), as for one account', () => {
      const prod = account(40, { parentPath: [ROOT_ID, OU_WORKLOADS, OU_PROD] });
      const scoped = configOf({ scope: { excludeOus: [OU_PROD] } });
      const plan = planOrganization(snapshot([prod]), [ours(prod, scoped)], scoped, capabilitiesOf(scoped.datadog.apiVersion), NO_GUARD);
      expect(byId(plan.plans, prod.accountId).actions).toEqual([
        { type: 'none', reason: `it is under ${OU_PROD}, listed in scope.excludeOus: left alone (scope.onExclusion is "leave")` },
      ]);
    });
  });
});
