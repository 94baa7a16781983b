/** mintAhead: an external ID is minted ahead only for an account that will get a new integration, and only where IDs are minted first (v2). */
import { V1_CAPABILITIES, v2Capabilities } from '../datadog/capabilities';
import type { AwsIntegrationPort, Integration } from '../datadog/port';
import type { RoleObservation } from '../observe/model';
import type { Decided } from '../observe/observe-account';
import { mintAhead, willCreateIntegration } from './mint-ahead';
import { routingOf } from '../config/profiles';
import { parseConfig } from '../config/schema';

const ROLE = 'DatadogIntegrationRole';
const ACCOUNT = '123456789012';
const settings = { hostTags: [], filterTags: [], excludedRegions: [], namespaceRules: {}, metricsCollection: true, cspmResourceCollection: false, extendedResourceCollection: false };
const withRole = (roleName: string): Integration => ({ accountId: ACCOUNT, auth: { kind: 'role', roleName }, settings });
const withKey: Integration = { accountId: ACCOUNT, auth: { kind: 'access-key', accessKeyId: 'AKIAIOSFODNN7EXAMPLE' }, settings };
const absent: RoleObservation = { kind: 'absent' };
const route = routingOf(parseConfig({})).routeOf({ accountId: ACCOUNT, parentPath: [], tags: {} });
const decided = (overrides: Partial<Decided> = {}): Decided => ({ inScope: true, integrations: [], role: absent, route, ...overrides });

describe('willCreateIntegration', () => {
  it.each<[string, Decided, boolean]>([
    ['in scope, role absent, nothing listed', decided(), true],
    ['in scope, our role present (its integration gone), nothing listed', decided({ role: { kind: 'present', role: {} as never } }), true],
    ['an access-key integration only (not ours to replace)', decided({ integrations: [withKey] }), true],
    ['an integration of another role only', decided({ integrations: [withRole('SomeOtherRole')] }), true],
    ['an integration with our role name (to adopt or keep)', decided({ integrations: [withRole(ROLE)] }), false],
    ['out of scope (offboarding reads the role)', decided({ inScope: false }), false],
    ['the role unreachable (the plan will wait)', decided({ role: { kind: 'unreachable', retryable: true, reason: 'denied' } }), false],
    ['the role not read', decided({ role: { kind: 'not-read', reason: 'left alone' } }), false],
  ])('%s: %s', (_name, facts, expected) => {
    expect(willCreateIntegration(facts, ROLE)).toBe(expected);
  });
});

describe('mintAhead', () => {
  function port(capabilities: AwsIntegrationPort['capabilities'], mint: () => Promise<string>): AwsIntegrationPort & { mints: number } {
    const unused = () => Promise.reject(new Error('not called'));
    const counted = {
      mints: 0,
      apiVersion: 'v2' as const,
      capabilities,
      mintExternalId: () => {
        counted.mints += 1;
        return mint();
      },
      listIntegrations: unused,
      createIntegration: unused,
      updateIntegration: unused,
      deleteIntegration: unused,
      rotateExternalId: unused,
      listNamespaces: unused,
    };
    return counted;
  }

  it('v2, an account that will get a new integration: minted', async () => {
    const datadog = port(v2Capabilities(), async () => 'ahead');
    await expect(mintAhead(Promise.resolve(decided()), ROLE, () => datadog)).resolves.toBe('ahead');
    expect(datadog.mints).toBe(1);
  });

  it.each<[string, AwsIntegrationPort['capabilities'], Promise<Decided>]>([
    ['v1 (the create issues the ID)', V1_CAPABILITIES, Promise.resolve(decided())],
    ['v2, an integration of ours listed', v2Capabilities(), Promise.resolve(decided({ integrations: [withRole(ROLE)] }))],
    ['v2, reading the account failed', v2Capabilities(), Promise.reject(new Error('throttled'))],
  ])('%s: nothing minted', async (_name, capabilities, facts) => {
    const datadog = port(capabilities, async () => 'ahead');
    await expect(mintAhead(facts, ROLE, () => datadog)).resolves.toBeUndefined();
    expect(datadog.mints).toBe(0);
  });

  it('v2, the mint fails: undefined (the act step mints as it would have)', async () => {
    const datadog = port(v2Capabilities(), () => Promise.reject(new Error('429')));
    await expect(mintAhead(Promise.resolve(decided()), ROLE, () => datadog)).resolves.toBeUndefined();
    expect(datadog.mints).toBe(1);
  });
});
