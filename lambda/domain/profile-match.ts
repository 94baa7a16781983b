import type { OrgAccount } from './account';

/** Which accounts a profile applies to (profiles[].match). */
export interface ProfileMatch {
  readonly ous: readonly string[];
  readonly accounts: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * Does the profile apply to this account? The account is under one of its OUs (at any depth) or is
 * one of its accounts (either, when both are listed; no restriction when neither is), and carries
 * every one of its tags. Pure.
 */
export function profileMatches(match: ProfileMatch, account: Pick<OrgAccount, 'accountId' | 'parentPath' | 'tags'>): boolean {
  const placed =
    (match.ous.length === 0 && match.accounts.length === 0) ||
    match.accounts.includes(account.accountId) ||
    account.parentPath.some((id) => match.ous.includes(id));
  return placed && Object.entries(match.tags).every(([key, value]) => account.tags[key] === value);
}

/** The first profile that applies, in the order they are listed; undefined for the top-level settings. */
export function firstMatchingProfile<P extends { readonly match: ProfileMatch }>(
  profiles: readonly P[],
  account: Pick<OrgAccount, 'accountId' | 'parentPath' | 'tags'>,
): P | undefined {
  return profiles.find((profile) => profileMatches(profile.match, account));
}
