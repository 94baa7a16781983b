import { SITE_NAMES, type DatadogSite } from '../datadog/sites';
import { InputError } from './errors';
import type { Partition } from './partition';
import {
  accountRootArn,
  allowedActions,
  datadogTrustPolicy,
  externalIdsIn,
  managedPolicyArn,
  parsePolicyDocument,
  permissionPolicies,
  policySize,
  isExactTrust,
  denyStatements,
  type PolicyDocument,
  type PolicyStatement,
} from './policy';
import { DATADOG_STANDARD_PERMISSIONS } from './datadog-permissions';
import { datadogPrincipalArn } from '../plan/datadog-principal';
import { desiredRole } from '../plan/desired-role';
import { normalizeTagPart } from '../plan/desired-settings';
import { MANAGED_BY_TAG, PERMISSIONS_POLICY_NAME, isOurPolicyName, policyName } from './ownership';
import { EXTERNAL_ID, OTHER_EXTERNAL_ID, US1_PRINCIPAL, makeConfig, standardOnly, trustDocument, trustStatement } from '../../test/support/plan-fixtures';

const OTHER_ARN = 'arn:aws:iam::111122223333:root';
describe('isExactTrust', () => {
  const GOV = 'arn:aws-us-gov:iam::065115117704:root';
  it.each<[string, PolicyDocument | undefined, string, boolean]>([
    ['exactly what we write', datadogTrustPolicy(US1_PRINCIPAL, EXTERNAL_ID), US1_PRINCIPAL, true],
    ['the principal as its bare account ID', trustDocument(trustStatement('464622532012', EXTERNAL_ID)), US1_PRINCIPAL, true],
    ['GovCloud principal in its partition', datadogTrustPolicy(GOV, EXTERNAL_ID), GOV, true],
    ['the right account in the wrong partition', datadogTrustPolicy('arn:aws:iam::065115117704:root', EXTERNAL_ID), GOV, false],
    ['another external ID', datadogTrustPolicy(US1_PRINCIPAL, OTHER_EXTERNAL_ID), US1_PRINCIPAL, false],
    ['no external ID condition', trustDocument(trustStatement(US1_PRINCIPAL)), US1_PRINCIPAL, false],
    ['Principal "*"', trustDocument({ ...trustStatement(US1_PRINCIPAL, EXTERNAL_ID), Principal: '*' }), US1_PRINCIPAL, false],
    ['Principal {AWS: "*"}', trustDocument(trustStatement('*', EXTERNAL_ID)), US1_PRINCIPAL, false],
    ['two principals', trustDocument(trustStatement([US1_PRINCIPAL, 'arn:aws:iam::111111111111:root'], EXTERNAL_ID)), US1_PRINCIPAL, false],
    ['a second Allow statement', trustDocument(trustStatement(US1_PRINCIPAL, EXTERNAL_ID), trustStatement(US1_PRINCIPAL, EXTERNAL_ID)), US1_PRINCIPAL, false],
    ['plus a Deny statement (ignored)', trustDocument(trustStatement(US1_PRINCIPAL, EXTERNAL_ID), { ...trustStatement(US1_PRINCIPAL), Effect: 'Deny' }), US1_PRINCIPAL, true],
    ['an extra condition', trustDocument({ ...trustStatement(US1_PRINCIPAL, EXTERNAL_ID), Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID }, Bool: { 'aws:SecureTransport': 'true' } } }), US1_PRINCIPAL, false],
    ['no document', undefined, US1_PRINCIPAL, false],
  ])('%s', (_name, document, principal, expected) => {
    expect(isExactTrust(document, principal, EXTERNAL_ID)).toBe(expected);
  });

  it('denyStatements keeps only the Deny statements', () => {
    const deny = { ...trustStatement(US1_PRINCIPAL), Effect: 'Deny' as const };
    expect(denyStatements(trustDocument(trustStatement(US1_PRINCIPAL, EXTERNAL_ID), deny))).toEqual([deny]);
    expect(denyStatements(undefined)).toEqual([]);
  });
});

