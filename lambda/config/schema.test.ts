import { configFromEnvironment, mergeConfig } from './environment';
import { parseConfig } from './schema';
import { datadogBaseUrl } from '../datadog/factory';
import {
  DATADOG_SITES,
  DEFAULT_SITE,
  SITE_NAMES,
  isDatadogSite,
  parseSite,
  siteApiBaseUrl,
} from '../datadog/sites';
import { InputError } from '../domain/errors';
import { caught } from '../../test/support/datadog-http';

const ALL_SITES = [
  'datadoghq.com',
  'us3.datadoghq.com',
  'us5.datadoghq.com',
  'datadoghq.eu',
  'ap1.datadoghq.com',
  'ap2.datadoghq.com',
  'uk1.datadoghq.com',
  'ddog-gov.com',
  'us2.ddog-gov.com',
];

const DEFAULT_DATADOG = {
  site: 'datadoghq.com',
  apiVersion: 'v2',
  requestTimeoutMs: 15_000,
  maxAttempts: 5,
  maxRetryWaitSeconds: 60,
};

async function configError(raw: unknown, source?: string): Promise<string> {
  const error = await caught(() => parseConfig(raw, source));
  expect(error).toBeInstanceOf(InputError);
  const message = (error as Error).message;
  expect(message.startsWith('invalid configuration:\n')).toBe(true);
  return message;
}

