import type { Config } from '../config/schema';
import type { Integration } from '../datadog/port';
import { allowedActions, externalIdsIn, isExactTrust, type PolicyDocument } from '../domain/policy';
import type { AccountObservation, ObservedRole } from '../observe/model';
import { PINNED_PERMISSIONS, type DatadogPermissions } from '../observe/datadog-permissions';
import { MANAGED_BY_TAG, desiredRole, expectedSettings, isOurPolicyName, permissionsToApply, settingsDrift, type DesiredRole } from './desired';
import { scopeOf } from './scope';

export type ActionType =
  | 'create-integration'
  | 'rotate-external-id'
  | 'update-integration'
  | 'create-role'
  | 'update-role-trust'
  | 'update-role-policy'
  | 'delete-integration'
  | 'delete-role'
  | 'none';

export interface Action {
  readonly type: ActionType;
  readonly reason: string;
}

export interface AccountPlan {
  readonly accountId: string;
  readonly inScope: boolean;
  /** Why the account is in or out of scope. */
  readonly scope: string;
  /** In execution order; exactly [{ type: 'none' }] when nothing needs doing. */
  readonly actions: readonly Action[];
  /** Set when the plan cannot be made now (role unreachable): retry later, or fix what it says. */
  readonly blocked?: { readonly reason: string; readonly retryable: boolean };
  /** Things left alone on purpose, for the operator (other teams' integrations, roles we did not create). */
  readonly notes: readonly string[];
}

/** The one decision function: observation + configuration -> actions. Pure: no I/O, no clock. */
export function planAccount(observation: AccountObservation, config: Config, permissions: DatadogPermissions = PINNED_PERMISSIONS): AccountPlan {
  const scope = scopeOf(observation.organization, config.scope);
  const ours = observation.integrations.find((i) => isOurIntegration(i, config.role.name));
  const notes = observation.integrations
    .filter((i) => !isOurIntegration(i, config.role.name))
    .map((i) =>
      i.auth.kind === 'role'
        ? `integration with role ${i.auth.roleName} left alone: not the configured role ${config.role.name}`
        : `integration with access key ${i.auth.accessKeyId} left alone: access-key integrations are not ours`,
    );
  const base = { accountId: observation.accountId, inScope: scope.inScope, scope: scope.reason };

  if (!scope.inScope) {
    const { actions, notes: roleNotes } = offboardActions(observation, config, ours, scope.reason);
    return { ...base, actions: orNone(actions, `nothing of ours to remove: ${scope.reason}`), notes: [...notes, ...roleNotes] };
  }

  const role = observation.role;
  if (role.kind === 'not-inspected') {
    return { ...base, actions: orNone(shallowActions(observation, config, ours), 'the integration matches the configuration (role not inspected)'), notes };
  }
  if (role.kind === 'unreachable' || role.kind === 'not-read') {
    const retryable = role.kind === 'unreachable' && role.retryable;
    return { ...base, actions: [], blocked: { reason: role.reason, retryable }, notes };
  }
  const desired = desiredRole(config, observation.partition, permissionsToApply(permissions, role.kind === 'present' ? role.role : undefined));
  const actions = onboardActions(observation, config, ours, role.kind === 'present' ? role.role : undefined, desired);
  const permissionNotes = permissions.source === 'fallback' ? [`${permissions.reason ?? "Datadog's permission lists could not be read"}: permissions are only added, none removed`] : [];
  return { ...base, actions: orNone(actions, 'the integration and the role match the configuration'), notes: [...notes, ...permissionNotes] };
}

/** Ours: a role integration with the configured role name (access-key integrations and other role names never are). */
export function isOurIntegration(integration: Integration, roleName: string): boolean {
  return integration.auth.kind === 'role' && integration.auth.roleName === roleName;
}

function orNone(actions: Action[], reason: string): Action[] {
  return actions.length > 0 ? actions : [{ type: 'none', reason }];
}