describe('externalIdsIn', () => {
  it.each<[string, PolicyDocument | undefined, string[]]>([
    ['no document', undefined, []],
    ['the desired trust', datadogTrustPolicy(US1_PRINCIPAL, EXTERNAL_ID), [EXTERNAL_ID]],
    ['IDs of any principal, once each', trustDocument(trustStatement(OTHER_ARN, OTHER_EXTERNAL_ID), trustStatement(US1_PRINCIPAL, [EXTERNAL_ID, OTHER_EXTERNAL_ID])),
      [OTHER_EXTERNAL_ID, EXTERNAL_ID]],
    ['no condition', trustDocument(trustStatement(US1_PRINCIPAL)), []],
  ])('%s', (_name, document, expected) => {
    expect(externalIdsIn(document)).toEqual(expected);
  });
});

describe('parsePolicyDocument', () => {
  const document = datadogTrustPolicy(US1_PRINCIPAL, EXTERNAL_ID);
  const json = JSON.stringify(document);

  it.each<[string, string | undefined, PolicyDocument | undefined]>([
    ['URL-encoded, as IAM returns it', encodeURIComponent(json), document],
    ['URL-encoded, pretty-printed', encodeURIComponent(JSON.stringify(document, null, 2)), document],
    ['URL-encoded with a literal % in a value', encodeURIComponent(JSON.stringify({ ...document, Statement: [{ ...document.Statement[0], Sid: '100%' }] })),
      { ...document, Statement: [{ ...document.Statement[0], Sid: '100%' } as PolicyStatement] }],
    ['plain JSON', json, document],
    ['plain JSON with leading white space', `\n  ${JSON.stringify(document, null, 2)}`, document],
    ['plain JSON with a % in a value', JSON.stringify({ ...document, Statement: [{ ...document.Statement[0], Sid: '%41' }] }),
      { ...document, Statement: [{ ...document.Statement[0], Sid: '%41' } as PolicyStatement] }],
    ['a single Statement object (made an array)', JSON.stringify({ ...document, Statement: document.Statement[0] }), document],
    ['undefined', undefined, undefined],
    ['empty', '', undefined],
    ['garbage', 'not a policy', undefined],
    ['a malformed escape', '%E0%A4%A', undefined],
    ['truncated JSON', '{"Version":"2012-10-17","Statement":[', undefined],
    ['truncated URL-encoded JSON', encodeURIComponent(json).slice(0, 40), undefined],
    ['JSON without Statement', '{"Version":"2012-10-17"}', undefined],
    ['JSON null', 'null', undefined],
    ['a JSON array', '[]', undefined],
    ['a JSON number', '42', undefined],
    ['a JSON string', '"{}"', undefined],
  ])('%s', (_name, text, expected) => {
    expect(parsePolicyDocument(text)).toEqual(expected);
  });
});

describe('allowedActions and policySize', () => {
  it('unions the Allow actions of every document, sorted, skipping Deny and unreadable documents', () => {
    const documents: (PolicyDocument | undefined)[] = [
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:List*', 'ec2:Describe*'], Resource: '*' }] },
      undefined,
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ec2:Describe*' }, { Effect: 'Deny', Action: 'iam:*' }] },
    ];
    expect(allowedActions(documents)).toEqual(['ec2:Describe*', 's3:List*']);
    expect(allowedActions([])).toEqual([]);
  });

  it('counts characters without white space', () => {
    const document: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'a:b', Resource: '*' }] };
    expect(policySize(document)).toBe(JSON.stringify(document).length);
    expect(policySize(document)).toBe(JSON.stringify(document, null, 4).replace(/\s/g, '').length);
  });
});

