import { capabilitiesOf } from '../datadog/capabilities';
import { mergeConfig } from '../config/environment';
import type { Config } from '../config/schema';
import type { Integration, IntegrationSettings } from '../datadog/port';
import { InputError } from '../domain/errors';
import type { Partition } from '../domain/partition';
import { datadogTrustPolicy, type PolicyDocument } from '../domain/policy';
import type { AccountObservation, OrgAccount, RoleObservation } from '../observe/model';
import { DATADOG_STANDARD_PERMISSIONS } from '../domain/datadog-permissions';
import { desiredRole } from './desired-role';
import { desiredSettings } from './desired-settings';
import { planAccount, type AccountPlan, type ActionType } from './plan-account';
import {
  ACCESS_KEY_ID,
  ACCOUNT_ID,
  AP1_PRINCIPAL,
  CANONICAL_ORDER,
  EXTERNAL_ID,
  OTHER_EXTERNAL_ID,
  MARKER,
  ORGANIZATION_ID,
  OTHER_ROLE_NAME,
  OU_PROD,
  OU_SANDBOX,
  OU_WORKLOADS,
  ROOT_ID,
  SECURITY_AUDIT,
  US1_PRINCIPAL,
  accessKeyIntegration,
  deepFreeze,
  desiredObservedRole,
  inSyncObservation,
  makeConfig as makeConfigOf,
  orgAccount,
  otherRoleIntegration,
  ourIntegration,
  reasonOf,
  trustDocument,
  trustStatement,
  typesOf,
  withIntegrations,
  withOurIntegration,
  withRole,
  withRoleObservation,
  withSettings,
  withTrust,
  withoutOurIntegration,
  standardOnly,
} from '../../test/support/plan-fixtures';

/** This suite plans under Datadog's v1 API; the v2 cases say v2 (mergeConfig lets theirs win). */
const makeConfig = (raw: Record<string, unknown> = {}): Config => makeConfigOf(mergeConfig({ datadog: { apiVersion: 'v1' } }, raw));
const config = makeConfig();
const synced = inSyncObservation({ config });
const ROLE = config.role.name;
const ourPolicy = (): PolicyDocument => {
  const policy = desiredRole(config, 'aws').inlinePolicies.DatadogIntegrationPolicy;
  if (!policy) throw new Error('the desired role has no DatadogIntegrationPolicy');
  return policy;
};
const policyWith = (actions: string[]): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }],
});

describe('planAccount: an account where everything matches', () => {
  it('gives exactly one "none" action, in scope, nothing blocked, no notes', () => {
    const plan = planAccount(synced, config, capabilitiesOf(config.datadog.apiVersion));
    expect(plan).toEqual({
      accountId: ACCOUNT_ID,
      roleName: config.role.name,
      partition: 'aws',
      target: 'datadoghq.com',
      inScope: true,
      scope: expect.any(String),
      actions: [{ type: 'none', reason: expect.any(String) }],
      notes: [],
    });
    expect(plan.blocked).toBeUndefined();
    expect(plan.actions[0]?.reason.length).toBeGreaterThan(0);
  });

  it.each<[string, Record<string, unknown>, Partition]>([
    ['cspm on', { integration: { cspm: true } }, 'aws'],
    ['resource collection on', { integration: { resourceCollection: true } }, 'aws'],
    ['no account-name tag', { integration: { accountNameTag: false } }, 'aws'],
    ['a custom account-name tag key', { integration: { accountNameTag: 'account' } }, 'aws'],
    ['host tags, filter tags, regions, namespace rules', {
      integration: {
        hostTags: ['env:prod', 'Owner:Platform'],
        filterTags: ['datadog:monitored'],
        excludedRegions: ['ap-south-1', 'eu-west-3'],
        namespaceRules: { auto_scaling: false, elb: true },
        metricsCollection: false,
      },
    }, 'aws'],
    ['account tags copied as host tags', { integration: { accountTagsAsHostTags: ['team', 'absent-tag'] } }, 'aws'],
    ['a custom role name', { role: { name: 'TeamDatadogRole' } }, 'aws'],
    ['deleteOnOffboard off', { role: { deleteOnOffboard: false } }, 'aws'],
    ['site ap1', { datadog: { site: 'ap1.datadoghq.com' } }, 'aws'],
    ['GovCloud on ddog-gov.com', { datadog: { site: 'ddog-gov.com' } }, 'aws-us-gov'],
    ['GovCloud on us2.ddog-gov.com with cspm', { datadog: { site: 'us2.ddog-gov.com' }, integration: { cspm: true } }, 'aws-us-gov'],
    ['commercial account on ddog-gov.com', { datadog: { site: 'ddog-gov.com' } }, 'aws'],
  ])('stays "none" with %s', (_name, raw, partition) => {
    const custom = makeConfig(raw);
    expect(typesOf(planAccount(inSyncObservation({ config: custom, partition }), custom, capabilitiesOf(custom.datadog.apiVersion)))).toEqual(['none']);
  });
});

describe('planAccount: a new in-scope account (no integration with the configured role name)', () => {
  const fresh = withoutOurIntegration(synced, config);
  const foreign = [otherRoleIntegration(desiredSettings(config, synced.organization, ORGANIZATION_ID)), accessKeyIntegration(desiredSettings(config, synced.organization, ORGANIZATION_ID))];

  it.each<[string, AccountObservation, ActionType[]]>([
    ['role absent', withRoleObservation(fresh, { kind: 'absent' }), ['create-integration', 'create-role']],
    ['role already there, as desired', fresh, ['create-integration', 'update-role-trust']],
    ['role already there, untagged', withRole(fresh, { tags: {} }), ['create-integration', 'update-role-trust']],
    ['role already there, trusting no external ID (no rotation: create issues one)', withTrust(fresh, trustDocument(trustStatement(US1_PRINCIPAL))), ['create-integration', 'update-role-trust']],
    ['role already there, missing permissions', withRole(fresh, { inlinePolicies: {} }), ['create-integration', 'update-role-trust', 'update-role-policy']],
    ['role absent, other-role and access-key integrations present', withIntegrations(withRoleObservation(fresh, { kind: 'absent' }), foreign), ['create-integration', 'create-role']],
  ])('%s', (_name, observation, expected) => {
    const plan = planAccount(observation, config, capabilitiesOf(config.datadog.apiVersion));
    expect(typesOf(plan)).toEqual(expected);
    expect(reasonOf(plan, 'create-integration')).toContain(ROLE);
    expect(plan.blocked).toBeUndefined();
  });

  it('an integration with another role name does not count: the configured role name is what is created', () => {
    const custom = makeConfig({ role: { name: 'TeamDatadogRole' } });
    const observation = withRoleObservation(
      withIntegrations(synced, [ourIntegration(config)]), // role DatadogIntegrationRole: not ours under this config
      { kind: 'absent' },
    );
    const plan = planAccount(observation, custom, capabilitiesOf(custom.datadog.apiVersion));
    expect(typesOf(plan)).toEqual(['create-integration', 'create-role']);
    expect(reasonOf(plan, 'create-integration')).toContain('TeamDatadogRole');
    expect(reasonOf(plan, 'create-role')).toContain('TeamDatadogRole');
    expect(plan.notes).toEqual([expect.stringContaining('DatadogIntegrationRole')]);
  });
});

