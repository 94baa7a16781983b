import { routingOf } from './profiles';
import { needsAccountTags, parseConfig } from './schema';
import { InputError } from '../domain/errors';

const ASIA_OU = 'ou-ab12-cdef3456';
const account = (accountId: string, parentPath: string[] = ['r-ab12'], tags: Record<string, string> = {}) => ({ accountId, parentPath, tags });

const example = {
  datadog: { apiVersion: 'v2' },
  integration: { resourceCollection: true, hostTags: ['team:platform'] },
  profiles: [
    {
      name: 'asia',
      match: { ous: [ASIA_OU], accounts: [], tags: { 'region-group': 'apac' } },
      datadog: { site: 'ap1.datadoghq.com', credentialsSecretId: 'datadog/ap1-keys' },
      integration: { metricsCollection: false },
    },
    { name: 'sandbox', match: { ous: ['ou-ab12-sandbox1'] }, integration: { resourceCollection: false } },
  ],
};

describe('routing: profiles and Datadog targets', () => {
  const config = parseConfig(example);
  const routing = routingOf(config);

  it('an account no profile matches gets the top-level settings and the default target', () => {
    const route = routingOf(config).routeOf(account('111111111111'));
    expect(route.profile).toBeUndefined();
    expect(route.target.isDefault).toBe(true);
    expect(route.target.name).toBe('datadoghq.com');
    expect(route.config.integration.resourceCollection).toBe(true);
    expect(route.config.profiles).toEqual([]);
  });

  it("a matching profile's keys override the top level's, key by key", () => {
    const route = routing.routeOf(account('222222222222', ['r-ab12', ASIA_OU], { 'region-group': 'apac' }));
    expect(route.profile).toBe('asia');
    expect(route.target.name).toBe('ap1.datadoghq.com');
    expect(route.config.datadog).toMatchObject({ site: 'ap1.datadoghq.com', apiVersion: 'v2', credentialsSecretId: 'datadog/ap1-keys' });
    expect(route.config.integration).toMatchObject({ metricsCollection: false, resourceCollection: true, hostTags: ['team:platform'] });
  });

  it('all listed tags must hold: under the OU without the tag is the top level', () => {
    expect(routing.routeOf(account('222222222222', ['r-ab12', ASIA_OU])).profile).toBeUndefined();
  });

  it('profiles that only change integration settings share the default target', () => {
    const route = routing.routeOf(account('333333333333', ['r-ab12', 'ou-ab12-sandbox1']));
    expect(route.profile).toBe('sandbox');
    expect(route.target).toBe(routing.defaultTarget);
    expect(route.config.integration.resourceCollection).toBe(false);
    expect(routing.targets.map((t) => [t.name, t.profiles])).toEqual([
      ['datadoghq.com', ['sandbox']],
      ['ap1.datadoghq.com', ['asia']],
    ]);
    expect(routing.multiTarget).toBe(true);
  });

  it('one configuration without profiles is one target', () => {
    const single = routingOf(parseConfig({}));
    expect(single.multiTarget).toBe(false);
    expect(single.targets).toHaveLength(1);
  });

  it('two targets on one site are told apart by their secret', () => {
    const names = routingOf(
      parseConfig({
        profiles: [
          { name: 'child-a', match: { accounts: ['111111111111'] }, datadog: { credentialsSecretId: 'dd/child-a' } },
          { name: 'child-b', match: { accounts: ['222222222222'] }, datadog: { credentialsSecretId: 'dd/child-b' } },
        ],
      }),
    ).targets.map((t) => t.name);
    expect(names).toEqual(['datadoghq.com (default keys)', 'datadoghq.com (dd/child-a)', 'datadoghq.com (dd/child-b)']);
  });

  it('a profile that names another site does not inherit the top-level apiUrl', () => {
    const route = routingOf(
      parseConfig({
        datadog: { apiUrl: 'https://proxy.example.com' },
        profiles: [{ name: 'eu', match: { accounts: ['111111111111'] }, datadog: { site: 'datadoghq.eu', credentialsSecretId: 'dd/eu' } }],
      }),
    ).routeOf(account('111111111111'));
    expect(route.config.datadog.apiUrl).toBeUndefined();
  });

  it('profile tags make an org-wide run read account tags', () => {
    expect(needsAccountTags(config)).toBe(true);
    expect(needsAccountTags(parseConfig({ profiles: [{ name: 'x', match: { ous: [ASIA_OU] } }] }))).toBe(false);
  });

  it('a configuration that passed parseConfig round-trips (the stack writes it as JSON for the functions)', () => {
    expect(parseConfig(JSON.parse(JSON.stringify(config)))).toEqual(config);
  });
});

describe('profiles: bad input names the field and the fix', () => {
  const problems = (raw: unknown): string => {
    try {
      parseConfig(raw);
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      return (error as Error).message;
    }
    throw new Error('expected an invalid configuration');
  };
  const profile = (extra: Record<string, unknown>) => ({ name: 'p', match: { accounts: ['111111111111'] }, ...extra });

  it.each<[string, unknown, RegExp]>([
    ['a name that is not a slug', { profiles: [profile({ name: 'Asia Pacific' })] }, /profiles\.0\.name: "Asia Pacific": use lowercase letters/],
    ['a name used twice', { profiles: [profile({}), profile({})] }, /profiles\.1\.name: "p" is also the name of profiles\.0/],
    ['a match of nothing', { profiles: [profile({ match: {} })] }, /profiles\.0\.match: lists no OU, account or tag/],
    ['no match', { profiles: [{ name: 'p' }] }, /profiles\.0\.match: required/],
    ['a bad OU', { profiles: [profile({ match: { ous: ['ou-1'] } })] }, /profiles\.0\.match\.ous\.0: "ou-1" is not an OU ID/],
    ['an unknown datadog key', { profiles: [profile({ datadog: { sitee: 'x' } })] }, /profiles\.0\.datadog: unknown key "sitee"; known keys here: site, apiVersion/],
    ['an unknown site', { profiles: [profile({ datadog: { site: 'ap9.datadoghq.com', credentialsSecretId: 'x' } })] }, /profiles\.0\.datadog\.site: unknown Datadog site "ap9.datadoghq.com"/],
    ['a v1 namespace with a v2 profile', { profiles: [profile({ integration: { namespaceRules: { auto_scaling: false } } })] }, /profiles\.0\.integration\.namespaceRules: "auto_scaling" is a v1 namespace key/],
    ['the marker key', { profiles: [profile({ integration: { ownershipTagKey: 'x' } })] }, /profiles\.0\.integration\.ownershipTagKey: the ownership marker is one per deployment/],
    ['another site with the top-level keys', { profiles: [profile({ datadog: { site: 'datadoghq.eu' } })] }, /profiles\.0\.datadog\.credentialsSecretId: profile "p" reports to datadoghq\.eu/],
    [
      'one Datadog organization reached two ways',
      { profiles: [profile({ datadog: { credentialsSecretId: 's', apiVersion: 'v1' } }), profile({ name: 'q', datadog: { credentialsSecretId: 's' } })] },
      /profiles\.1\.datadog\.apiVersion: reaches the same Datadog organization as profile "p" .* with another apiVersion/,
    ],
  ])('%s', (_, raw, expected) => {
    expect(problems(raw)).toMatch(expected);
  });
});
