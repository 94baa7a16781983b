import type { Config } from '../config/schema';
import type { Integration, PortCapabilities } from '../datadog/port';
import type { Partition } from '../domain/partition';
import { allowedActions, denyStatements, externalIdsIn, isExactTrust, type PolicyDocument } from '../domain/policy';
import type { AccountObservation, ObservedRole } from '../observe/model';
import { PINNED_PERMISSIONS, type DatadogPermissions } from '../domain/datadog-permissions';
import {
  MANAGED_BY_TAG,
  carriesOurMarker,
  isMarkerTag,
  isOurIntegration,
  isOurPolicyName,
  isTaggedOurs,
  markedOrganizations,
  mayDeleteIntegration,
  ownershipMarker,
  type Ownership,
} from '../domain/ownership';
import { desiredRole, type DesiredRole } from './desired-role';
import { expectedSettings } from './desired-settings';
import { permissionsToApply } from './permission-fallback';
import { settingsDrift } from './settings-drift';
import { withPayloads, type Action, type ActionType, type Intent } from './actions';
import { desiredSettings } from './desired-settings';
import { datadogPrincipalArn } from './datadog-principal';
import { scopeOf, type ScopeDecision } from '../domain/scope';

export type { Action, ActionType } from './actions';

export interface AccountPlan {
  readonly accountId: string;
  /** Where the actions write: the configured role's name and the account's partition. */
  readonly roleName: string;
  readonly partition: Partition;
  /** The profile whose settings apply (none: the top level's) and the Datadog target the actions write to. */
  readonly profile?: string;
  readonly target: string;
  readonly inScope: boolean;
  /** Why the account is in or out of scope. */
  readonly scope: string;
  /** In execution order; exactly [{ type: 'none' }] when nothing needs doing. */
  readonly actions: readonly Action[];
  /** Set when the plan cannot be made now (role unreachable): retry later, or fix what it says. */
  readonly blocked?: { readonly reason: string; readonly retryable: boolean };
  /** Things left alone on purpose, for the operator (other teams' integrations, roles we did not create). */
  readonly notes: readonly string[];
  /** Deletions the deletion guard held back in this run (not in `actions`). */
  readonly held?: readonly Action[];
}

const isDeletion = (action: Action) => action.type === 'delete-integration' || action.type === 'delete-role';

/** The plan without its deletions, which are kept in `held`: the deletion guard holds deletions, not the rest. */
export function holdDeletions(plan: AccountPlan, why: string): AccountPlan {
  const held = plan.actions.filter(isDeletion);
  if (held.length === 0) return plan;
  const kept = plan.actions.filter((a) => !isDeletion(a));
  return { ...plan, actions: kept.length > 0 ? kept : [{ type: 'none', reason: `deletion held: ${why}` }], held: [...(plan.held ?? []), ...held] };
}

/** Who this deployment is, for the ownership rule. */
export function ownershipOf(config: Config, organizationId: string): Ownership {
  return { roleName: config.role.name, markerKey: config.integration.ownershipTagKey, organizationId };
}

/**
 * The one decision function: observation + configuration -> actions. Pure: no I/O, no clock.
 * What the Datadog API can do (read external IDs back, mint one first, how it stores settings)
 * comes from the port's capabilities, never from the version's name.
 */