describe('planAccount: the integration exists but the role is missing', () => {
  const noRole = withRoleObservation(synced, { kind: 'absent' });

  it.each<[string, AccountObservation, ActionType[]]>([
    ['v1 (no known external ID)', noRole, ['rotate-external-id', 'create-role']],
    ['and the settings drifted', withSettings(noRole, config, { metricsCollection: false }), ['rotate-external-id', 'update-integration', 'create-role']],
  ])('%s: rotate, then create the role', (_name, observation, expected) => {
    const plan = planAccount(observation, config, capabilitiesOf(config.datadog.apiVersion));
    expect(typesOf(plan)).toEqual(expected);
    expect(reasonOf(plan, 'rotate-external-id')).toContain(ROLE);
    expect(reasonOf(plan, 'create-role')).toContain(ROLE);
  });
});

describe('planAccount with datadog.apiVersion v2', () => {
  const v2 = makeConfig({ datadog: { apiVersion: 'v2' } });
  const v2Synced = inSyncObservation({ config: v2 });
  const known = withOurIntegration(v2Synced, v2, { externalId: EXTERNAL_ID });

  it.each<[string, AccountObservation, ActionType[]]>([
    ['in sync, external ID known and trusted', known, ['none']],
    ['new account: the role first (trusting a minted ID), then the integration', withRoleObservation(withoutOurIntegration(v2Synced, v2), { kind: 'absent' }), ['create-role', 'create-integration']],
    ['role exists, integration missing: trust first, then the integration', withoutOurIntegration(v2Synced, v2), ['update-role-trust', 'create-integration']],
    ['integration exists, role missing, ID known: the role is recreated trusting it, nothing rotated', withRoleObservation(known, { kind: 'absent' }), ['create-role']],
    ['integration exists without an ID, role missing: rotate as in v1', withRoleObservation(v2Synced, { kind: 'absent' }), ['rotate-external-id', 'create-role']],
    ["the role trusts another single ID than Datadog's: v1 cannot see it, v2 rewrites the trust", withTrust(known, trustDocument(trustStatement(US1_PRINCIPAL, OTHER_EXTERNAL_ID))), ['update-role-trust']],
  ])('%s', (_name, observation, expected) => {
    expect(typesOf(planAccount(observation, v2, capabilitiesOf(v2.datadog.apiVersion)))).toEqual(expected);
  });

  it('the same hand-edited external ID is invisible to v1 (the single ID in the trust is taken as right)', () => {
    const edited = withTrust(synced, trustDocument(trustStatement(US1_PRINCIPAL, OTHER_EXTERNAL_ID)));
    expect(typesOf(planAccount(edited, config, capabilitiesOf(config.datadog.apiVersion)))).toEqual(['none']);
  });

  it.each<[string, Partial<IntegrationSettings>, Record<string, unknown>]>([
    ["Datadog's default exclusions read back for no rules: in sync", {}, {}],
    ['a rule set to false is one more exclusion', { namespaceRules: { 'AWS/ElasticMapReduce': false, 'AWS/SQS': false, 'AWS/Usage': false, 'AWS/Lambda': false } }, { namespaceRules: { 'AWS/Lambda': false } }],
    ['a true rule lifts a default exclusion', { namespaceRules: { 'AWS/ElasticMapReduce': false, 'AWS/SQS': true, 'AWS/Usage': false } }, { namespaceRules: { 'AWS/SQS': true } }],
    ['excluded regions read back as the known regions outside include_only', { excludedRegions: ['eu-west-1'] }, { excludedRegions: ['eu-west-1'] }],
  ])('settings compared in v2 terms, no endless drift: %s', (_name, actual, configured) => {
    const custom = makeConfig({ datadog: { apiVersion: 'v2' }, integration: configured });
    const observation = withSettings(inSyncObservation({ config: custom }), custom, actual);
    expect(typesOf(planAccount(observation, custom, capabilitiesOf(custom.datadog.apiVersion)))).toEqual(['none']);
  });

  it.each<[string, Partial<IntegrationSettings>, string]>([
    ['someone set include_only', { namespaceRules: { 'AWS/EC2': true } }, 'account_specific_namespace_rules'],
    ['a default exclusion was lifted by hand', { namespaceRules: { 'AWS/ElasticMapReduce': false, 'AWS/SQS': true, 'AWS/Usage': false } }, 'account_specific_namespace_rules'],
    ['all regions collected, one should be excluded', { excludedRegions: [] }, 'excluded_regions'],
  ])('drift in v2 terms: %s', (_name, actual, field) => {
    const custom = makeConfig({ datadog: { apiVersion: 'v2' }, integration: { excludedRegions: ['eu-west-1'] } });
    const observation = withSettings(inSyncObservation({ config: custom }), custom, actual);
    const plan = planAccount(observation, custom, capabilitiesOf(custom.datadog.apiVersion));
    expect(typesOf(plan)).toEqual(['update-integration']);
    expect(reasonOf(plan, 'update-integration')).toContain(field);
  });
});