/** Without reading the role: create what is missing, repair Datadog settings; the role is left to the per-account run. */
function shallowActions(observation: AccountObservation, config: Config, ours: Integration | undefined): Action[] {
  if (!ours) {
    return sortActions(
      [
        { type: 'create-integration', reason: `Datadog has no integration for this account with role ${config.role.name}` },
        { type: 'create-role', reason: `role ${config.role.name} is created, or its trust rewritten, with the new external ID` },
      ],
      config,
    );
  }
  const drift = settingsDrift(ours.settings, expectedSettings(config, observation.organization, observation.partition));
  return drift.length > 0 ? [{ type: 'update-integration', reason: `Datadog settings differ: ${drift.join(', ')}` }] : [];
}

function onboardActions(
  observation: AccountObservation,
  config: Config,
  ours: Integration | undefined,
  role: ObservedRole | undefined,
  desired: DesiredRole,
): Action[] {
  const actions: Action[] = [];
  const roleName = config.role.name;

  if (!ours) {
    actions.push({ type: 'create-integration', reason: `Datadog has no integration for this account with role ${roleName}` });
    actions.push(
      role
        ? { type: 'update-role-trust', reason: `role ${roleName} exists: trust the new integration's external ID` }
        : { type: 'create-role', reason: `role ${roleName} does not exist` },
    );
  } else {
    const drift = settingsDrift(ours.settings, expectedSettings(config, observation.organization, observation.partition));
    if (drift.length > 0) actions.push({ type: 'update-integration', reason: `Datadog settings differ: ${drift.join(', ')}` });
    if (!role && ours.externalId === undefined) {
      actions.unshift({ type: 'rotate-external-id', reason: `role ${roleName} is missing: a new external ID is needed for it` });
      actions.push({ type: 'create-role', reason: `role ${roleName} does not exist` });
    } else if (!role) {
      // v2 tells the external ID: the role is recreated trusting it, nothing to rotate.
      actions.push({ type: 'create-role', reason: `role ${roleName} does not exist: it is created trusting Datadog's current external ID` });
    } else {
      actions.push(...trustActions(role, desired.principalArn, ours.externalId));
    }
  }
  if (role) {
    const policyDrift = permissionDrift(role, desired);
    if (policyDrift) actions.push({ type: 'update-role-policy', reason: policyDrift });
  }
  return sortActions(actions, config);
}

/**
 * v1 never shows Datadog's external ID: a single ID in the trust is taken as right, and only
 * the rest of the trust is checked; v2 tells the ID, so the trust is checked whole.
 */
function trustActions(role: ObservedRole, principalArn: string, knownExternalId: string | undefined): Action[] {
  const rewrite: Action = {
    type: 'update-role-trust',
    reason: `the trust policy must let only ${principalArn} assume the role, with the external ID`,
  };
  if (knownExternalId !== undefined) {
    return isExactTrust(role.trustPolicy, principalArn, knownExternalId) ? [] : [{ ...rewrite, reason: "the trust policy does not match Datadog's principal and external ID" }];
  }
  const ids = externalIdsIn(role.trustPolicy);
  if (ids.length !== 1) {
    return [
      {
        type: 'rotate-external-id',
        reason: ids.length === 0 ? 'the role trusts no external ID' : `the role names ${ids.length} external IDs, not one`,
      },
      { type: 'update-role-trust', reason: 'write the new external ID into the trust policy' },
    ];
  }
  return isExactTrust(role.trustPolicy, principalArn, ids[0]!) ? [] : [rewrite];
}