export function planAccount(
  observation: AccountObservation,
  config: Config,
  capabilities: PortCapabilities,
  permissions: DatadogPermissions = PINNED_PERMISSIONS,
): AccountPlan {
  const scope = scopeOf(observation.organization, config.scope);
  const ownership = ownershipOf(config, observation.organizationId);
  const ours = observation.integrations.find((i) => isOurIntegration(i, config.role.name));
  const notes = observation.integrations
    .filter((i) => !isOurIntegration(i, config.role.name))
    .map((i) =>
      i.auth.kind === 'role'
        ? `integration with role ${i.auth.roleName} left alone: not the configured role ${config.role.name}`
        : `integration with access key ${i.auth.accessKeyId} left alone: access-key integrations are not ours`,
    );
  const target = observation.route?.target ?? config.datadog.site;
  const base = {
    accountId: observation.accountId,
    roleName: config.role.name,
    partition: observation.partition,
    ...(observation.route?.profile !== undefined && { profile: observation.route.profile }),
    target,
    inScope: scope.inScope,
    scope: scope.reason,
  };
  const role = observation.role;
  const observedRole = role.kind === 'present' ? role.role : undefined;
  let desired: DesiredRole | undefined;
  const desiredOnce = () => (desired ??= desiredRole(config, observation.partition, permissionsToApply(permissions, observedRole)));
  const payloads = {
    settings: () => desiredSettings(config, observation.organization, observation.organizationId),
    role: desiredOnce,
    trust: () => ({
      principalArn: datadogPrincipalArn(config.datadog.site, observation.partition),
      externalId: currentExternalId(ours, observedRole),
      keep: denyStatements(observedRole?.trustPolicy),
    }),
  };
  const act = (intents: Intent[]) => withPayloads(intents, payloads);

  if (scope.effect === 'leave-alone') return { ...base, actions: [{ type: 'none', reason: scope.reason }], notes };
  const unlistedNotes = (observation.unlisted ?? []).map((u) => `Datadog target ${u.target} could not be listed (${u.reason}): nothing of ours there is removed in this run`);
  const leftovers = leftoverActions(observation, config, ownership, ours, scope.inScope ? `the account reports to ${target}${base.profile ? ` (profile ${base.profile})` : ''} now` : scope.reason);
  notes.push(...unlistedNotes, ...leftovers.notes);
  if (!scope.inScope) {
    const { actions, notes: offboardNotes, unproven } = offboardActions(observation, config, ours, scope, ownership);
    // An integration with our role name that nothing proves ours (another deployment's, say): the plan says it stays.
    const idle = unproven ? `left alone: nothing proves this deployment made its integration (${unproven})` : `nothing of ours to remove: ${scope.reason}`;
    return { ...base, actions: act(orNone(sortActions([...actions, ...leftovers.actions], capabilities), idle)), notes: [...notes, ...offboardNotes] };
  }

  if (role.kind === 'not-inspected') {
    const actions = sortActions([...shallowActions(observation, config, capabilities, ours), ...leftovers.actions], capabilities);
    return { ...base, actions: act(orNone(actions, 'the integration matches the configuration (role not inspected)')), notes };
  }
  if (role.kind === 'unreachable' || role.kind === 'not-read') {
    const retryable = role.kind === 'unreachable' && role.retryable;
    return { ...base, actions: [], blocked: { reason: role.reason, retryable }, notes };
  }
  const onboard = onboardActions(observation, config, capabilities, ours, observedRole, desiredOnce());
  const actions = sortActions([...onboard, ...leftovers.actions, ...trustBeforeLeftovers(onboard, leftovers.actions, capabilities, ours, observedRole)], capabilities);
  const permissionNotes = permissions.source === 'fallback' ? [`${permissions.reason ?? "Datadog's permission lists could not be read"}: permissions are only added, none removed`] : [];
  return { ...base, actions: act(orNone(actions, 'the integration and the role match the configuration')), notes: [...notes, ...permissionNotes] };
}

/** Without a new ID: the one Datadog told for our integration, else the single one the role trusts. */
function currentExternalId(ours: Integration | undefined, role: ObservedRole | undefined): string | undefined {
  if (ours?.externalId) return ours.externalId;
  const ids = role ? externalIdsIn(role.trustPolicy) : [];
  return ids.length === 1 ? ids[0] : undefined;
}

function orNone(actions: Intent[], reason: string): Intent[] {
  return actions.length > 0 ? actions : [{ type: 'none', reason }];
}

/** Without reading the role: create what is missing, repair Datadog settings; the role is left to the per-account run. */
function shallowActions(observation: AccountObservation, config: Config, capabilities: PortCapabilities, ours: Integration | undefined): Intent[] {
  if (!ours) {
    return [
      { type: 'create-integration', reason: `Datadog has no integration for this account with role ${config.role.name}` },
      { type: 'create-role', reason: `role ${config.role.name} is created, or its trust rewritten, with the new external ID` },
    ];
  }
  const settingsAction = integrationSettingsAction(observation, config, capabilities, ours);
  return settingsAction ? [settingsAction] : [];
}

/**
 * Our integration's settings: adopted when it lacks our marker (the write adds it, with our
 * settings), else updated when they drifted. They are compared as the port reads them back.
 */