describe('permissionPolicies', () => {
  const synthetic = Array.from({ length: 300 }, (_, i) => `service${String(i).padStart(3, '0')}:DescribeSomethingRatherLong`);

  it.each<[string, readonly string[], number]>([
    ['the standard list, 6,144', DATADOG_STANDARD_PERMISSIONS, 6_144],
    ['the standard list, 2,048', DATADOG_STANDARD_PERMISSIONS, 2_048],
    ['the standard list, 1,000', DATADOG_STANDARD_PERMISSIONS, 1_000],
    ['the standard list, 200', DATADOG_STANDARD_PERMISSIONS, 200],
    ['300 synthetic actions, 6,144', synthetic, 6_144],
    ['300 synthetic actions, 3,000', synthetic, 3_000],
  ])('%s: every action exactly once, sorted, each document within the size', (_name, actions, maxChars) => {
    const documents = permissionPolicies(actions, maxChars);
    const all = documents.flatMap((d) => d.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])));
    expect(all).toEqual([...actions].sort());
    expect(new Set(all).size).toBe(all.length);
    for (const document of documents) {
      expect(policySize(document)).toBeLessThanOrEqual(maxChars);
      expect(document).toEqual({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: expect.any(Array), Resource: '*' }] });
    }
    // As few as fit: no two neighbours could have been one document.
    for (let i = 1; i < documents.length; i++) {
      const previous = documents[i - 1]?.Statement[0]?.Action as string[];
      const next = documents[i]?.Statement[0]?.Action as string[];
      const merged: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: [...previous, next[0] as string], Resource: '*' }] };
      expect(policySize(merged)).toBeGreaterThan(maxChars);
    }
  });

  it('DATADOG_STANDARD_PERMISSIONS fits one policy of 6,144 characters', () => {
    const documents = permissionPolicies(DATADOG_STANDARD_PERMISSIONS, 6_144);
    expect(documents).toHaveLength(1);
    expect(policySize(documents[0] as PolicyDocument)).toBeLessThanOrEqual(6_144);
  });

  it('splits when needed and gives nothing for no actions', () => {
    expect(permissionPolicies(synthetic, 6_144).length).toBeGreaterThan(1);
    expect(permissionPolicies([], 6_144)).toEqual([]);
  });

  it('does not mutate its input', () => {
    const actions = Object.freeze(['b:B', 'a:A']);
    permissionPolicies(actions, 6_144);
    expect(actions).toEqual(['b:B', 'a:A']);
  });
});

describe('desiredRole', () => {
  it('by default: the configured name, the US1 principal, one inline policy, no managed policy, our tag', () => {
    const role = desiredRole(makeConfig(), 'aws');
    expect(role.roleName).toBe('DatadogIntegrationRole');
    expect(role.principalArn).toBe(US1_PRINCIPAL);
    expect(Object.keys(role.inlinePolicies)).toEqual([PERMISSIONS_POLICY_NAME]);
    expect(allowedActions(Object.values(role.inlinePolicies))).toEqual([...DATADOG_STANDARD_PERMISSIONS].sort());
    expect(role.managedPolicyArns).toEqual([]);
    expect(role.tags).toEqual({ [MANAGED_BY_TAG.key]: MANAGED_BY_TAG.value });
    expect(MANAGED_BY_TAG).toEqual({ key: 'managed-by', value: 'datadog-aws-org-integration' });
  });

  it.each<[boolean, boolean, Partition, string[]]>([
    [false, false, 'aws', []],
    [true, false, 'aws', ['arn:aws:iam::aws:policy/SecurityAudit']],
    [false, true, 'aws', ['arn:aws:iam::aws:policy/SecurityAudit']],
    [true, true, 'aws', ['arn:aws:iam::aws:policy/SecurityAudit']],
    [false, false, 'aws-us-gov', []],
    [true, false, 'aws-us-gov', ['arn:aws-us-gov:iam::aws:policy/SecurityAudit']],
    [false, true, 'aws-us-gov', ['arn:aws-us-gov:iam::aws:policy/SecurityAudit']],
  ])('cspm=%s resourceCollection=%s in %s: managed policies %j', (cspm, resourceCollection, partition, expected) => {
    const site = partition === 'aws' ? 'datadoghq.com' : 'ddog-gov.com';
    expect(desiredRole(makeConfig({ datadog: { site }, integration: { cspm, resourceCollection } }), partition).managedPolicyArns).toEqual(expected);
  });

  it('uses the configured role name', () => {
    expect(desiredRole(makeConfig({ role: { name: 'TeamDatadogRole' } }), 'aws').roleName).toBe('TeamDatadogRole');
  });

  it('splits a long permissions list into DatadogIntegrationPolicy1..N, all recognised as ours', () => {
    const permissions = Array.from({ length: 200 }, (_, i) => `service${i}:DescribeSomethingRatherLong`);
    const role = desiredRole(makeConfig(), 'aws', standardOnly(permissions));
    const names = Object.keys(role.inlinePolicies);
    expect(names.length).toBeGreaterThan(1);
    expect(names).toEqual(names.map((_, i) => `${PERMISSIONS_POLICY_NAME}${i + 1}`));
    expect(names.every(isOurPolicyName)).toBe(true);
    expect(allowedActions(Object.values(role.inlinePolicies))).toEqual([...permissions].sort());
  });

  it("throws an InputError when the permissions exceed IAM's 10,240 characters of inline policy per role", () => {
    const permissions = Array.from({ length: 400 }, (_, i) => `service${i}:DescribeSomethingRatherLong`);
    expect(() => desiredRole(makeConfig(), 'aws', standardOnly(permissions))).toThrow(InputError);
  });
});

