import type { OrgAccount } from '../observe/model';
import { scopeOf } from './scope';
import { ACCOUNT_ID, OU_PROD, OU_SANDBOX, OU_WORKLOADS, ROOT_ID, makeConfig, orgAccount } from '../../test/support/plan-fixtures';

type Row = [name: string, account: Partial<OrgAccount>, scope: Record<string, unknown>, inScope: boolean, reason: RegExp];

const IN = /active and in scope/;

const OPT_OUT = { key: 'datadog-integration', value: 'opt-out' };

describe('scopeOf', () => {
  it.each<Row>([
    ['an ACTIVE account with the default scope', {}, {}, true, IN],
    // Account state
    ['PENDING_ACTIVATION', { state: 'PENDING_ACTIVATION' }, {}, false, /PENDING_ACTIVATION/],
    ['SUSPENDED', { state: 'SUSPENDED' }, {}, false, /SUSPENDED/],
    ['PENDING_CLOSURE', { state: 'PENDING_CLOSURE' }, {}, false, /PENDING_CLOSURE/],
    ['CLOSED', { state: 'CLOSED' }, {}, false, /CLOSED/],
    ['NOT_IN_ORGANIZATION', { state: 'NOT_IN_ORGANIZATION' }, {}, false, /not in the organization/],
    ['a CLOSED management account with includeManagementAccount', { state: 'CLOSED', isManagementAccount: true }, { includeManagementAccount: true }, false, /CLOSED/],
    // Management account
    ['the management account', { isManagementAccount: true }, {}, false, /management account.*includeManagementAccount/],
    ['the management account with includeManagementAccount', { isManagementAccount: true }, { includeManagementAccount: true }, true, IN],
    ['the management account with includeManagementAccount, but listed in excludeAccounts', { isManagementAccount: true },
      { includeManagementAccount: true, excludeAccounts: [ACCOUNT_ID] }, false, /excludeAccounts/],
    // excludeAccounts
    ['listed in excludeAccounts', {}, { excludeAccounts: ['111111111111', ACCOUNT_ID] }, false, /excludeAccounts/],
    ['another account listed in excludeAccounts', {}, { excludeAccounts: ['111111111111'] }, true, IN],
    // Opt-out tag: key and value must both match
    ['no opt-out tag configured (the default): a tagged account stays in', { tags: { 'datadog-integration': 'opt-out' } }, {}, true, IN],
    ['the configured opt-out tag', { tags: { 'datadog-integration': 'opt-out' } }, { optOutTag: OPT_OUT }, false, /opted out.*datadog-integration=opt-out/],
    ['the opt-out key with another value', { tags: { 'datadog-integration': 'opt-in' } }, { optOutTag: OPT_OUT }, true, IN],
    ['the opt-out key with the value in another case', { tags: { 'datadog-integration': 'Opt-Out' } }, { optOutTag: OPT_OUT }, true, IN],
    ['the opt-out key with an empty value', { tags: { 'datadog-integration': '' } }, { optOutTag: OPT_OUT }, true, IN],
    ['the opt-out value under another key', { tags: { other: 'opt-out' } }, {}, true, IN],
    ['a custom opt-out tag', { tags: { monitoring: 'off' } }, { optOutTag: { key: 'monitoring', value: 'off' } }, false, /monitoring=off/],
    ['another opt-out tag than the configured one', { tags: { 'datadog-integration': 'opt-out' } },
      { optOutTag: { key: 'monitoring', value: 'off' } }, true, IN],
    ['a custom opt-out tag with an empty value, the account tagged with it', { tags: { skip: '' } }, { optOutTag: { key: 'skip', value: '' } }, false, /skip=/],
    ['a custom opt-out tag with an empty value, the account not tagged', {}, { optOutTag: { key: 'skip', value: '' } }, true, IN],
    // includeOus: any ancestor, the root included
    ['includeOus naming the root', {}, { includeOus: [ROOT_ID] }, true, IN],
    ['includeOus naming a grandparent OU', {}, { includeOus: [OU_WORKLOADS] }, true, IN],
    ['includeOus naming the parent OU', {}, { includeOus: [OU_PROD] }, true, IN],
    ['includeOus naming another OU', {}, { includeOus: [OU_SANDBOX] }, false, /none of scope.includeOus/],
    ['includeOus naming another OU and the root', {}, { includeOus: [OU_SANDBOX, ROOT_ID] }, true, IN],
    ['includeOus, the account directly under the root', { parentPath: [ROOT_ID] }, { includeOus: [OU_WORKLOADS] }, false, /none of scope.includeOus/],
    ['no includeOus, the account directly under the root', { parentPath: [ROOT_ID] }, {}, true, IN],
    // excludeOus
    ['excludeOus naming the root', {}, { excludeOus: [ROOT_ID] }, false, new RegExp(`under ${ROOT_ID}.*excludeOus`)],
    ['excludeOus naming a grandparent OU', {}, { excludeOus: [OU_WORKLOADS] }, false, new RegExp(`under ${OU_WORKLOADS}`)],
    ['excludeOus naming the parent OU', {}, { excludeOus: [OU_PROD] }, false, new RegExp(`under ${OU_PROD}`)],
    ['excludeOus naming another OU', {}, { excludeOus: [OU_SANDBOX] }, true, IN],
    ['excluded OU inside an included one', {}, { includeOus: [OU_WORKLOADS], excludeOus: [OU_PROD] }, false, /excludeOus/],
    ['included OU inside an excluded one', {}, { includeOus: [OU_PROD], excludeOus: [OU_WORKLOADS] }, false, /excludeOus/],
    ['the same OU included and excluded', {}, { includeOus: [OU_PROD], excludeOus: [OU_PROD] }, false, /excludeOus/],
  ])('%s', (_name, account, scope, inScope, reason) => {
    const decision = scopeOf(orgAccount(account), makeConfig({ scope }).scope);
    expect(decision.inScope).toBe(inScope);
    expect(decision.reason).toMatch(reason);
  });

  it('is the same whatever the account tags that are not the opt-out tag', () => {
    const scope = makeConfig().scope;
    expect(scopeOf(orgAccount({ tags: {} }), scope)).toEqual(scopeOf(orgAccount({ tags: { a: 'b', c: 'd' } }), scope));
  });

  it('an account in a state this product does not know is left alone: neither integrated nor offboarded', () => {
    const decision = scopeOf(orgAccount({ state: 'UNKNOWN' }), makeConfig().scope);
    expect(decision).toMatchObject({ inScope: false, effect: 'leave-alone', inOrganization: true });
    expect(decision.reason).toContain('state');
  });
});