function integrationSettingsAction(observation: AccountObservation, config: Config, capabilities: PortCapabilities, ours: Integration): Intent | undefined {
  const ownership = ownershipOf(config, observation.organizationId);
  const expected = expectedSettings(capabilities, config, observation.organization, observation.partition, observation.organizationId);
  if (carriesOurMarker(ours, ownership)) {
    const drift = settingsDrift(ours.settings, expected);
    return drift.length > 0 ? { type: 'update-integration', reason: `Datadog settings differ: ${drift.join(', ')}` } : undefined;
  }
  const marker = ownershipMarker(ownership);
  // What differs besides the marker.
  const marked = { ...ours.settings, hostTags: [...ours.settings.hostTags.filter((tag) => !isMarkerTag(tag, ownership.markerKey)), marker] };
  const drift = settingsDrift(marked, expected);
  const others = markedOrganizations(ours, ownership.markerKey);
  return {
    type: 'adopt-integration',
    reason:
      `adopt: the integration with role ${config.role.name} of this account of ${observation.organizationId} gets the tag ${marker}` +
      (others.length > 0 ? `, replacing the marker of ${others.join(', ')}` : '') +
      (drift.length > 0 ? `; Datadog settings differ: ${drift.join(', ')}` : ''),
  };
}

function onboardActions(
  observation: AccountObservation,
  config: Config,
  capabilities: PortCapabilities,
  ours: Integration | undefined,
  role: ObservedRole | undefined,
  desired: DesiredRole,
): Intent[] {
  const actions: Intent[] = [];
  const roleName = config.role.name;
  // Datadog's external ID, where the API read it back (capabilities.readsExternalIdBack) and the integration has one.
  const knownExternalId = ours?.externalId;

  if (!ours) {
    actions.push({ type: 'create-integration', reason: `Datadog has no integration for this account with role ${roleName}` });
    actions.push(
      role
        ? { type: 'update-role-trust', reason: `role ${roleName} exists: trust the new integration's external ID` }
        : { type: 'create-role', reason: `role ${roleName} does not exist` },
    );
  } else {
    const settingsAction = integrationSettingsAction(observation, config, capabilities, ours);
    if (settingsAction) actions.push(settingsAction);
    if (!role && knownExternalId === undefined) {
      actions.unshift({ type: 'rotate-external-id', reason: `role ${roleName} is missing: a new external ID is needed for it` });
      actions.push({ type: 'create-role', reason: `role ${roleName} does not exist` });
    } else if (!role) {
      // Datadog told the external ID: the role is recreated trusting it, nothing to rotate.
      actions.push({ type: 'create-role', reason: `role ${roleName} does not exist: it is created trusting Datadog's current external ID` });
    } else {
      actions.push(...trustActions(role, desired.principalArn, knownExternalId));
    }
  }
  if (role) {
    const policyDrift = permissionDrift(role, desired);
    if (policyDrift) actions.push({ type: 'update-role-policy', reason: policyDrift });
  }
  return actions;
}

/**
 * Where external IDs are not read back (v1), the role's one ID is taken as right; after a move
 * it may be the old target's. Before the old integration goes, the new one's ID is rotated and
 * written into the trust, unless this plan creates it (its ID flows into the trust anyway).
 */
function trustBeforeLeftovers(
  onboard: readonly Intent[],
  leftovers: readonly Intent[],
  capabilities: PortCapabilities,
  ours: Integration | undefined,
  role: ObservedRole | undefined,
): Intent[] {
  if (leftovers.length === 0 || capabilities.readsExternalIdBack || !ours || !role) return [];
  const has = (type: ActionType) => onboard.some((a) => a.type === type);
  const reason = 'the role may still trust the old target\'s external ID, and this API does not tell the new one: a new external ID is written into the trust before the old integration goes';
  return [
    ...(has('rotate-external-id') ? [] : [{ type: 'rotate-external-id' as const, reason }]),
    ...(has('update-role-trust') ? [] : [{ type: 'update-role-trust' as const, reason }]),
  ];
}

/**
 * Our integrations in the other Datadog targets: what a move (an OU move, a tag change, a
 * configuration change) left behind, and all of them when the account is offboarded. Another
 * Datadog organization may serve other AWS organizations, so only our marker proves one ours;
 * and one with the external ID of the account's own integration is the same one reached twice
 * (two targets that are one Datadog organization): never deleted.
 */