describe('parseConfig', () => {
  // Only the datadog section is asserted: the other sections (role, integration, scope...) have their own tests.
  it.each([{}, undefined, null, { datadog: {} }])('%p gives every default of the datadog section', (raw) => {
    const config = parseConfig(raw);
    expect(config.datadog).toEqual(DEFAULT_DATADOG);
    expect(config.datadog).not.toHaveProperty('apiUrl');
    expect(config.datadog).not.toHaveProperty('credentialsSecretId');
  });

  it('keeps every valid value given', () => {
    const datadog = {
      site: 'datadoghq.eu',
      apiVersion: 'v1',
      apiUrl: 'https://dd-proxy.example.com',
      credentialsSecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:datadog-AbCdEf',
      requestTimeoutMs: 1000,
      maxAttempts: 10,
      maxRetryWaitSeconds: 900,
    };
    expect(parseConfig({ datadog }).datadog).toEqual(datadog);
  });

  it.each(ALL_SITES)('accepts site %s', (site) => {
    expect(parseConfig({ datadog: { site } }).datadog.site).toBe(site);
  });

  it.each(['datadoghq.co', 'app.datadoghq.com', 'us4.datadoghq.com', '', 'api.datadoghq.eu'])(
    'rejects site %p, naming the field path and listing every valid site',
    async (site) => {
      const message = await configError({ datadog: { site } });

      expect(message).toContain(`config: datadog.site: unknown Datadog site ${JSON.stringify(site)}`);
      for (const valid of ALL_SITES) expect(message).toContain(valid);
    },
  );

  it('names the source given by the caller', async () => {
    const message = await configError({ datadog: { site: 'nope' } }, 'dd-aws-org.json');
    expect(message).toContain('  - dd-aws-org.json: datadog.site: ');
  });

  it.each<[string, unknown, string]>([
    ['one unknown key under datadog', { datadog: { siteName: 'x' } }, 'config: datadog: unknown key "siteName"'],
    ['two unknown keys under datadog', { datadog: { foo: 1, bar: 2 } }, 'config: datadog: unknown keys "foo", "bar"'],
  ])('%s: named, with the known keys', async (_name, raw, expected) => {
    const message = await configError(raw);

    expect(message).toContain(expected);
    expect(message).toContain(
      'known keys here: site, apiVersion, apiUrl, credentialsSecretId, requestTimeoutMs, maxAttempts, maxRetryWaitSeconds',
    );
  });

  it('an unknown top-level key is named, with the known top-level keys', async () => {
    const message = await configError({ datadgo: {} });

    const match = /config: unknown key "datadgo"; known keys here: (.+)$/m.exec(message);
    expect(match).not.toBeNull();
    expect(match![1]!.split(', ')).toContain('datadog');
  });

  it.each([
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['http://127.0.0.1:8080/', 'http://127.0.0.1:8080'],
    ['http://localhost:4010', 'http://localhost:4010'],
    ['http://[::1]:4010', 'http://[::1]:4010'],
    ['http://127.1.2.3', 'http://127.1.2.3'],
    ['https://proxy.example.com', 'https://proxy.example.com'],
    ['https://proxy.example.com/', 'https://proxy.example.com'],
    ['https://proxy.example.com///', 'https://proxy.example.com'],
  ])('accepts apiUrl %s (as %s)', (apiUrl, expected) => {
    expect(parseConfig({ datadog: { apiUrl } }).datadog.apiUrl).toBe(expected);
  });

  it.each([
    'http://example.com',
    'http://api.datadoghq.com',
    'http://10.0.0.1:8080',
    'ftp://proxy.example.com',
    'proxy.example.com',
    'not a url',
    '',
  ])('rejects apiUrl %p', async (apiUrl) => {
    const message = await configError({ datadog: { apiUrl } });

    expect(message).toContain('config: datadog.apiUrl: must be an https:// URL');
    expect(message).toContain('localhost');
  });

  // Regression: any host name starting with "127." was once taken for loopback, sending keys over plain http.
  it.each(['http://127.attacker.example', 'http://127.0.0.1.nip.io:8080'])(
    'rejects a plain-http apiUrl whose host only starts with "127." (%s)',
    async (apiUrl) => {
      await configError({ datadog: { apiUrl } });
    },
  );

  it.each<[string, number, string]>([
    ['maxAttempts', 0, 'from 1 to 10 (default 5)'],
    ['maxAttempts', 11, 'from 1 to 10 (default 5)'],
    ['maxAttempts', 2.5, 'from 1 to 10 (default 5)'],
    ['maxAttempts', -1, 'from 1 to 10 (default 5)'],
    ['requestTimeoutMs', 999, 'from 1000 to 120000 (default 15000)'],
    ['requestTimeoutMs', 120_001, 'from 1000 to 120000 (default 15000)'],
    ['maxRetryWaitSeconds', 0, 'from 1 to 900 (default 60)'],
    ['maxRetryWaitSeconds', 901, 'from 1 to 900 (default 60)'],
  ])('rejects %s = %p with the range', async (field, value, range) => {
    const message = await configError({ datadog: { [field]: value } });
    expect(message).toContain(`config: datadog.${field}: must be a whole number ${range}`);
  });

  it.each<[string, number]>([
    ['maxAttempts', 1],
    ['maxAttempts', 10],
    ['requestTimeoutMs', 1000],
    ['requestTimeoutMs', 120_000],
    ['maxRetryWaitSeconds', 1],
    ['maxRetryWaitSeconds', 900],
  ])('accepts the bound %s = %p', (field, value) => {
    expect(parseConfig({ datadog: { [field]: value } }).datadog).toMatchObject({ [field]: value });
  });

  it('rejects a number written as a string', async () => {
    const message = await configError({ datadog: { maxAttempts: '3' } });
    expect(message).toContain('datadog.maxAttempts: must be a whole number from 1 to 10');
  });

  it('accepts apiVersion v1 and v2; anything else is refused by name', async () => {
    expect(parseConfig({ datadog: { apiVersion: 'v2' } }).datadog.apiVersion).toBe('v2');
    expect(parseConfig({ datadog: { apiVersion: 'v1' } }).datadog.apiVersion).toBe('v1');
    expect(await configError({ datadog: { apiVersion: 'v3' } })).toContain('datadog.apiVersion: must be "v1" or "v2"');
  });

  it.each([
    ['v2', { 'AWS/EC2': false, Glue: false, 'ECS/ContainerInsights': true }, undefined],
    ['v1', { auto_scaling: false, ec2: true }, undefined],
    ['v2', { auto_scaling: false }, 'integration.namespaceRules: "auto_scaling" is a v1 namespace key; with datadog.apiVersion "v2" name the CloudWatch namespace'],
    ['v1', { 'AWS/EC2': false }, 'integration.namespaceRules: "AWS/EC2" is a v2 (CloudWatch) namespace; with datadog.apiVersion "v1" use v1 keys'],
  ])('namespace rules are named the way apiVersion %s names them: %j', async (apiVersion, namespaceRules, problem) => {
    const raw = { datadog: { apiVersion }, integration: { namespaceRules } };
    if (problem === undefined) expect(parseConfig(raw).integration.namespaceRules).toEqual(namespaceRules);
    else expect(await configError(raw)).toContain(problem);
  });

  it('v2: an excluded region the product does not know is refused (v2 can only list the regions to include)', async () => {
    expect(parseConfig({ datadog: { apiVersion: 'v2' }, integration: { excludedRegions: ['eu-west-1', 'us-gov-west-1'] } }).integration.excludedRegions).toHaveLength(2);
    const message = await configError({ datadog: { apiVersion: 'v2' }, integration: { excludedRegions: ['xx-future-1'] } });
    expect(message).toContain('integration.excludedRegions: "xx-future-1" is not a region this version knows');
    expect(parseConfig({ datadog: { apiVersion: 'v1' }, integration: { excludedRegions: ['xx-future-1'] } }).integration.excludedRegions).toEqual(['xx-future-1']);
  });

  it('rejects an empty credentialsSecretId', async () => {
    const message = await configError({ datadog: { credentialsSecretId: '' } });
    expect(message).toContain('datadog.credentialsSecretId: must be the name or ARN of a Secrets Manager secret');
  });

  it('lists every bad field, one line each', async () => {
    const message = await configError({ datadog: { site: 'x', maxAttempts: 0, apiUrl: 'http://example.com' } });
    const lines = message.split('\n').slice(1);

    expect(lines).toHaveLength(3);
    expect(lines.every((line) => line.startsWith('  - config: datadog.'))).toBe(true);
  });

  it.each([[[]], ['text'], [42]])('rejects a configuration that is not an object (%p)', async (raw) => {
    const message = await configError(raw);
    expect(message).toContain('config: ');
  });
});

