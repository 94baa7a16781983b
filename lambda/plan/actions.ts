import type { IntegrationSettings } from '../datadog/port';
import type { PolicyStatement } from '../domain/policy';
import type { DesiredRole } from './desired-role';

/** The actions a plan is made of, each with what it writes: the executor only performs them. */

export type ActionType =
  | 'create-integration'
  | 'rotate-external-id'
  | 'adopt-integration'
  | 'update-integration'
  | 'create-role'
  | 'update-role-trust'
  | 'update-role-policy'
  | 'delete-integration'
  | 'delete-role'
  | 'none';

/** What the rules decide: an action and why, in words an operator reads in the plan. */
export interface Intent<T extends ActionType = ActionType> {
  readonly type: T;
  readonly reason: string;
  /** delete-integration only: in this Datadog target, not the account's own (what a move left behind). */
  readonly target?: string;
}

/**
 * The trust to write: only Datadog's principal, with the external ID this run obtains (create,
 * rotation or mint) or else `externalId` (Datadog's, or the one the role trusts), plus the Deny
 * statements the role has (they only restrict it).
 */
export interface TrustToWrite {
  readonly principalArn: string;
  readonly externalId?: string;
  readonly keep: readonly PolicyStatement[];
}

export type Action =
  | Intent<'none' | 'rotate-external-id' | 'delete-integration' | 'delete-role'>
  | (Intent<'create-integration' | 'adopt-integration' | 'update-integration'> & { readonly settings: IntegrationSettings })
  | (Intent<'create-role'> & { readonly role: DesiredRole; readonly trust: TrustToWrite })
  | (Intent<'update-role-trust'> & { readonly trust: TrustToWrite })
  | (Intent<'update-role-policy'> & { readonly role: DesiredRole });

/** What the payloads are made of; each is built only when an action needs it. */
export interface Payloads {
  readonly settings: () => IntegrationSettings;
  readonly role: () => DesiredRole;
  readonly trust: () => TrustToWrite;
}

/** Each intent with what it writes. */
export function withPayloads(intents: readonly Intent[], payloads: Payloads): Action[] {
  return intents.map((intent): Action => {
    const { type, reason } = intent;
    switch (type) {
      case 'create-integration':
      case 'adopt-integration':
      case 'update-integration':
        return { type, reason, settings: payloads.settings() };
      case 'create-role':
        return { type, reason, role: payloads.role(), trust: payloads.trust() };
      case 'update-role-trust':
        return { type, reason, trust: payloads.trust() };
      case 'update-role-policy':
        return { type, reason, role: payloads.role() };
      case 'delete-integration':
        return intent.target === undefined ? { type, reason } : { type, reason, target: intent.target };
      default:
        return { type, reason };
    }
  });
}
