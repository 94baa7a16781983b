import { capabilitiesOf } from '../datadog/capabilities';
import type { Config } from '../config/schema';
import { routingOf } from '../config/profiles';
import type { Integration } from '../datadog/port';
import type { AccountObservation } from '../observe/model';
import { datadogTrustPolicy } from '../domain/policy';
import { holdDeletions, planAccount } from './plan-account';
import {
  AP1_PRINCIPAL,
  EXTERNAL_ID,
  MARKER,
  OTHER_EXTERNAL_ID,
  OTHER_ORGANIZATION_ID,
  OU_PROD,
  US1_PRINCIPAL,
  desiredObservedRole,
  inSyncObservation,
  makeConfig,
  orgAccount,
  ourIntegration,
} from '../../test/support/plan-fixtures';

/**
 * Moves between Datadog targets: an account whose profile now reports elsewhere. The default
 * target is datadoghq.com; the "asia" profile reports to ap1.datadoghq.com (another principal).
 */
const OU_ASIA = 'ou-ab12-44444444';
const AP1 = 'ap1.datadoghq.com';
const US1 = 'datadoghq.com';

describe.each(['v1', 'v2'] as const)('planAccount: a move between Datadog targets (%s)', (apiVersion) => {
  const config = makeConfig({
    datadog: { apiVersion },
    profiles: [{ name: 'asia', match: { ous: [OU_ASIA] }, datadog: { site: AP1, credentialsSecretId: 'datadog/ap1-keys' }, integration: { metricsCollection: false } }],
  });
  const routing = routingOf(config);
  const capabilities = capabilitiesOf(apiVersion);
  const known = (externalId?: string) => (capabilities.readsExternalIdBack && externalId ? { externalId } : {});
  /** Ours as the given target's settings read it back, with our marker. */
  const oursIn = (settingsConfig: Config, externalId?: string): Integration => ourIntegration(settingsConfig, orgAccount(), known(externalId));
  const asiaConfig = routing.routeOf({ accountId: '123456789012', parentPath: [OU_ASIA], tags: {} }).config;

  /** The account left the asia OU: its integration is still in ap1 and its role trusts ap1. */
  const movedOut = (): AccountObservation => {
    const synced = inSyncObservation({ config: routing.defaultTarget.config });
    return {
      ...synced,
      integrations: [],
      route: { target: US1 },
      elsewhere: [{ target: AP1, integrations: [oursIn(asiaConfig, EXTERNAL_ID)] }],
      role: { kind: 'present', role: { ...desiredObservedRole(config), trustPolicy: datadogTrustPolicy(AP1_PRINCIPAL, EXTERNAL_ID) } },
    };
  };

  it('creates in the new target, rewrites the trust to its principal, then deletes ours in the old target (in that order, v2 too)', () => {
    const plan = planAccount(movedOut(), routing.defaultTarget.config, capabilities);
    expect(plan.target).toBe(US1);
    expect(plan.actions.map((a) => [a.type, a.target])).toEqual([
      ['create-integration', undefined],
      ['update-role-trust', undefined],
      ['delete-integration', AP1],
    ]);
    const trust = plan.actions.find((a) => a.type === 'update-role-trust');
    expect(trust && 'trust' in trust && trust.trust.principalArn).toBe(US1_PRINCIPAL);
    expect(plan.actions[2]!.reason).toMatch(/the account reports to datadoghq\.com now: our integration in Datadog target ap1\.datadoghq\.com is removed/);
  });

  it("moving in: the profile's settings and target, and the top level's integration removed", () => {
    const observation: AccountObservation = {
      ...inSyncObservation({ config: routing.defaultTarget.config, account: { parentPath: ['r-ab12', OU_ASIA] } }),
      integrations: [],
      route: { profile: 'asia', target: AP1 },
      elsewhere: [{ target: US1, integrations: [ourIntegration(routing.defaultTarget.config, orgAccount({ parentPath: ['r-ab12', OU_ASIA] }), known(OTHER_EXTERNAL_ID))] }],
    };
    const plan = planAccount(observation, asiaConfig, capabilities);
    expect(plan.profile).toBe('asia');
    const create = plan.actions.find((a) => a.type === 'create-integration');
    expect(create && 'settings' in create && create.settings.metricsCollection).toBe(false);
    const trust = plan.actions.find((a) => a.type === 'update-role-trust');
    expect(trust && 'trust' in trust && trust.trust.principalArn).toBe(AP1_PRINCIPAL);
    expect(plan.actions.at(-1)).toMatchObject({ type: 'delete-integration', target: US1 });
  });

  it('a half-done move (created in the new target, the trust not rewritten yet) is finished: trust, then the old one deleted', () => {
    const observation = { ...movedOut(), integrations: [oursIn(routing.defaultTarget.config, OTHER_EXTERNAL_ID)] };
    const types = planAccount(observation, routing.defaultTarget.config, capabilities).actions.map((a) => a.type);
    // v1 cannot tell which ID the role trusts: a new one is rotated in first; v2 reads it back.
    expect(types).toEqual(capabilities.readsExternalIdBack ? ['update-role-trust', 'delete-integration'] : ['rotate-external-id', 'update-role-trust', 'delete-integration']);
  });

  it('moved between two targets with one principal (datadoghq.com and datadoghq.eu): the old ID in the trust is not taken as right', () => {
    const eu = makeConfig({
      datadog: { apiVersion },
      profiles: [{ name: 'eu', match: { ous: [OU_ASIA] }, datadog: { site: 'datadoghq.eu', credentialsSecretId: 'datadog/eu-keys' } }],
    });
    const euRouting = routingOf(eu);
    const trustingOld = { ...desiredObservedRole(eu), trustPolicy: datadogTrustPolicy(US1_PRINCIPAL, EXTERNAL_ID) };
    const observation: AccountObservation = {
      ...inSyncObservation({ config: euRouting.defaultTarget.config }),
      integrations: [ourIntegration(euRouting.defaultTarget.config, orgAccount(), known(OTHER_EXTERNAL_ID))],
      route: { target: US1 },
      elsewhere: [{ target: 'datadoghq.eu', integrations: [ourIntegration(euRouting.defaultTarget.config, orgAccount(), known(EXTERNAL_ID))] }],
      role: { kind: 'present', role: trustingOld },
    };
    const types = planAccount(observation, euRouting.defaultTarget.config, capabilities).actions.map((a) => a.type);
    expect(types).toEqual(capabilities.readsExternalIdBack ? ['update-role-trust', 'delete-integration'] : ['rotate-external-id', 'update-role-trust', 'delete-integration']);
  });

  it('a leftover without our marker is left alone, and the plan says why', () => {
    const unmarked = { ...oursIn(asiaConfig, EXTERNAL_ID) };
    const theirs = { ...unmarked, settings: { ...unmarked.settings, hostTags: unmarked.settings.hostTags.filter((t) => t !== MARKER.toLowerCase()) } };
    const foreign = { ...unmarked, settings: { ...unmarked.settings, hostTags: [`datadog-aws-org-integration:${OTHER_ORGANIZATION_ID}`] } };
    for (const leftover of [theirs, foreign]) {
      const plan = planAccount({ ...movedOut(), elsewhere: [{ target: AP1, integrations: [leftover] }] }, routing.defaultTarget.config, capabilities);
      expect(plan.actions.some((a) => a.type === 'delete-integration')).toBe(false);
      expect(plan.notes.join('\n')).toMatch(/in Datadog target ap1\.datadoghq\.com left alone: it does not carry our marker/);
    }
  });

  it('a leftover with the external ID of the own target\'s integration is the same one reached twice: never deleted', () => {
    if (!capabilities.readsExternalIdBack) return; // v1 reads no external ID back: nothing to compare
    const own = oursIn(routing.defaultTarget.config, EXTERNAL_ID);
    const plan = planAccount({ ...movedOut(), integrations: [own] }, routing.defaultTarget.config, capabilities);
    expect(plan.actions.some((a) => a.type === 'delete-integration')).toBe(false);
    expect(plan.notes.join('\n')).toMatch(/both targets are one Datadog organization/);
  });

  it('an offboarded account (closed) loses ours in every target', () => {
    const closed: AccountObservation = {
      ...movedOut(),
      integrations: [oursIn(routing.defaultTarget.config)],
      organization: orgAccount({ state: 'CLOSED' }),
      role: { kind: 'not-read', reason: 'the account is CLOSED' },
    };
    const plan = planAccount(closed, routing.defaultTarget.config, capabilities);
    expect(plan.actions.map((a) => [a.type, a.target])).toEqual([
      ['delete-integration', undefined],
      ['delete-integration', AP1],
    ]);
  });

  it('the deletion guard holds a leftover deletion too; the create and the trust go ahead', () => {
    const held = holdDeletions(planAccount(movedOut(), routing.defaultTarget.config, capabilities), 'guard');
    expect(held.actions.map((a) => a.type)).toEqual(['create-integration', 'update-role-trust']);
    expect(held.held).toEqual([expect.objectContaining({ type: 'delete-integration', target: AP1 })]);
  });

  it('another target that could not be listed is named in the notes; nothing there is planned', () => {
    const plan = planAccount({ ...movedOut(), elsewhere: undefined, unlisted: [{ target: AP1, reason: 'Datadog answered 403' }] }, routing.defaultTarget.config, capabilities);
    expect(plan.actions.some((a) => a.type === 'delete-integration')).toBe(false);
    expect(plan.notes).toContain('Datadog target ap1.datadoghq.com could not be listed (Datadog answered 403): nothing of ours there is removed in this run');
  });

  it('an account that did not move plans nothing in the other targets', () => {
    const plan = planAccount({ ...inSyncObservation({ config: routing.defaultTarget.config }), route: { target: US1 } }, routing.defaultTarget.config, capabilities);
    expect(plan.actions.map((a) => a.type)).toEqual(['none']);
  });

  it('the scope rule is the top level\'s: an excluded OU is left alone whatever its profile', () => {
    const excluded = makeConfig({ datadog: { apiVersion }, scope: { excludeOus: [OU_PROD] }, profiles: config.profiles });
    const plan = planAccount({ ...movedOut(), elsewhere: movedOut().elsewhere }, routingOf(excluded).defaultTarget.config, capabilities);
    expect(plan.actions).toEqual([{ type: 'none', reason: expect.stringMatching(/scope\.excludeOus/) }]);
  });
});