describe('mergeConfig', () => {
  it('later sources win, key by key, deeply', () => {
    const file = { datadog: { site: 'datadoghq.eu', maxAttempts: 3, apiUrl: 'https://file.example.com' } };
    const env = { datadog: { site: 'us5.datadoghq.com' } };
    const flags = { datadog: { maxAttempts: 7 } };

    expect(mergeConfig(file, env, flags)).toEqual({
      datadog: { site: 'us5.datadoghq.com', maxAttempts: 7, apiUrl: 'https://file.example.com' },
    });
  });

  it('replaces arrays and scalars rather than merging them', () => {
    expect(mergeConfig({ a: [1, 2], b: { c: 1 } }, { a: [3], b: 'scalar' })).toEqual({ a: [3], b: 'scalar' });
    expect(mergeConfig({ b: 'scalar' }, { b: { c: 1 } })).toEqual({ b: { c: 1 } });
  });

  it('skips sources that are not plain objects', () => {
    expect(mergeConfig(undefined, null, [1], 'x', { a: 1 }, undefined)).toEqual({ a: 1 });
    expect(mergeConfig()).toEqual({});
  });

  it('does not modify its sources', () => {
    const first = { datadog: { site: 'datadoghq.eu' } };
    const second = { datadog: { maxAttempts: 2 } };
    mergeConfig(first, second);
    expect(first).toEqual({ datadog: { site: 'datadoghq.eu' } });
    expect(second).toEqual({ datadog: { maxAttempts: 2 } });
  });

  it('an explicit undefined in a later source overrides (callers should drop unset flags)', () => {
    expect(mergeConfig({ a: 1 }, { a: undefined })).toEqual({ a: undefined });
  });
});

describe('configFromEnvironment', () => {
  it.each<[string, NodeJS.ProcessEnv, Record<string, string>]>([
    ['nothing set', {}, {}],
    ['DD_SITE', { DD_SITE: 'datadoghq.eu' }, { site: 'datadoghq.eu' }],
    ['DD_API_URL', { DD_API_URL: 'http://127.0.0.1:4010' }, { apiUrl: 'http://127.0.0.1:4010' }],
    ['both', { DD_SITE: 'us3.datadoghq.com', DD_API_URL: 'https://p.example.com' }, { site: 'us3.datadoghq.com', apiUrl: 'https://p.example.com' }],
    ['empty values are ignored', { DD_SITE: '', DD_API_URL: '' }, {}],
    ['the keys are never copied', { DD_API_KEY: 'k', DD_APP_KEY: 'a', DD_SITE: 'datadoghq.eu' }, { site: 'datadoghq.eu' }],
  ])('%s', (_name, env, datadog) => {
    // No section at all when nothing is set, so that a config file's shape is never overwritten.
    expect(configFromEnvironment(env)).toEqual(Object.keys(datadog).length > 0 ? { datadog } : {});
  });

  it('file < environment < flags, then parsed', () => {
    const file = { datadog: { site: 'datadoghq.eu', maxAttempts: 3 } };
    const env = configFromEnvironment({ DD_SITE: 'us5.datadoghq.com', DD_API_URL: 'http://localhost:4010/' });
    const flags = { datadog: { site: 'ap1.datadoghq.com' } };

    const config = parseConfig(mergeConfig(file, env, flags));

    expect(config.datadog).toMatchObject({ site: 'ap1.datadoghq.com', maxAttempts: 3, apiUrl: 'http://localhost:4010' });
  });

  it('a bad DD_SITE is reported by parseConfig against the field', async () => {
    const message = await configError(mergeConfig(configFromEnvironment({ DD_SITE: 'datadog.com' })));
    expect(message).toContain('datadog.site: unknown Datadog site "datadog.com"');
  });
});

