import type { Integration } from '../datadog/port';
import type { OrgAccount } from '../domain/account';
import type { Partition } from '../domain/partition';
import type { PolicyDocument } from '../domain/policy';

/** What is observed of one account: the input of the pure decision. */

export type { OrgAccount, OrgAccountState } from '../domain/account';

export interface ObservedRole {
  readonly roleName: string;
  readonly trustPolicy: PolicyDocument | undefined;
  readonly tags: Readonly<Record<string, string>>;
  /** Inline policies by name. */
  readonly inlinePolicies: Readonly<Record<string, PolicyDocument | undefined>>;
  readonly attachedPolicyArns: readonly string[];
  /** Our customer managed policies attached to the role, by name, with their default version's document. */
  readonly customerPolicies: Readonly<Record<string, PolicyDocument | undefined>>;
}

export type RoleObservation =
  | { readonly kind: 'present'; readonly role: ObservedRole }
  | { readonly kind: 'absent' }
  /** The member access role could not be assumed; retryable when the account is probably just too new. */
  | { readonly kind: 'unreachable'; readonly reason: string; readonly retryable: boolean }
  /** Not looked at: the account is not active, or nothing about the role could matter. */
  | { readonly kind: 'not-read'; readonly reason: string }
  /** Not looked at on purpose (an org-wide plan without --deep): plan the Datadog side, assume the role is right. */
  | { readonly kind: 'not-inspected' };

/** An account's integrations in one Datadog target other than its own (left there by a move). */
export interface TargetIntegrations {
  readonly target: string;
  readonly integrations: readonly Integration[];
}

/** Where the account reports: its profile (none: the top-level settings) and its Datadog target. */
export interface ObservedRoute {
  readonly profile?: string;
  readonly target: string;
}

export interface AccountObservation {
  readonly accountId: string;
  readonly partition: Partition;
  /** Our AWS organization's ID (o-...): the ownership marker names it. */
  readonly organizationId: string;
  readonly organization: OrgAccount;
  /** Datadog's integrations for this account ID in its own target, whatever their role name or auth. */
  readonly integrations: readonly Integration[];
  /** The account's profile and target; absent: the top-level settings and their target. */
  readonly route?: ObservedRoute;
  /** Its integrations in the other targets, where listed (several targets only). */
  readonly elsewhere?: readonly TargetIntegrations[];
  /** Other targets that could not be listed, and why: nothing there is deleted in this run. */
  readonly unlisted?: readonly { readonly target: string; readonly reason: string }[];
  readonly role: RoleObservation;
}