describe("planAccount: the role's trust policy (v1: Datadog's external ID is unknown)", () => {
  const ROTATE_AND_TRUST: ActionType[] = ['rotate-external-id', 'update-role-trust'];
  const TRUST_ONLY: ActionType[] = ['update-role-trust'];
  const dd = (externalId?: string | string[]) => trustStatement(US1_PRINCIPAL, externalId);

  it.each<[string, PolicyDocument | undefined, ActionType[]]>([
    ['exactly the desired trust', datadogTrustPolicy(US1_PRINCIPAL, EXTERNAL_ID), ['none']],
    ['the principal as a bare account ID', trustDocument(trustStatement('464622532012', EXTERNAL_ID)), ['none']],
    ['the principal in a list', trustDocument(trustStatement([US1_PRINCIPAL], EXTERNAL_ID)), ['none']],
    ['the external ID as a one-element array', trustDocument(dd([EXTERNAL_ID])), ['none']],
    ['Action as a one-element array', trustDocument({ ...dd(EXTERNAL_ID), Action: ['sts:AssumeRole'] }), ['none']],
    // The trust is ours: anything beyond the one statement we write is rewritten (no rotation: the ID is kept).
    ['Action granting more than sts:AssumeRole', trustDocument({ ...dd(EXTERNAL_ID), Action: ['sts:AssumeRole', 'sts:TagSession'] }), TRUST_ONLY],
    ['the same external ID in two statements', trustDocument(dd(EXTERNAL_ID), dd(EXTERNAL_ID)), TRUST_ONLY],
    ['an extra Deny without condition (ignored)', trustDocument(dd(EXTERNAL_ID), { ...dd(), Effect: 'Deny' }), ['none']],
    ['no trust policy readable', undefined, ROTATE_AND_TRUST],
    ['no statements', trustDocument(), ROTATE_AND_TRUST],
    ['no sts:ExternalId condition', trustDocument(dd()), ROTATE_AND_TRUST],
    ['a condition on something else only', trustDocument({ ...dd(), Condition: { Bool: { 'aws:SecureTransport': 'true' } } }), ROTATE_AND_TRUST],
    ['two external IDs in one statement', trustDocument(dd([EXTERNAL_ID, OTHER_EXTERNAL_ID])), ROTATE_AND_TRUST],
    ['two external IDs in two statements', trustDocument(dd(EXTERNAL_ID), dd(OTHER_EXTERNAL_ID)), ROTATE_AND_TRUST],
    ['one external ID, and a second statement letting Datadog in without one', trustDocument(dd(EXTERNAL_ID), dd()), TRUST_ONLY],
    ['one external ID, and the same statement listed again without it (bare ID)', trustDocument(dd(EXTERNAL_ID), trustStatement('464622532012')), TRUST_ONLY],
  ])('%s', (_name, trust, expected) => {
    const plan = planAccount(withTrust(synced, trust), config, capabilitiesOf(config.datadog.apiVersion));
    expect(typesOf(plan)).toEqual(expected);
  });

  it('reasons: rotation says why; a trust-only repair names the principal', () => {
    expect(reasonOf(planAccount(withTrust(synced, trustDocument(dd())), config, capabilitiesOf(config.datadog.apiVersion)), 'rotate-external-id')).toMatch(/no .*external ID/);
    expect(reasonOf(planAccount(withTrust(synced, trustDocument(dd([EXTERNAL_ID, OTHER_EXTERNAL_ID]))), config, capabilitiesOf(config.datadog.apiVersion)), 'rotate-external-id')).toContain('2 external IDs');
    expect(reasonOf(planAccount(withTrust(synced, trustDocument(dd(EXTERNAL_ID), dd())), config, capabilitiesOf(config.datadog.apiVersion)), 'update-role-trust')).toContain(US1_PRINCIPAL);
  });

  // Regression: a single external ID under a wrong principal once looked like "no ID" and planned a needless rotation.
  it.each<[string, PolicyDocument]>([
    ['the principal of another Datadog site (ap1)', trustDocument(trustStatement(AP1_PRINCIPAL, EXTERNAL_ID))],
    ['the principal of an unrelated account', trustDocument(trustStatement('arn:aws:iam::111122223333:root', EXTERNAL_ID))],
    ['the right account ID in the wrong partition', trustDocument(trustStatement('arn:aws-us-gov:iam::464622532012:root', EXTERNAL_ID))],
  ])('one external ID but %s: update-role-trust only, no rotation', (_name, trust) => {
    expect(typesOf(planAccount(withTrust(synced, trust), config, capabilitiesOf(config.datadog.apiVersion)))).toEqual(['update-role-trust']);
  });

  // Regression: Principal "*" (or {AWS:"*"}) once went unseen, hiding a statement that let anyone in without an external ID.
  it.each<[string, PolicyDocument]>([
    ['Principal "*"', trustDocument(dd(EXTERNAL_ID), trustStatement('*'))],
    ['Principal {AWS: "*"}', trustDocument(dd(EXTERNAL_ID), { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' })],
  ])('one external ID, and %s without one: update-role-trust', (_name, trust) => {
    expect(typesOf(planAccount(withTrust(synced, trust), config, capabilitiesOf(config.datadog.apiVersion)))).toEqual(['update-role-trust']);
  });
});

describe("planAccount: the role's trust policy (v2: Datadog's external ID is known)", () => {
  const known = withOurIntegration(synced, config, { externalId: EXTERNAL_ID });

  it.each<[string, PolicyDocument | undefined, ActionType[]]>([
    ['the trust names the known ID', datadogTrustPolicy(US1_PRINCIPAL, EXTERNAL_ID), ['none']],
    ['the trust names one other ID', datadogTrustPolicy(US1_PRINCIPAL, OTHER_EXTERNAL_ID), ['update-role-trust']],
    ['the trust names the known ID for the wrong principal', datadogTrustPolicy(AP1_PRINCIPAL, EXTERNAL_ID), ['update-role-trust']],
    ['the trust also lets Datadog in without an ID', trustDocument(trustStatement(US1_PRINCIPAL, EXTERNAL_ID), trustStatement(US1_PRINCIPAL)), ['update-role-trust']],
  ])('%s', (_name, trust, expected) => {
    expect(typesOf(planAccount(withTrust(known, trust), config, capabilitiesOf(config.datadog.apiVersion)))).toEqual(expected);
  });
});

describe('planAccount: Datadog settings drift', () => {
  type Row = [string, Partial<IntegrationSettings>, string[]];
  const desired = desiredSettings(config, synced.organization, ORGANIZATION_ID);
  const ALL_FIELDS = [
    'host_tags',
    'filter_tags',
    'excluded_regions',
    'account_specific_namespace_rules',
    'metrics_collection_enabled',
    'cspm_resource_collection_enabled',
    'extended_resource_collection_enabled',
  ];

  it.each<Row>([
    ['host tags missing (but our marker)', { hostTags: [MARKER] }, ['host_tags']],
    ['a host tag added', { hostTags: [...desired.hostTags, 'env:dev'] }, ['host_tags']],
    ['the account-name tag with another value', { hostTags: ['aws_account_name:old_name', MARKER] }, ['host_tags']],
    ['host tags in upper case', { hostTags: desired.hostTags.map((t) => t.toUpperCase()) }, []],
    ['host tags repeated', { hostTags: [...desired.hostTags, ...desired.hostTags] }, []],
    ['filter tags added', { filterTags: ['env:prod'] }, ['filter_tags']],
    ['excluded regions added', { excludedRegions: ['us-east-1'] }, ['excluded_regions']],
    ['a namespace rule added', { namespaceRules: { auto_scaling: false } }, ['account_specific_namespace_rules']],
    ['metrics collection off', { metricsCollection: false }, ['metrics_collection_enabled']],
    ['CSPM on', { cspmResourceCollection: true }, ['cspm_resource_collection_enabled']],
    ['extended resource collection on', { extendedResourceCollection: true }, ['extended_resource_collection_enabled']],
    ['filter tags and metrics', { filterTags: ['a:b'], metricsCollection: false }, ['filter_tags', 'metrics_collection_enabled']],
  ])('%s', (_name, changes, fields) => {
    const plan = planAccount(withSettings(synced, config, changes), config, capabilitiesOf(config.datadog.apiVersion));
    if (fields.length === 0) {
      expect(typesOf(plan)).toEqual(['none']);
      return;
    }
    expect(typesOf(plan)).toEqual(['update-integration']);
    const reason = reasonOf(plan, 'update-integration');
    for (const field of ALL_FIELDS) {
      if (fields.includes(field)) expect(reason).toContain(field);
      else expect(reason).not.toContain(field);
    }
  });

  const base = makeConfig();
  const withConfig = (raw: Record<string, unknown>, partialSettings: Partial<IntegrationSettings> = {}) => {
    // The role matches the new configuration; the integration still has the old (default) settings.
    const custom = makeConfig(raw);
    const observation = withIntegrations(inSyncObservation({ config: custom }), [
      { ...ourIntegration(base), settings: { ...desiredSettings(base, orgAccount(), ORGANIZATION_ID), ...partialSettings } },
    ]);
    return typesAndReason(planAccount(observation, custom, capabilitiesOf(custom.datadog.apiVersion)));
  };
  const typesAndReason = (plan: AccountPlan) => ({
    types: typesOf(plan),
    reason: plan.actions.find((a) => a.type === 'update-integration')?.reason ?? '',
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ['hostTags configured', { integration: { hostTags: ['env:prod'] } }, ['host_tags']],
    ['accountNameTag false', { integration: { accountNameTag: false } }, ['host_tags']],
    ['accountNameTag renamed', { integration: { accountNameTag: 'account' } }, ['host_tags']],
    ['accountTagsAsHostTags naming a tag the account has', { integration: { accountTagsAsHostTags: ['team'] } }, ['host_tags']],
    ['accountTagsAsHostTags naming a tag the account lacks', { integration: { accountTagsAsHostTags: ['cost-center'] } }, []],
    ['filterTags configured', { integration: { filterTags: ['datadog:monitored'] } }, ['filter_tags']],
    ['excludedRegions configured', { integration: { excludedRegions: ['eu-west-1'] } }, ['excluded_regions']],
    ['namespaceRules configured', { integration: { namespaceRules: { elb: false } } }, ['account_specific_namespace_rules']],
    ['metricsCollection off', { integration: { metricsCollection: false } }, ['metrics_collection_enabled']],
    ['cspm on (implies extended resource collection)', { integration: { cspm: true } }, ['cspm_resource_collection_enabled', 'extended_resource_collection_enabled']],
    ['resourceCollection on', { integration: { resourceCollection: true } }, ['extended_resource_collection_enabled']],
  ])('configuration changed: %s', (_name, raw, fields) => {
    const { types, reason } = withConfig(raw);
    expect(types).toEqual(fields.length === 0 ? ['none'] : ['update-integration']);
    for (const field of fields) expect(reason).toContain(field);
  });

  it('regions and tags compare case-insensitively against the configuration', () => {
    const raw = { integration: { excludedRegions: ['eu-west-1'], hostTags: ['env:prod'], filterTags: ['env:prod'] } };
    const custom = makeConfig(raw);
    const desiredCustom = desiredSettings(custom, orgAccount(), ORGANIZATION_ID);
    const { types } = withConfig(raw, {
      excludedRegions: ['EU-WEST-1'],
      hostTags: desiredCustom.hostTags.map((t) => t.toUpperCase()),
      filterTags: ['ENV:PROD'],
    });
    expect(types).toEqual(['none']);
  });
});

describe('desiredSettings', () => {
  it.each<[string, Record<string, unknown>, Partial<OrgAccount>, string[]]>([
    ['the normalized account name by default', {}, { name: 'Payments Prod' }, ['aws_account_name:payments_prod']],
    ['no account-name tag when accountNameTag is false', { integration: { accountNameTag: false } }, { name: 'Payments Prod' }, []],
    ['a custom account-name tag key', { integration: { accountNameTag: 'account' } }, { name: 'Payments Prod' }, ['account:payments_prod']],
    ['no account-name tag when the account has no name', {}, { name: undefined }, []],
    ['configured host tags first', { integration: { hostTags: ['env:prod'] } }, { name: 'A' }, ['env:prod', 'aws_account_name:a']],
    ['Organizations tags copied, normalized', { integration: { accountNameTag: false, accountTagsAsHostTags: ['Cost Center', 'team'] } },
      { tags: { 'Cost Center': 'R&D 42', team: 'Payments' } }, ['cost_center:r_d_42', 'team:payments']],
    ['an empty or absent account tag is skipped', { integration: { accountNameTag: false, accountTagsAsHostTags: ['empty', 'absent'] } },
      { tags: { empty: '' } }, []],
    ['a derived tag equal to a configured one appears once', { integration: { hostTags: ['aws_account_name:a'] } }, { name: 'A' }, ['aws_account_name:a']],
  ])('%s', (_name, raw, account, hostTags) => {
    // Our ownership marker always comes last.
    expect(desiredSettings(makeConfig(raw), orgAccount(account), ORGANIZATION_ID).hostTags).toEqual([...hostTags, `datadog-aws-org-integration:${ORGANIZATION_ID}`]);
  });

  it.each<[boolean, boolean, boolean, boolean]>([
    [false, false, false, false],
    [true, false, true, true],
    [false, true, false, true],
    [true, true, true, true],
  ])('cspm=%s resourceCollection=%s -> cspmResourceCollection=%s extendedResourceCollection=%s', (cspm, resourceCollection, c, e) => {
    const settings = desiredSettings(makeConfig({ integration: { cspm, resourceCollection } }), orgAccount(), ORGANIZATION_ID);
    expect(settings.cspmResourceCollection).toBe(c);
    expect(settings.extendedResourceCollection).toBe(e);
  });

  it('copies the rest of the integration configuration', () => {
    const settings = desiredSettings(
      makeConfig({ integration: { filterTags: ['a:b'], excludedRegions: ['us-west-1'], namespaceRules: { elb: false }, metricsCollection: false } }),
      orgAccount(),
      ORGANIZATION_ID,
    );
    expect(settings).toMatchObject({ filterTags: ['a:b'], excludedRegions: ['us-west-1'], namespaceRules: { elb: false }, metricsCollection: false });
  });
});

describe('planAccount: role permission drift', () => {
  const [first, ...rest] = [...DATADOG_STANDARD_PERMISSIONS].sort();
  const half = Math.floor(rest.length / 2);

  it.each<[string, AccountObservation, string | undefined]>([
    ['one of Datadog\'s actions missing', withRole(synced, { inlinePolicies: { DatadogIntegrationPolicy: policyWith(rest) } }), "1 of Datadog's standard permissions missing"],
    ['an action added', withRole(synced, { inlinePolicies: { DatadogIntegrationPolicy: policyWith([...DATADOG_STANDARD_PERMISSIONS, 'iam:PassRole']) } }),
      "1 standard permissions that Datadog's list does not have"],
    ['our policy absent', withRole(synced, { inlinePolicies: {} }), "110 of Datadog's standard permissions missing"],
    ['our policy unreadable', withRole(synced, { inlinePolicies: { DatadogIntegrationPolicy: undefined } }), "110 of Datadog's standard permissions missing"],
    ['Datadog\'s actions granted by a Deny only', withRole(synced, {
      inlinePolicies: { DatadogIntegrationPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: [...DATADOG_STANDARD_PERMISSIONS], Resource: '*' }] } },
    }), "110 of Datadog's standard permissions missing"],
    ['SecurityAudit attached while cspm and resource collection are off', withRole(synced, { attachedPolicyArns: [SECURITY_AUDIT] }), 'SecurityAudit attached'],
    ['the same actions split over DatadogIntegrationPolicy1 and 2', withRole(synced, {
      inlinePolicies: { DatadogIntegrationPolicy1: policyWith([first as string, ...rest.slice(0, half)]), DatadogIntegrationPolicy2: policyWith(rest.slice(half)) },
    }), undefined],
    ['DatadogIntegrationPolicy plus DatadogIntegrationPolicy7 with one action', withRole(synced, {
      inlinePolicies: { DatadogIntegrationPolicy: policyWith(rest), DatadogIntegrationPolicy7: policyWith([first as string]) },
    }), undefined],
    ['an extra action in DatadogIntegrationPolicy2', withRole(synced, {
      inlinePolicies: { ...desiredObservedRole(config).inlinePolicies, DatadogIntegrationPolicy2: policyWith(['s3:GetObject']) },
    }), "1 standard permissions that Datadog's list does not have"],
    ['another team\'s inline policy with anything in it', withRole(synced, {
      inlinePolicies: { DatadogIntegrationPolicy: ourPolicy(), Admin: policyWith(['*']), Unread: undefined },
    }), undefined],
    ['inline policies whose names only look like ours', withRole(synced, {
      inlinePolicies: { DatadogIntegrationPolicy: ourPolicy(), DatadogIntegrationPolicyLegacy: policyWith(['*']), MyDatadogIntegrationPolicy: policyWith(['*']), datadogintegrationpolicy2: policyWith(['*']) },
    }), undefined],
    ['another managed policy attached', withRole(synced, { attachedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess', 'arn:aws:iam::123456789012:policy/SecurityAuditLite'] }), undefined],
  ])('%s', (_name, observation, reasonPart) => {
    const plan = planAccount(observation, config, capabilitiesOf(config.datadog.apiVersion));
    if (reasonPart === undefined) {
      expect(typesOf(plan)).toEqual(['none']);
      return;
    }
    expect(typesOf(plan)).toEqual(['update-role-policy']);
    expect(reasonOf(plan, 'update-role-policy')).toContain(reasonPart);
  });

  it.each<[string, Record<string, unknown>, string[], ActionType[]]>([
    ['cspm on, SecurityAudit attached', { integration: { cspm: true } }, [SECURITY_AUDIT], ['none']],
    ['cspm on, SecurityAudit not attached', { integration: { cspm: true } }, [], ['update-role-policy']],
    ['resourceCollection on, SecurityAudit not attached', { integration: { resourceCollection: true } }, [], ['update-role-policy']],
    ['cspm on, only the GovCloud SecurityAudit attached', { integration: { cspm: true } }, ['arn:aws-us-gov:iam::aws:policy/SecurityAudit'], ['update-role-policy']],
    ['both off, SecurityAudit attached', {}, [SECURITY_AUDIT], ['update-role-policy']],
    ['both off, nothing attached', {}, [], ['none']],
  ])('%s', (_name, raw, attached, expected) => {
    const custom = makeConfig(raw);
    const plan = planAccount(withRole(inSyncObservation({ config: custom }), { attachedPolicyArns: attached }), custom, capabilitiesOf(custom.datadog.apiVersion));
    expect(typesOf(plan)).toEqual(expected);
    if (expected[0] === 'update-role-policy') expect(reasonOf(plan, 'update-role-policy')).toContain('SecurityAudit');
  });
});

/** Every reason an account is out of scope: the organization changes and the configuration that cause it. */
type OutOfScopeRow = [string, Partial<OrgAccount>, Record<string, unknown>];

/** Merges two raw configurations, section by section. */
function mergeRaw(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [key, value] of Object.entries(b)) out[key] = { ...(a[key] as object | undefined), ...(value as object) };
  return out;
}

/** Closed, suspended, removed, opted out: always offboarded. */
const OFFBOARDED: readonly OutOfScopeRow[] = [
  ['SUSPENDED', { state: 'SUSPENDED' }, {}],
  ['PENDING_CLOSURE', { state: 'PENDING_CLOSURE' }, {}],
  ['CLOSED', { state: 'CLOSED' }, {}],
  ['PENDING_ACTIVATION', { state: 'PENDING_ACTIVATION' }, {}],
  ['opted out by tag', { tags: { 'datadog-integration': 'opt-out' } }, { scope: { optOutTag: { key: 'datadog-integration', value: 'opt-out' } } }],
  ['opted out by a custom tag', { tags: { monitoring: 'none' } }, { scope: { optOutTag: { key: 'monitoring', value: 'none' } } }],
];

/** Excluded by configuration: left alone, unless scope.onExclusion is "offboard". */
const EXCLUDED: readonly OutOfScopeRow[] = [
  ['the management account', { isManagementAccount: true }, {}],
  ['listed in excludeAccounts', {}, { scope: { excludeAccounts: [ACCOUNT_ID] } }],
  ['under an excluded OU', {}, { scope: { excludeOus: [OU_PROD] } }],
  ['under an excluded OU inside an included one', {}, { scope: { includeOus: [OU_WORKLOADS], excludeOus: [OU_PROD] } }],
  ['under none of includeOus', {}, { scope: { includeOus: [OU_SANDBOX] } }],
];

const OUT_OF_SCOPE: readonly OutOfScopeRow[] = [
  ...OFFBOARDED,
  ...EXCLUDED.map(([name, account, raw]): OutOfScopeRow => [`${name}, scope.onExclusion "offboard"`, account, mergeRaw(raw, { scope: { onExclusion: 'offboard' } })]),
];

describe('planAccount: out of scope', () => {
  describe.each(OUT_OF_SCOPE)('%s', (_name, account, raw) => {
    const custom = makeConfig(raw);
    const observation = inSyncObservation({ config: custom, account });

    it('with our integration and our tagged role: delete-integration, delete-role', () => {
      const plan = planAccount(observation, custom, capabilitiesOf(custom.datadog.apiVersion));
      expect(plan.inScope).toBe(false);
      expect(typesOf(plan)).toEqual(['delete-integration', 'delete-role']);
      expect(reasonOf(plan, 'delete-integration')).toContain(plan.scope);
      expect(plan.scope).toMatch(/: offboarded/);
      expect(plan.blocked).toBeUndefined();
    });

    it('without our integration: delete-role only', () => {
      expect(typesOf(planAccount(withoutOurIntegration(observation, custom), custom, capabilitiesOf(custom.datadog.apiVersion)))).toEqual(['delete-role']);
    });

    it('without our integration or role: none, saying why', () => {
      const plan = planAccount(withRoleObservation(withoutOurIntegration(observation, custom), { kind: 'absent' }), custom, capabilitiesOf(custom.datadog.apiVersion));
      expect(typesOf(plan)).toEqual(['none']);
      expect(reasonOf(plan, 'none')).toContain(plan.scope);
    });

    it('other-role and access-key integrations only: none, and they are noted', () => {
      const settings = desiredSettings(custom, observation.organization, ORGANIZATION_ID);
      const plan = planAccount(
        withRoleObservation(withIntegrations(observation, [otherRoleIntegration(settings), accessKeyIntegration(settings)]), { kind: 'absent' }),
        custom, capabilitiesOf(custom.datadog.apiVersion),
      );
      expect(typesOf(plan)).toEqual(['none']);
      expect(plan.notes).toEqual([expect.stringContaining(OTHER_ROLE_NAME), expect.stringContaining(ACCESS_KEY_ID)]);
    });
  });

  describe.each(EXCLUDED)('%s, scope.onExclusion by default', (_name, account, raw) => {
    const custom = makeConfig(raw);
    const observation = inSyncObservation({ config: custom, account });

    it('our integration and our tagged role are left alone, and the plan says so', () => {
      const plan = planAccount(observation, custom, capabilitiesOf(custom.datadog.apiVersion));
      expect(plan.inScope).toBe(false);
      expect(typesOf(plan)).toEqual(['none']);
      expect(plan.scope).toMatch(/: left alone \(scope.onExclusion is "leave"\)$/);
      expect(reasonOf(plan, 'none')).toBe(plan.scope);
    });
  });

  it('NOT_IN_ORGANIZATION: our marked integration goes; a role there is never touched (the account is not ours to reach)', () => {
    const gone = inSyncObservation({ account: { state: 'NOT_IN_ORGANIZATION' } });
    const plan = planAccount(gone, config, capabilitiesOf(config.datadog.apiVersion));
    expect(typesOf(plan)).toEqual(['delete-integration']);
    expect(reasonOf(plan, 'delete-integration')).toContain('carries our marker');
  });

  const closed = inSyncObservation({ account: { state: 'CLOSED' } });
  const noDelete = makeConfig({ role: { deleteOnOffboard: false } });

  it.each<[string, AccountObservation, Config, ActionType[], RegExp | undefined]>([
    ['our tagged role, deleteOnOffboard on', closed, config, ['delete-integration', 'delete-role'], undefined],
    ['our tagged role, deleteOnOffboard off', closed, noDelete, ['delete-integration'], undefined],
    ['an untagged role', withRole(closed, { tags: {} }), config, ['delete-integration'], /kept/],
    ['a role tagged managed-by=someone-else', withRole(closed, { tags: { 'managed-by': 'someone-else' } }), config, ['delete-integration'], /kept/],
    ['an untagged role, deleteOnOffboard off (no note needed)', withRole(closed, { tags: {} }), noDelete, ['delete-integration'], undefined],
    ['role absent', withRoleObservation(closed, { kind: 'absent' }), config, ['delete-integration'], undefined],
    ['role unreachable', withRoleObservation(closed, { kind: 'unreachable', reason: 'AccessDenied', retryable: false }), config, ['delete-integration'], undefined],
    ['role not read', withRoleObservation(closed, { kind: 'not-read', reason: 'account closed' }), config, ['delete-integration'], undefined],
    ['no integration of ours, untagged role', withoutOurIntegration(withRole(closed, { tags: {} }), config), config, ['none'], /kept/],
  ])('closed account, %s', (_name, observation, cfg, expected, note) => {
    const plan = planAccount(observation, cfg, capabilitiesOf(cfg.datadog.apiVersion));
    expect(typesOf(plan)).toEqual(expected);
    expect(plan.blocked).toBeUndefined();
    if (note) expect(plan.notes).toEqual([expect.stringMatching(note)]);
    else expect(plan.notes).toEqual([]);
    if (expected.includes('delete-role')) expect(reasonOf(plan, 'delete-role')).toContain('deleteOnOffboard');
  });

  it('deletes only the integration with the configured role name (custom role name)', () => {
    const custom = makeConfig({ role: { name: 'TeamDatadogRole' } });
    const observation = withIntegrations(inSyncObservation({ config: custom, account: { state: 'SUSPENDED' } }), [
      ourIntegration(config), // DatadogIntegrationRole: another team's under this config
      ourIntegration(custom),
    ]);
    const plan = planAccount(observation, custom, capabilitiesOf(custom.datadog.apiVersion));
    expect(typesOf(plan)).toEqual(['delete-integration', 'delete-role']);
    expect(plan.notes).toEqual([expect.stringContaining('DatadogIntegrationRole')]);
  });
});

describe('planAccount: blocked (role not observable) for an in-scope account', () => {
  it.each<[string, RoleObservation, boolean, Integration[]]>([
    ['unreachable, retryable', { kind: 'unreachable', reason: 'AssumeRole failed: the account is new', retryable: true }, true, [ourIntegration(config)]],
    ['unreachable, not retryable', { kind: 'unreachable', reason: 'AccessDenied on OrganizationAccountAccessRole', retryable: false }, false, [ourIntegration(config)]],
    ['unreachable, new account', { kind: 'unreachable', reason: 'too new', retryable: true }, true, []],
    ['not read', { kind: 'not-read', reason: 'not looked at' }, false, [ourIntegration(config)]],
    ['not read, new account', { kind: 'not-read', reason: 'not looked at' }, false, []],
  ])('%s: no actions, blocked copied from the observation', (_name, role, retryable, integrations) => {
    const plan = planAccount(withIntegrations(withRoleObservation(synced, role), integrations), config, capabilitiesOf(config.datadog.apiVersion));
    expect(plan.actions).toEqual([]);
    expect(plan.inScope).toBe(true);
    expect(plan.blocked).toEqual({ reason: 'reason' in role ? role.reason : undefined, retryable });
  });

  it('still notes the integrations it leaves alone', () => {
    const settings = desiredSettings(config, synced.organization, ORGANIZATION_ID);
    const plan = planAccount(
      withIntegrations(withRoleObservation(synced, { kind: 'unreachable', reason: 'x', retryable: true }), [accessKeyIntegration(settings)]),
      config, capabilitiesOf(config.datadog.apiVersion),
    );
    expect(plan.notes).toEqual([expect.stringContaining(ACCESS_KEY_ID)]);
  });
});

describe('planAccount: partitions', () => {
  it.each<[string, string]>([
    ['ddog-gov.com', 'arn:aws-us-gov:iam::065115117704:root'],
    ['us2.ddog-gov.com', 'arn:aws-us-gov:iam::486737091498:root'],
  ])('GovCloud on %s trusts %s', (site, principal) => {
    const custom = makeConfig({ datadog: { site }, integration: { cspm: true } });
    const desired = desiredRole(custom, 'aws-us-gov');
    expect(desired.principalArn).toBe(principal);
    expect(desired.managedPolicyArns).toEqual(['arn:aws-us-gov:iam::aws:policy/SecurityAudit']);
    const observation = inSyncObservation({ config: custom, partition: 'aws-us-gov' });
    expect(typesOf(planAccount(observation, custom, capabilitiesOf(custom.datadog.apiVersion)))).toEqual(['none']);
    // The commercial SecurityAudit ARN is not the GovCloud one.
    expect(typesOf(planAccount(withRole(observation, { attachedPolicyArns: [SECURITY_AUDIT] }), custom, capabilitiesOf(custom.datadog.apiVersion)))).toEqual(['update-role-policy']);
    // Two external IDs under the GovCloud principal: rotate and rewrite.
    const twoIds = trustDocument(trustStatement(principal, [EXTERNAL_ID, OTHER_EXTERNAL_ID]));
    expect(typesOf(planAccount(withTrust(observation, twoIds), custom, capabilitiesOf(custom.datadog.apiVersion)))).toEqual(['rotate-external-id', 'update-role-trust']);
  });

  it.each([
    'datadoghq.com',
    'us3.datadoghq.com',
    'us5.datadoghq.com',
    'datadoghq.eu',
    'ap1.datadoghq.com',
    'ap2.datadoghq.com',
    'uk1.datadoghq.com',
  ])('the commercial site %s with an aws-us-gov account throws an InputError', (site) => {
    const custom = makeConfig({ datadog: { site } });
    const observation: AccountObservation = { ...inSyncObservation({ config: custom }), partition: 'aws-us-gov' };
    expect(() => planAccount(observation, custom, capabilitiesOf(custom.datadog.apiVersion))).toThrow(InputError);
    expect(() => planAccount(observation, custom, capabilitiesOf(custom.datadog.apiVersion))).toThrow(/GovCloud/);
  });

  it('the aws-cn partition throws an InputError', () => {
    const observation: AccountObservation = { ...synced, partition: 'aws-cn' };
    expect(() => planAccount(observation, config, capabilitiesOf(config.datadog.apiVersion))).toThrow(InputError);
  });
});

// ---- properties over many states --------------------------------------------------------

interface State {
  readonly label: string;
  readonly observation: AccountObservation;
  readonly config: Config;
}

/** Scope x configuration x role x our integration: every combination planAccount distinguishes. */
function states(): State[] {
  const scopes: readonly [string, Partial<OrgAccount>, Record<string, unknown>][] = [['in scope', {}, {}], ...OUT_OF_SCOPE];
  const configs: Record<string, unknown>[] = [{}, { role: { deleteOnOffboard: false }, integration: { cspm: true, hostTags: ['env:prod'] } }];
  const result: State[] = [];
  for (const [scopeName, account, scopeRaw] of scopes) {
    for (const extra of configs) {
      const cfg = makeConfig(mergeRaw(scopeRaw, extra));
      const base = inSyncObservation({ config: cfg, account });
      const roles: [string, AccountObservation][] = [
        ['role as desired', base],
        ['role absent', withRoleObservation(base, { kind: 'absent' })],
        ['role untagged', withRole(base, { tags: {} })],
        ['trust without ID', withTrust(base, trustDocument(trustStatement(US1_PRINCIPAL)))],
        ['trust with two IDs', withTrust(base, trustDocument(trustStatement(US1_PRINCIPAL, [EXTERNAL_ID, OTHER_EXTERNAL_ID])))],
        ['trust also open without ID', withTrust(base, trustDocument(trustStatement(US1_PRINCIPAL, EXTERNAL_ID), trustStatement(US1_PRINCIPAL)))],
        ['trust for the wrong principal', withTrust(base, datadogTrustPolicy(AP1_PRINCIPAL, EXTERNAL_ID))],
        ['permissions drifted', withRole(base, { inlinePolicies: {}, attachedPolicyArns: [] })],
        ['role unreachable', withRoleObservation(base, { kind: 'unreachable', reason: 'AccessDenied', retryable: true })],
        ['role not read', withRoleObservation(base, { kind: 'not-read', reason: 'skipped' })],
      ];
      for (const [roleName, withRoleState] of roles) {
        const integrations: [string, AccountObservation][] = [
          ['no integration', withoutOurIntegration(withRoleState, cfg)],
          ['integration as desired', withRoleState],
          ['settings drifted', withSettings(withRoleState, cfg, { hostTags: [], metricsCollection: false })],
          ['v2, same external ID', withOurIntegration(withRoleState, cfg, { externalId: EXTERNAL_ID })],
          ['v2, other external ID', withOurIntegration(withRoleState, cfg, { externalId: OTHER_EXTERNAL_ID })],
        ];
        for (const [integrationName, observation] of integrations) {
          result.push({ label: `${scopeName} / ${JSON.stringify(extra)} / ${roleName} / ${integrationName}`, observation, config: cfg });
        }
      }
    }
  }
  return result;
}

describe('planAccount: properties over every state', () => {
  const all = states();

  it(`covers many states (${all.length})`, () => {
    expect(all.length).toBeGreaterThan(500);
  });

  it('actions are always in the canonical order, never repeated; "none" is alone; blocked means no actions', () => {
    for (const { label, observation, config: cfg } of all) {
      const plan = planAccount(observation, cfg, capabilitiesOf(cfg.datadog.apiVersion));
      const types = typesOf(plan);
      if (plan.blocked) {
        expect({ label, types }).toEqual({ label, types: [] });
        continue;
      }
      expect({ label, length: types.length }).not.toEqual({ label, length: 0 });
      if (types.includes('none')) {
        expect({ label, types }).toEqual({ label, types: ['none'] });
        continue;
      }
      const indexes = types.map((t) => CANONICAL_ORDER.indexOf(t));
      expect({ label, indexes }).toEqual({ label, indexes: [...new Set(indexes)].sort((a, b) => a - b) });
      expect({ label, unknown: indexes.includes(-1) }).toEqual({ label, unknown: false });
      for (const action of plan.actions) expect({ label, reason: action.reason.length > 0 }).toEqual({ label, reason: true });
    }
  });

  it('in scope, only onboarding actions; out of scope, only deletions', () => {
    const deletions: ActionType[] = ['delete-integration', 'delete-role', 'none'];
    for (const { label, observation, config: cfg } of all) {
      const plan = planAccount(observation, cfg, capabilitiesOf(cfg.datadog.apiVersion));
      const types = typesOf(plan);
      const allowed = plan.inScope ? types.every((t) => !deletions.slice(0, 2).includes(t)) : types.every((t) => deletions.includes(t));
      expect({ label, types, allowed }).toEqual({ label, types, allowed: true });
    }
  });

  it('other-role and access-key integrations never change the actions, and are always noted', () => {
    for (const { label, observation, config: cfg } of all) {
      const before = planAccount(observation, cfg, capabilitiesOf(cfg.datadog.apiVersion));
      const settings: IntegrationSettings = { ...desiredSettings(cfg, observation.organization, ORGANIZATION_ID), hostTags: ['drifted:yes'], metricsCollection: false };
      const foreign = [otherRoleIntegration(settings, OTHER_ROLE_NAME, OTHER_EXTERNAL_ID), accessKeyIntegration(settings)];
      for (const integrations of [[...foreign, ...observation.integrations], [...observation.integrations, ...foreign]]) {
        const after = planAccount(withIntegrations(observation, integrations), cfg, capabilitiesOf(cfg.datadog.apiVersion));
        expect({ label, actions: after.actions, blocked: after.blocked }).toEqual({ label, actions: before.actions, blocked: before.blocked });
        expect({ label, notes: after.notes }).toEqual({
          label,
          notes: expect.arrayContaining([...before.notes, expect.stringContaining(OTHER_ROLE_NAME), expect.stringContaining(ACCESS_KEY_ID)]),
        });
        expect({ label, count: after.notes.length }).toEqual({ label, count: before.notes.length + 2 });
        const reasons = after.actions.map((a) => a.reason).join('\n');
        expect({ label, mentions: reasons.includes(OTHER_ROLE_NAME) || reasons.includes(ACCESS_KEY_ID) }).toEqual({ label, mentions: false });
      }
    }
  });

  it('is pure: deep-frozen inputs are not mutated, and two calls give deep-equal plans', () => {
    for (const { label, observation, config: cfg } of all) {
      const snapshotObservation = structuredClone(observation);
      const snapshotConfig = structuredClone(cfg);
      deepFreeze(observation);
      deepFreeze(cfg);
      let first: AccountPlan | undefined;
      let second: AccountPlan | undefined;
      expect(() => {
        first = planAccount(observation, cfg, capabilitiesOf(cfg.datadog.apiVersion));
        second = planAccount(observation, cfg, capabilitiesOf(cfg.datadog.apiVersion));
      }).not.toThrow();
      expect({ label, second }).toEqual({ label, second: first });
      expect({ label, observation }).toEqual({ label, observation: snapshotObservation });
      expect({ label, cfg }).toEqual({ label, cfg: snapshotConfig });
    }
  });

  it('is pure with an explicit permissions list too', () => {
    const permissions = deepFreeze(standardOnly(['ec2:Describe*', 'cloudwatch:Get*']));
    const custom = deepFreeze(makeConfig());
    const observation = deepFreeze(withRole(inSyncObservation({ config: custom }), { inlinePolicies: { DatadogIntegrationPolicy: policyWith(['cloudwatch:Get*', 'ec2:Describe*']) } }));
    expect(typesOf(planAccount(observation, custom, capabilitiesOf(custom.datadog.apiVersion), permissions))).toEqual(['none']);
    expect(planAccount(observation, custom, capabilitiesOf(custom.datadog.apiVersion), permissions)).toEqual(planAccount(observation, custom, capabilitiesOf(custom.datadog.apiVersion), permissions));
    expect(typesOf(planAccount(observation, custom, capabilitiesOf(custom.datadog.apiVersion)))).toEqual(['update-role-policy']);
  });
});

it('fixtures: the in-sync role is built for the root and OU path the scope tests use', () => {
  expect(synced.organization.parentPath).toEqual([ROOT_ID, OU_WORKLOADS, OU_PROD]);
});
