import type { ScopeConfig } from '../config/schema';
import type { OrgAccount } from '../observe/model';

export interface ScopeDecision {
  readonly inScope: boolean;
  /** Why, in words an operator reads in the plan. */
  readonly reason: string;
}

/** Is this account one that should be integrated? Pure; the first rule that excludes it wins. */
export function scopeOf(account: OrgAccount, scope: ScopeConfig): ScopeDecision {
  const out = (reason: string): ScopeDecision => ({ inScope: false, reason });
  if (account.state === 'NOT_IN_ORGANIZATION') return out('the account is not in the organization');
  if (account.state !== 'ACTIVE') return out(`the account is ${account.state}`);
  if (account.isManagementAccount && !scope.includeManagementAccount) {
    return out('it is the management account (scope.includeManagementAccount is false)');
  }
  if (scope.excludeAccounts.includes(account.accountId)) return out('it is listed in scope.excludeAccounts');
  const optOut = scope.optOutTag;
  if (optOut && account.tags[optOut.key] === optOut.value) return out(`it is opted out by its tag ${optOut.key}=${optOut.value}`);
  const excludedOu = account.parentPath.find((id) => scope.excludeOus.includes(id));
  if (excludedOu) return out(`it is under ${excludedOu}, listed in scope.excludeOus`);
  if (scope.includeOus.length > 0 && !account.parentPath.some((id) => scope.includeOus.includes(id))) {
    return out('it is under none of scope.includeOus');
  }
  return { inScope: true, reason: 'the account is active and in scope' };
}
