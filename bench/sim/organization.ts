/**
 * Simulated organizations for the benchmark: a FakeAwsOrganization with an OU tree of a given
 * depth and branching, member accounts spread evenly over its leaf OUs (each with its member
 * access role), and a seeded mix of accounts already integrated with Datadog ("in sync") and
 * accounts that drifted (no integration yet, the role missing, settings or permissions changed).
 * Everything is derived from the options and the seed: same input, same organization.
 */

import type { Config } from '../../lambda/config/schema';
import type { PortCapabilities } from '../../lambda/datadog/port';
import { datadogTrustPolicy, type PolicyDocument } from '../../lambda/domain/policy';
import type { OrgAccount } from '../../lambda/observe/model';
import { desiredRole, type DesiredRole } from '../../lambda/plan/desired-role';
import { desiredSettings } from '../../lambda/plan/desired-settings';
import { scopeOf } from '../../lambda/domain/scope';
import { FakeAwsOrganization, type FakeAccount } from '@datadog-aws-org-integration/standins/aws/model';
import { DEFAULT_EPOCH_MS, type VirtualClock } from './clock';
import type { SimulatedDatadog } from './datadog';
import { createRandom } from './random';

export interface BuildOrganizationOptions {
  /** Member accounts (the management account comes on top). */
  accounts: number;
  /** Levels of OUs under the root (3); 0 puts every account in the root. */
  depth?: number;
  /** OUs under each root/OU that is not a leaf (3). */
  branching?: number;
  /** Seeds the organization's generated IDs (OUs, roles), account tags and join dates (1). */
  seed?: number;
  /** When given, the model's clock is this virtual clock (sessions expire in virtual time). */
  clock?: VirtualClock;
  /** '100000000000' */
  managementAccountId?: string;
  /** The member access role every account gets (OrganizationAccountAccessRole). */
  memberRoleName?: string;
}

export interface SimulatedOrganization {
  readonly model: FakeAwsOrganization;
  readonly rootId: string;
  readonly managementAccountId: string;
  /** OU IDs by level: levels[0] are the root's children, the last level the leaves. */
  readonly levels: readonly (readonly string[])[];
  /** Where accounts live: the deepest OUs (or just the root when depth is 0). */
  readonly leafIds: readonly string[];
  /** Member account IDs in creation order (deterministic: 200000000001, 200000000002...). */
  readonly memberAccountIds: readonly string[];
  readonly accountsByLeaf: ReadonlyMap<string, readonly string[]>;
}

export const FIRST_MEMBER_ACCOUNT_ID = 200_000_000_001;
const ENVIRONMENTS = ['prod', 'staging', 'dev', 'sandbox'] as const;
const DAY_MS = 86_400_000;

function checkCount(value: number, what: string, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new Error(`${what} must be a whole number of at least ${min}, not ${value}`);
  return value;
}

