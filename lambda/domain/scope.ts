import type { ScopeConfig } from '../config/schema';
import type { OrgAccount } from './account';

/**
 * What becomes of an account: integrated, offboarded (our integration and role deleted), or
 * left alone (nothing of it touched). Each way out of scope has exactly one effect.
 */
export type ScopeEffect = 'integrate' | 'offboard' | 'leave-alone';

export interface ScopeDecision {
  readonly inScope: boolean;
  readonly effect: ScopeEffect;
  /** The account is a member of our organization (whatever its state). */
  readonly inOrganization: boolean;
  /** Why, and what follows, in words an operator reads in the plan. */
  readonly reason: string;
}

/** Is this account one that should be integrated? Pure; the first rule that excludes it wins. */
export function scopeOf(account: OrgAccount, scope: ScopeConfig): ScopeDecision {
  const inOrganization = account.state !== 'NOT_IN_ORGANIZATION';
  const offboard = (why: string): ScopeDecision => ({ inScope: false, effect: 'offboard', inOrganization, reason: `${why}: offboarded` });
  // Excluded by configuration: one setting says what that means.
  const excluded = (why: string): ScopeDecision =>
    scope.onExclusion === 'offboard'
      ? { inScope: false, effect: 'offboard', inOrganization, reason: `${why}: offboarded (scope.onExclusion is "offboard")` }
      : { inScope: false, effect: 'leave-alone', inOrganization, reason: `${why}: left alone (scope.onExclusion is "leave")` };
  if (!inOrganization) return offboard('the account is not in the organization');
  // A new state may mean anything (closing, moving): neither integrate nor delete on a guess.
  if (account.state === 'UNKNOWN') {
    return { inScope: false, effect: 'leave-alone', inOrganization, reason: "Organizations reports a state of the account that this product does not know: left alone" };
  }
  if (account.state !== 'ACTIVE') return offboard(`the account is ${account.state}`);
  if (account.isManagementAccount && !scope.includeManagementAccount) {
    return excluded('it is the management account (scope.includeManagementAccount is false)');
  }
  if (scope.excludeAccounts.includes(account.accountId)) return excluded('it is listed in scope.excludeAccounts');
  const optOut = scope.optOutTag;
  if (optOut && account.tags[optOut.key] === optOut.value) return offboard(`it is opted out by its tag ${optOut.key}=${optOut.value}`);
  const excludedOu = account.parentPath.find((id) => scope.excludeOus.includes(id));
  if (excludedOu) return excluded(`it is under ${excludedOu}, listed in scope.excludeOus`);
  if (scope.includeOus.length > 0 && !account.parentPath.some((id) => scope.includeOus.includes(id))) {
    return excluded('it is under none of scope.includeOus');
  }
  return { inScope: true, effect: 'integrate', inOrganization, reason: 'the account is active and in scope' };
}
