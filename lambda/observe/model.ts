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

export interface AccountObservation {
  readonly accountId: string;
  readonly partition: Partition;
  /** Our AWS organization's ID (o-...): the ownership marker names it. */
  readonly organizationId: string;
  readonly organization: OrgAccount;
  /** Datadog's integrations for this account ID, whatever their role name or auth. */
  readonly integrations: readonly Integration[];
  readonly role: RoleObservation;
}
