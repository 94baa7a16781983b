import { firstMatchingProfile, profileMatches, type ProfileMatch } from './profile-match';

const account = { accountId: '111111111111', parentPath: ['r-ab12', 'ou-ab12-aaaaaaaa', 'ou-ab12-bbbbbbbb'], tags: { 'region-group': 'apac', env: 'prod' } };
const none: ProfileMatch = { ous: [], accounts: [], tags: {} };

describe('profileMatches', () => {
  it.each<[string, Partial<ProfileMatch>, boolean]>([
    ['an OU the account is directly under', { ous: ['ou-ab12-bbbbbbbb'] }, true],
    ['an OU higher up (any depth)', { ous: ['ou-ab12-aaaaaaaa'] }, true],
    ['the root', { ous: ['r-ab12'] }, true],
    ['another OU', { ous: ['ou-ab12-cccccccc'] }, false],
    ['the account listed', { accounts: ['111111111111'] }, true],
    ['another account listed', { accounts: ['222222222222'] }, false],
    ['another OU, but the account listed (either)', { ous: ['ou-ab12-cccccccc'], accounts: ['111111111111'] }, true],
    ['all tags carried', { tags: { 'region-group': 'apac', env: 'prod' } }, true],
    ['one tag with another value', { tags: { 'region-group': 'apac', env: 'dev' } }, false],
    ['a tag the account lacks', { tags: { team: 'x' } }, false],
    ['the OU and the tags (both must hold)', { ous: ['ou-ab12-aaaaaaaa'], tags: { env: 'prod' } }, true],
    ['the OU but not the tags', { ous: ['ou-ab12-aaaaaaaa'], tags: { env: 'dev' } }, false],
    ['the tags but not the OU', { ous: ['ou-ab12-cccccccc'], tags: { env: 'prod' } }, false],
  ])('%s: %p -> %p', (_, match, expected) => {
    expect(profileMatches({ ...none, ...match }, account)).toBe(expected);
  });

  it('an account no longer in the organization (no OU path) matches only by account ID', () => {
    const gone = { accountId: '111111111111', parentPath: [], tags: {} };
    expect(profileMatches({ ...none, ous: ['r-ab12'] }, gone)).toBe(false);
    expect(profileMatches({ ...none, accounts: ['111111111111'] }, gone)).toBe(true);
  });
});

describe('firstMatchingProfile', () => {
  const profiles: { name: string; match: ProfileMatch }[] = [
    { name: 'prod-apac', match: { ...none, ous: ['ou-ab12-aaaaaaaa'], tags: { env: 'prod' } } },
    { name: 'apac', match: { ...none, tags: { 'region-group': 'apac' } } },
  ];
  it('the first that matches wins, in the order listed', () => {
    expect(firstMatchingProfile(profiles, account)?.name).toBe('prod-apac');
    expect(firstMatchingProfile([...profiles].reverse(), account)?.name).toBe('apac');
  });
  it('none: the top-level settings', () => {
    expect(firstMatchingProfile(profiles, { ...account, tags: {} })).toBeUndefined();
  });
});