describe('Datadog sites', () => {
  it.each<[string, string, string | undefined]>([
    ['datadoghq.com', '464622532012', undefined],
    ['us3.datadoghq.com', '464622532012', undefined],
    ['us5.datadoghq.com', '464622532012', undefined],
    ['datadoghq.eu', '464622532012', undefined],
    ['ap1.datadoghq.com', '417141415827', undefined],
    ['ap2.datadoghq.com', '412381753143', undefined],
    ['uk1.datadoghq.com', '117348461845', undefined],
    ['ddog-gov.com', '392588925713', '065115117704'],
    ['us2.ddog-gov.com', '382742775718', '486737091498'],
  ])('%s: principal %s, GovCloud principal %s', (site, principal, govCloudPrincipal) => {
    expect(isDatadogSite(site)).toBe(true);
    const entry = DATADOG_SITES[site as keyof typeof DATADOG_SITES];
    expect(entry.principal).toBe(principal);
    expect((entry as { govCloudPrincipal?: string }).govCloudPrincipal).toBe(govCloudPrincipal);
  });

  it('has exactly the nine sites, in order', () => {
    expect(SITE_NAMES).toEqual(ALL_SITES);
    expect(Object.keys(DATADOG_SITES)).toEqual(ALL_SITES);
    expect(DEFAULT_SITE).toBe('datadoghq.com');
  });

  it('every principal is a 12-digit AWS account ID', () => {
    for (const entry of Object.values(DATADOG_SITES)) {
      for (const id of Object.values(entry)) expect(id).toMatch(/^\d{12}$/);
    }
  });

  it.each(ALL_SITES.map((site) => [site, `https://api.${site}`]))('siteApiBaseUrl(%s) is %s', (site, url) => {
    expect(siteApiBaseUrl(site as (typeof SITE_NAMES)[number])).toBe(url);
  });

  it('siteApiBaseUrl(datadoghq.eu) is https://api.datadoghq.eu', () => {
    expect(siteApiBaseUrl('datadoghq.eu')).toBe('https://api.datadoghq.eu');
  });

  it.each([
    ['datadoghq.eu', 'datadoghq.eu'],
    ['  US5.DatadogHQ.com ', 'us5.datadoghq.com'],
  ])('parseSite(%p) is %p', (input, expected) => {
    expect(parseSite(input)).toBe(expected);
  });

  it.each(['datadoghq.co', '', 'api.datadoghq.com', 'toString', '__proto__', 'constructor'])(
    'parseSite(%p) throws an InputError listing every site',
    async (input) => {
      const error = await caught(() => parseSite(input, '--site'));

      expect(error).toBeInstanceOf(InputError);
      const message = (error as Error).message;
      expect(message).toContain(`--site "${input}" is not a Datadog site; use one of: ${ALL_SITES.join(', ')}`);
    },
  );

  it.each(['toString', '__proto__', 'hasOwnProperty'])('isDatadogSite(%p) is false (no prototype keys)', (name) => {
    expect(isDatadogSite(name)).toBe(false);
  });

  it.each([
    [{ site: 'datadoghq.eu' }, 'https://api.datadoghq.eu'],
    [{ site: 'ddog-gov.com' }, 'https://api.ddog-gov.com'],
    [{ site: 'datadoghq.eu', apiUrl: 'http://127.0.0.1:4010/' }, 'http://127.0.0.1:4010'],
  ])('datadogBaseUrl(%p) is %s (apiUrl wins over the site)', (datadog, expected) => {
    expect(datadogBaseUrl(parseConfig({ datadog }).datadog)).toBe(expected);
  });
});