/** Builds the organization; 10,000 accounts take about a second. */
export function buildOrganization(options: BuildOrganizationOptions): SimulatedOrganization {
  const accounts = checkCount(options.accounts, 'accounts', 0);
  const depth = checkCount(options.depth ?? 3, 'depth', 0);
  const branching = checkCount(options.branching ?? 3, 'branching', 1);
  if (depth > 5) throw new Error('depth is at most 5 (Organizations nests OUs five levels deep)');
  if (accounts > 799_999_999_998) throw new Error('too many accounts');
  const seed = options.seed ?? 1;
  const clock = options.clock;
  const epochMs = clock?.epochMs ?? DEFAULT_EPOCH_MS;
  const managementAccountId = options.managementAccountId ?? '100000000000';
  const model = new FakeAwsOrganization({
    seed,
    managementAccountId,
    managementAccountName: 'Management',
    now: clock ? () => clock.date() : () => new Date(epochMs),
    ...(options.memberRoleName !== undefined && { memberRoleName: options.memberRoleName }),
  });
  const random = createRandom(seed);

  const levels: string[][] = [];
  let parents: { id: string; label: string }[] = [{ id: model.rootId, label: '' }];
  for (let level = 1; level <= depth; level += 1) {
    const children: { id: string; label: string }[] = [];
    for (const parent of parents) {
      for (let i = 1; i <= branching; i += 1) {
        const label = parent.label ? `${parent.label}.${i}` : String(i);
        children.push({ id: model.createOu(`OU ${label}`, parent.id), label });
      }
    }
    levels.push(children.map((child) => child.id));
    parents = children;
  }
  const leafIds = parents.map((parent) => parent.id);

  const width = String(accounts).length;
  const memberAccountIds: string[] = [];
  const accountsByLeaf = new Map<string, string[]>(leafIds.map((id) => [id, []]));
  for (let i = 0; i < accounts; i += 1) {
    const id = String(FIRST_MEMBER_ACCOUNT_ID + i);
    // Round robin: leaf sizes differ by at most one.
    const parentId = leafIds[i % leafIds.length]!;
    const env = ENVIRONMENTS[random.int(ENVIRONMENTS.length)]!;
    model.createAccount({
      id,
      name: `member-${String(i + 1).padStart(width, '0')}`,
      parentId,
      tags: { env, team: `team-${String(random.int(20)).padStart(2, '0')}` },
      joinedTimestamp: new Date(epochMs - (1 + random.int(700)) * DAY_MS - random.int(DAY_MS)),
    });
    memberAccountIds.push(id);
    accountsByLeaf.get(parentId)!.push(id);
  }
  return { model, rootId: model.rootId, managementAccountId, levels, leafIds, memberAccountIds, accountsByLeaf };
}

/** Root first, down to the account's parent (what OrganizationsReader reads with ListParents). */
export function parentPathOf(model: FakeAwsOrganization, accountId: string): string[] {
  const account = model.getAccount(accountId);
  if (!account) throw new Error(`no account ${accountId}`);
  const path: string[] = [];
  let current: string | undefined = account.parentId;
  while (current) {
    path.unshift(current);
    current = current === model.rootId ? undefined : model.getOu(current)?.parentId;
  }
  return path;
}

/** An account as the product observes it in Organizations. */
export function orgAccountOf(model: FakeAwsOrganization, account: FakeAccount): OrgAccount {
  return {
    accountId: account.id,
    state: account.state,
    name: account.name,
    parentPath: parentPathOf(model, account.id),
    tags: { ...account.tags },
    isManagementAccount: account.id === model.managementAccountId,
  };
}

// ------------------------------------------------------------------ in sync and drift

/**
 * How a drifted account differs from the configuration, and what the plan makes of it:
 * - missing-integration: never onboarded, no integration and no role (create-integration, create-role)
 * - missing-role: the integration is there, the role is not (rotate-external-id, create-role)
 * - settings-drift: the integration's host tags differ (update-integration)
 * - policy-drift: the role's inline policy lacks half of Datadog's permissions (update-role-policy)
 * - trust-drift: the role trusts another principal than Datadog's (update-role-trust)
 */
export type DriftKind = 'missing-integration' | 'missing-role' | 'settings-drift' | 'policy-drift' | 'trust-drift';

export const DRIFT_KINDS: readonly DriftKind[] = ['missing-integration', 'missing-role', 'settings-drift', 'policy-drift', 'trust-drift'];

/** The host tag settings drift adds. */
export const DRIFT_HOST_TAG = 'drift:stale';
/** Whom trust drift lets in instead of Datadog. */
export const DRIFT_TRUSTED_PRINCIPAL = 'arn:aws:iam::999999999999:root';

export interface SeedStateOptions {
  /** Share of the accounts left in sync, 0 to 1 (rounded to whole accounts). */
  inSyncFraction: number;
  seed?: number;
  /** Relative weights of the drift kinds; by default a third each of missing-integration, missing-role, settings-drift. */
  mix?: Partial<Record<DriftKind, number>>;
  /** The accounts to seed; by default every account the configuration's scope takes in. */
  accountIds?: readonly string[];
}