function leftoverActions(
  observation: AccountObservation,
  config: Config,
  ownership: Ownership,
  own: Integration | undefined,
  why: string,
): { actions: Intent[]; notes: string[] } {
  const actions: Intent[] = [];
  const notes: string[] = [];
  for (const { target, integrations } of observation.elsewhere ?? []) {
    for (const integration of integrations.filter((i) => isOurIntegration(i, config.role.name))) {
      if (!carriesOurMarker(integration, ownership)) {
        notes.push(`integration with role ${config.role.name} in Datadog target ${target} left alone: it does not carry our marker ${ownershipMarker(ownership)}`);
      } else if (own?.externalId !== undefined && own.externalId === integration.externalId) {
        notes.push(`integration in Datadog target ${target} left alone: it has the external ID of the one in ${observation.route?.target}, so both targets are one Datadog organization (make them one target)`);
      } else {
        actions.push({ type: 'delete-integration', target, reason: `${why}: our integration in Datadog target ${target} is removed (it carries our marker)` });
      }
    }
  }
  return { actions, notes };
}

/**
 * Without Datadog's external ID (v1 never shows it) a single ID in the trust is taken as right,
 * and only the rest of the trust is checked; with it (v2), the trust is checked whole.
 */
function trustActions(role: ObservedRole, principalArn: string, knownExternalId: string | undefined): Intent[] {
  const rewrite: Intent = {
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

/** Offboarding deletes only what the ownership rule lets this deployment delete; the rest is named in the notes. */
function offboardActions(
  observation: AccountObservation,
  config: Config,
  ours: Integration | undefined,
  scope: ScopeDecision,
  ownership: Ownership,
): { actions: Intent[]; notes: string[]; unproven?: string } {
  const why = scope.reason;
  const actions: Intent[] = [];
  const notes: string[] = [];
  let unproven: string | undefined;
  if (ours) {
    const verdict = mayDeleteIntegration(ours, scope.inOrganization, ownership);
    if (verdict.allowed) actions.push({ type: 'delete-integration', reason: `${why} (${verdict.proof})` });
    else {
      notes.push(`integration with ${verdict.why}: left alone`);
      unproven = verdict.why;
    }
  }
  const role = observation.role;
  // Only in our organization: an account outside it is not ours to reach into.
  if (config.role.deleteOnOffboard && role.kind === 'present' && scope.inOrganization) {
    if (isTaggedOurs(role.role.tags)) {
      actions.push({ type: 'delete-role', reason: `${why}; role.deleteOnOffboard is on` });
    } else {
      notes.push(`role ${role.role.roleName} kept: it has no ${MANAGED_BY_TAG.key}=${MANAGED_BY_TAG.value} tag, so this product did not create it`);
    }
  }
  return { actions, notes, ...(unproven !== undefined && { unproven }) };
}

/** The create issues the external ID (v1): Datadog first, then the role trusts what it answered. */
const ORDER_CREATE_ISSUES_ID: readonly ActionType[] = [
  'create-integration',
  'rotate-external-id',
  'adopt-integration',
  'update-integration',
  'create-role',
  'update-role-trust',
  'update-role-policy',
  'delete-integration',
  'delete-role',
  'none',
];

/** The external ID is minted before the integration exists (v2): the role comes first, so Datadog never meets a missing role. */
const ORDER_MINTED_FIRST: readonly ActionType[] = [
  'rotate-external-id',
  'adopt-integration',
  'update-integration',
  'create-role',
  'update-role-trust',
  'update-role-policy',
  'create-integration',
  'delete-integration',
  'delete-role',
  'none',
];

/**
 * The order the external ID flows in, whatever order the rules found the actions in. A move
 * creates first even where IDs are minted: the role keeps trusting the old target's integration
 * until the new one exists, so the account never trusts only what does not work yet.
 */
function sortActions(actions: Intent[], capabilities: PortCapabilities): Intent[] {
  const moving = actions.some((a) => a.target !== undefined);
  const order = capabilities.mintsExternalIdBeforeCreate && !moving ? ORDER_MINTED_FIRST : ORDER_CREATE_ISSUES_ID;
  return [...actions].sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
}