function permissionDrift(role: ObservedRole, desired: DesiredRole): string | undefined {
  const reasons = [
    ...actionDrift('standard', Object.values(pickOurs(role.inlinePolicies)), Object.values(desired.inlinePolicies)),
    ...actionDrift('resource-collection', Object.values(role.customerPolicies), Object.values(desired.customerPolicies)),
  ];
  const ourCustomer = Object.keys(role.customerPolicies);
  const customerMissing = Object.keys(desired.customerPolicies).filter((name) => !ourCustomer.includes(name));
  const customerExtra = ourCustomer.filter((name) => !(name in desired.customerPolicies));
  if (customerMissing.length > 0) reasons.push(`${customerMissing.join(', ')} not attached`);
  if (customerExtra.length > 0) reasons.push(`${customerExtra.join(', ')} attached but not needed`);
  const attachedMissing = desired.managedPolicyArns.filter((arn) => !role.attachedPolicyArns.includes(arn));
  const attachedExtra = role.attachedPolicyArns.filter((arn) => arn.endsWith(':policy/SecurityAudit') && !desired.managedPolicyArns.includes(arn));
  if (attachedMissing.length > 0) reasons.push(`${attachedMissing.map(policyTail).join(', ')} not attached`);
  if (attachedExtra.length > 0) reasons.push(`${attachedExtra.map(policyTail).join(', ')} attached but neither CSPM nor resource collection is on`);
  return reasons.length > 0 ? `role permissions differ: ${reasons.join('; ')}` : undefined;
}

const pickOurs = (policies: Readonly<Record<string, PolicyDocument | undefined>>) =>
  Object.fromEntries(Object.entries(policies).filter(([name]) => isOurPolicyName(name)));

/** Missing and extra actions of one list, in words. */
function actionDrift(list: string, actualDocuments: readonly (PolicyDocument | undefined)[], wantedDocuments: readonly PolicyDocument[]): string[] {
  const actual = allowedActions(actualDocuments);
  const wanted = allowedActions(wantedDocuments);
  const missing = wanted.filter((a) => !actual.includes(a));
  const extra = actual.filter((a) => !wanted.includes(a));
  const reasons: string[] = [];
  if (missing.length > 0) reasons.push(`${missing.length} of Datadog's ${list} permissions missing`);
  if (extra.length > 0) reasons.push(`${extra.length} ${list} permissions that Datadog's list does not have`);
  return reasons;
}

const policyTail = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

function offboardActions(
  observation: AccountObservation,
  config: Config,
  ours: Integration | undefined,
  why: string,
): { actions: Action[]; notes: string[] } {
  const actions: Action[] = [];
  const notes: string[] = [];
  if (ours) actions.push({ type: 'delete-integration', reason: why });
  const role = observation.role;
  if (config.role.deleteOnOffboard && role.kind === 'present') {
    if (role.role.tags[MANAGED_BY_TAG.key] === MANAGED_BY_TAG.value) {
      actions.push({ type: 'delete-role', reason: `${why}; role.deleteOnOffboard is on` });
    } else {
      notes.push(`role ${role.role.roleName} kept: it has no ${MANAGED_BY_TAG.key}=${MANAGED_BY_TAG.value} tag, so this product did not create it`);
    }
  }
  return { actions, notes };
}

const ORDER_V1: readonly ActionType[] = [
  'create-integration',
  'rotate-external-id',
  'update-integration',
  'create-role',
  'update-role-trust',
  'update-role-policy',
  'delete-integration',
  'delete-role',
  'none',
];

/** v2 mints the external ID before the integration exists: the role comes first, so Datadog never meets a missing role. */
const ORDER_V2: readonly ActionType[] = [
  'rotate-external-id',
  'update-integration',
  'create-role',
  'update-role-trust',
  'update-role-policy',
  'create-integration',
  'delete-integration',
  'delete-role',
  'none',
];

/** The order the external ID flows in, whatever order the rules found the actions in: v1 Datadog first (it issues the ID), v2 IAM first. */
function sortActions(actions: Action[], config: Config): Action[] {
  const order = config.datadog.apiVersion === 'v2' ? ORDER_V2 : ORDER_V1;
  return [...actions].sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
}