export interface SeededState {
  /** In sync: the plan is 'none' for them. */
  readonly inSync: readonly string[];
  readonly drifted: readonly { readonly accountId: string; readonly kind: DriftKind }[];
  readonly byKind: Readonly<Record<DriftKind, readonly string[]>>;
}

const DEFAULT_MIX: Readonly<Record<DriftKind, number>> = {
  'missing-integration': 1,
  'missing-role': 1,
  'settings-drift': 1,
  'policy-drift': 0,
  'trust-drift': 0,
};

/** Splits `total` by weight, whole numbers summing to `total` (largest remainders, ties in list order). */
function apportion(total: number, mix: Readonly<Record<DriftKind, number>>): Record<DriftKind, number> {
  const weights = DRIFT_KINDS.map((kind) => {
    const weight = mix[kind];
    if (!Number.isFinite(weight) || weight < 0) throw new Error(`drift weight for ${kind} must be 0 or more, not ${weight}`);
    return weight;
  });
  const sum = weights.reduce((a, b) => a + b, 0);
  const counts = Object.fromEntries(DRIFT_KINDS.map((kind) => [kind, 0])) as Record<DriftKind, number>;
  if (total === 0) return counts;
  if (sum === 0) throw new Error('the drift mix has no positive weight');
  const exact = weights.map((weight) => (total * weight) / sum);
  let assigned = 0;
  DRIFT_KINDS.forEach((kind, i) => {
    counts[kind] = Math.floor(exact[i]!);
    assigned += counts[kind];
  });
  const byRemainder = DRIFT_KINDS.map((kind, i) => ({ kind, remainder: exact[i]! - Math.floor(exact[i]!), i })).sort(
    (a, b) => b.remainder - a.remainder || a.i - b.i,
  );
  for (let k = 0; assigned < total; k += 1, assigned += 1) counts[byRemainder[k % byRemainder.length]!.kind] += 1;
  return counts;
}

function inlinePolicyTexts(desired: DesiredRole, transform?: (document: PolicyDocument) => PolicyDocument): Record<string, string> {
  return Object.fromEntries(
    Object.entries(desired.inlinePolicies).map(([name, document]) => [name, JSON.stringify(transform ? transform(document) : document)]),
  );
}

/** Keeps every other action: what an old version of the policy might have granted. */
function halfTheActions(document: PolicyDocument): PolicyDocument {
  return {
    ...document,
    Statement: document.Statement.map((statement) => ({
      ...statement,
      Action: (Array.isArray(statement.Action) ? statement.Action : [statement.Action]).filter((_, i) => i % 2 === 0),
    })),
  };
}

/**
 * Puts Datadog integrations and Datadog roles in place: `inSyncFraction` of the accounts exactly
 * as the configuration wants them (integration with desiredSettings, role with desiredRole and a
 * trust naming the integration's external ID), the rest drifted per `mix`. Costs no virtual time.
 */