describe('datadogPrincipalArn', () => {
  const COMMERCIAL: Record<DatadogSite, string> = {
    'datadoghq.com': '464622532012',
    'us3.datadoghq.com': '464622532012',
    'us5.datadoghq.com': '464622532012',
    'datadoghq.eu': '464622532012',
    'ap1.datadoghq.com': '417141415827',
    'ap2.datadoghq.com': '412381753143',
    'uk1.datadoghq.com': '117348461845',
    'ddog-gov.com': '392588925713',
    'us2.ddog-gov.com': '382742775718',
  };
  const GOVCLOUD: Partial<Record<DatadogSite, string>> = { 'ddog-gov.com': '065115117704', 'us2.ddog-gov.com': '486737091498' };

  it.each(SITE_NAMES)('%s in the aws partition', (site) => {
    expect(datadogPrincipalArn(site, 'aws')).toBe(`arn:aws:iam::${COMMERCIAL[site]}:root`);
  });

  it.each(SITE_NAMES)('%s in the aws-us-gov partition', (site) => {
    const id = GOVCLOUD[site];
    if (id) expect(datadogPrincipalArn(site, 'aws-us-gov')).toBe(`arn:aws-us-gov:iam::${id}:root`);
    else expect(() => datadogPrincipalArn(site, 'aws-us-gov')).toThrow(InputError);
  });

  it.each(SITE_NAMES)('%s in the aws-cn partition throws', (site) => {
    expect(() => datadogPrincipalArn(site, 'aws-cn')).toThrow(InputError);
  });

  it('ARN helpers use the partition', () => {
    expect(accountRootArn('aws-us-gov', '123456789012')).toBe('arn:aws-us-gov:iam::123456789012:root');
    expect(managedPolicyArn('aws-us-gov', 'SecurityAudit')).toBe('arn:aws-us-gov:iam::aws:policy/SecurityAudit');
  });
});

describe('policy names', () => {
  it.each<[string, boolean]>([
    ['DatadogIntegrationPolicy', true],
    ['DatadogIntegrationPolicy1', true],
    ['DatadogIntegrationPolicy12', true],
    ['DatadogIntegrationPolicyLegacy', false],
    ['DatadogIntegrationPolicy-2', false],
    ['MyDatadogIntegrationPolicy', false],
    ['datadogintegrationpolicy', false],
    ['SecurityAudit', false],
  ])('isOurPolicyName(%s) is %s', (name, expected) => {
    expect(isOurPolicyName(name)).toBe(expected);
  });

  it('policyName: one policy keeps the plain name, several are numbered from 1', () => {
    expect(policyName(0, 1)).toBe('DatadogIntegrationPolicy');
    expect([0, 1, 2].map((i) => policyName(i, 3))).toEqual(['DatadogIntegrationPolicy1', 'DatadogIntegrationPolicy2', 'DatadogIntegrationPolicy3']);
  });
});

describe('normalizeTagPart', () => {
  it.each<[string, string]>([
    ['Payments Prod', 'payments_prod'],
    ['  padded  ', 'padded'],
    ['already-fine_1.2:3/4', 'already-fine_1.2:3/4'],
    ['R&D (EU)', 'r_d__eu_'],
    ['Café', 'caf_'],
    ['UPPER', 'upper'],
    ['', ''],
  ])('%j -> %j', (input, expected) => {
    expect(normalizeTagPart(input)).toBe(expected);
  });

  it('is idempotent', () => {
    for (const text of ['Payments Prod', 'R&D (EU)', 'Café', 'a:b/c']) expect(normalizeTagPart(normalizeTagPart(text))).toBe(normalizeTagPart(text));
  });
});