export function seedState(model: FakeAwsOrganization, datadog: SimulatedDatadog, config: Config, options: SeedStateOptions): SeededState {
  const { inSyncFraction } = options;
  if (!(inSyncFraction >= 0 && inSyncFraction <= 1)) throw new Error(`inSyncFraction must be from 0 to 1, not ${inSyncFraction}`);
  const random = createRandom(options.seed ?? 7);
  const roleName = config.role.name;
  const desired = desiredRole(config, model.partition);
  const policies = inlinePolicyTexts(desired);
  const driftedPolicies = inlinePolicyTexts(desired, halfTheActions);

  const members = new Map(model.listAccounts().map((account) => [account.id, account]));
  const observed = new Map<string, OrgAccount>();
  const orgAccount = (id: string): OrgAccount => {
    let found = observed.get(id);
    if (!found) {
      const account = members.get(id);
      if (!account) throw new Error(`account ${id} is not in the organization`);
      found = orgAccountOf(model, account);
      observed.set(id, found);
    }
    return found;
  };
  const accountIds = options.accountIds
    ? [...options.accountIds]
    : [...members.keys()].filter((id) => scopeOf(orgAccount(id), config.scope).inScope);

  const driftCount = Math.round(accountIds.length * (1 - inSyncFraction));
  const counts = apportion(driftCount, { ...DEFAULT_MIX, ...options.mix });
  const kinds = DRIFT_KINDS.flatMap((kind) => Array<DriftKind>(counts[kind]).fill(kind));
  const order = random.shuffle(accountIds);
  const kindOf = new Map<string, DriftKind>(kinds.map((kind, i) => [order[i]!, kind]));

  const putRole = (accountId: string, externalId: string, variant: { principal?: string; inlinePolicies?: Record<string, string> } = {}) =>
    model.putRoleByHand(accountId, {
      roleName: desired.roleName,
      assumeRolePolicyDocument: datadogTrustPolicy(variant.principal ?? desired.principalArn, externalId),
      description: desired.description,
      maxSessionDuration: 3600,
      tags: { ...desired.tags },
      inlinePolicies: variant.inlinePolicies ?? policies,
      attachedPolicyArns: [...desired.managedPolicyArns],
    });

  const inSync: string[] = [];
  const drifted: { accountId: string; kind: DriftKind }[] = [];
  const byKind = Object.fromEntries(DRIFT_KINDS.map((kind) => [kind, [] as string[]])) as Record<DriftKind, string[]>;
  for (const accountId of accountIds) {
    const kind = kindOf.get(accountId);
    const externalId = random.hex(32);
    const settings = desiredSettings(config, orgAccount(accountId), model.organizationId);
    const integration = { accountId, auth: { kind: 'role' as const, roleName }, externalId };
    model.deleteRoleByHand(accountId, roleName);
    datadog.unseed(accountId, roleName);
    switch (kind) {
      case undefined:
        datadog.seed({ ...integration, settings });
        putRole(accountId, externalId);
        inSync.push(accountId);
        continue;
      case 'missing-integration':
        break;
      case 'missing-role':
        datadog.seed({ ...integration, settings });
        break;
      case 'settings-drift':
        datadog.seed({ ...integration, settings: { ...settings, hostTags: [...settings.hostTags, DRIFT_HOST_TAG] } });
        putRole(accountId, externalId);
        break;
      case 'policy-drift':
        datadog.seed({ ...integration, settings });
        putRole(accountId, externalId, { inlinePolicies: driftedPolicies });
        break;
      case 'trust-drift':
        datadog.seed({ ...integration, settings });
        putRole(accountId, externalId, { principal: DRIFT_TRUSTED_PRINCIPAL });
        break;
    }
    drifted.push({ accountId, kind });
    byKind[kind].push(accountId);
  }
  return { inSync, drifted, byKind };
}

/**
 * The fewest Datadog writes that converge the drifted accounts, by drift kind and by what the API
 * version can do: a new integration is a create, plus its mint where the ID is minted first (v2);
 * a missing role needs a rotation only where the ID is not read back (v1); a settings drift is an
 * update; a policy drift, and a trust naming another principal (its one external ID kept), are IAM's alone.
 */
export function fewestDatadogWrites(drifted: readonly { kind: DriftKind }[], capabilities: PortCapabilities): number {
  const writes: Record<DriftKind, number> = {
    'missing-integration': capabilities.mintsExternalIdBeforeCreate ? 2 : 1,
    'missing-role': capabilities.readsExternalIdBack ? 0 : 1,
    'trust-drift': 0,
    'settings-drift': 1,
    'policy-drift': 0,
  };
  return drifted.reduce((sum, { kind }) => sum + writes[kind], 0);
}
