/**
 * The simulated Datadog in v2 mode: the product's v2 adapter and client over the simulated v2
 * API. External IDs are minted before the create and read back, an update costs its lookup,
 * settings read back as v2 stores them; the permission lists are served either way.
 */
import { capabilitiesOf, V1_CAPABILITIES } from '../../lambda/datadog/capabilities';
import { DatadogApiError } from '../../lambda/datadog/errors';
import type { IntegrationSettings } from '../../lambda/datadog/port';
import { DATADOG_STANDARD_PERMISSIONS } from '../../lambda/domain/datadog-permissions';
import { DatadogPermissionSource } from '../../lambda/observe/datadog-permissions';
import { VirtualClock } from '../../bench/sim/clock';
import { SimulatedDatadog } from '../../bench/sim/datadog';
import { SIMULATED_RESOURCE_COLLECTION_PERMISSIONS } from '../../bench/sim/datadog-v2';
import { DRIFT_KINDS, fewestDatadogWrites, type DriftKind } from '../../bench/sim/organization';

const ref = { accountId: '200000000001', roleName: 'DatadogIntegrationRole' };
const settings: IntegrationSettings = {
  hostTags: ['team:payments'],
  filterTags: [],
  excludedRegions: ['ap-east-1'],
  namespaceRules: { auto_scaling: false },
  metricsCollection: true,
  cspmResourceCollection: false,
  extendedResourceCollection: false,
};
const asStored = capabilitiesOf('v2').settingsAsStored(settings, 'aws');

function v2(): { clock: VirtualClock; datadog: SimulatedDatadog } {
  const clock = new VirtualClock();
  return { clock, datadog: new SimulatedDatadog(clock, { apiVersion: 'v2', writeRatePerSecond: 5 }) };
}

describe('SimulatedDatadog, API v2', () => {
  it("states v2's capabilities", () => {
    expect(v2().datadog).toMatchObject({ apiVersion: 'v2', capabilities: { readsExternalIdBack: true, mintsExternalIdBeforeCreate: true } });
    expect(new SimulatedDatadog(new VirtualClock()).capabilities).toBe(V1_CAPABILITIES);
  });

  it('creates with a minted external ID and lists it back, with the settings as v2 stores them', async () => {
    const { clock, datadog } = v2();
    const listed = await clock.run(async () => {
      const minted = await datadog.mintExternalId();
      await expect(datadog.createIntegration(ref, settings, { externalId: minted, partition: 'aws' })).resolves.toEqual({ externalId: minted });
      expect(datadog.externalIdOf(ref.accountId, ref.roleName)).toBe(minted);
      return datadog.listIntegrations({ accountId: ref.accountId });
    });
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ accountId: ref.accountId, auth: { kind: 'role', roleName: ref.roleName }, externalId: datadog.externalIdOf(ref.accountId, ref.roleName), settings: asStored });
    expect(datadog.service.stats()).toMatchObject({ writes: 2, reads: 1 });
  });

  it('refuses an external ID it did not mint, or minted and used already, and a second create (409)', async () => {
    const { clock, datadog } = v2();
    await clock.run(async () => {
      await expect(datadog.createIntegration(ref, settings, { externalId: 'f'.repeat(32) })).rejects.toMatchObject({ kind: 'bad-request', status: 400 });
      const minted = await datadog.mintExternalId();
      await datadog.createIntegration(ref, settings, { externalId: minted });
      const again = await datadog.createIntegration({ ...ref, accountId: '200000000002' }, settings, { externalId: minted }).catch((e: unknown) => e);
      expect(again).toMatchObject({ kind: 'bad-request' });
      const twice = await datadog.createIntegration(ref, settings).catch((e: unknown) => e);
      expect(twice).toBeInstanceOf(DatadogApiError);
      expect(twice).toMatchObject({ kind: 'conflict', status: 409 });
    });
  });

  it('an update and a rotation cost their lookup (and the rotation its mint), as v2 does', async () => {
    const { clock, datadog } = v2();
    datadog.seed({ accountId: ref.accountId, auth: { kind: 'role', roleName: ref.roleName }, settings, externalId: 'a'.repeat(32) });
    await clock.run(async () => {
      await datadog.updateIntegration(ref, { ...settings, hostTags: ['team:search'] });
      const { externalId } = await datadog.rotateExternalId(ref);
      expect(externalId).not.toBe('a'.repeat(32));
      expect(datadog.externalIdOf(ref.accountId, ref.roleName)).toBe(externalId);
    });
    expect(datadog.stored()[0]?.settings.hostTags).toEqual(['team:search']);
    const operations = datadog.service.stats().operations;
    expect(operations).toMatchObject({ ListAWSAccounts: { calls: 2 }, UpdateAWSAccount: { calls: 2, writes: 2 }, CreateNewAWSExternalID: { calls: 1, writes: 1 } });
  });

  it('a seeded integration reads back in sync: its external ID and its settings as v2 stores them', async () => {
    const { clock, datadog } = v2();
    datadog.seed({ accountId: ref.accountId, auth: { kind: 'role', roleName: ref.roleName }, settings, externalId: 'b'.repeat(32) });
    const [listed] = await clock.run(() => datadog.listIntegrations());
    expect(listed).toMatchObject({ externalId: 'b'.repeat(32), settings: asStored });
  });

  it("deletes, then answers the adapter's not-found", async () => {
    const { clock, datadog } = v2();
    datadog.seed({ accountId: ref.accountId, auth: { kind: 'role', roleName: ref.roleName }, settings, externalId: 'c'.repeat(32) });
    await clock.run(async () => {
      await datadog.deleteIntegration(ref);
      await expect(datadog.updateIntegration(ref, settings)).rejects.toMatchObject({ kind: 'not-found' });
    });
    expect(datadog.size).toBe(0);
  });

  it.each(['v1', 'v2'] as const)("serves Datadog's permission lists (API %s)", async (apiVersion) => {
    const clock = new VirtualClock();
    const datadog = new SimulatedDatadog(clock, { apiVersion });
    const source = new DatadogPermissionSource(datadog.permissionLists(), { now: () => clock.now() });
    const lists = await clock.run(() => source.current());
    expect(lists).toEqual({ standard: [...DATADOG_STANDARD_PERMISSIONS].sort(), resourceCollection: [...SIMULATED_RESOURCE_COLLECTION_PERMISSIONS].sort(), source: 'datadog' });
    expect(clock.now()).toBe(150);
  });
});

describe('fewestDatadogWrites', () => {
  const one = (kind: DriftKind) => [{ kind }];
  it.each<[DriftKind, number, number]>([
    ['missing-integration', 1, 2],
    ['missing-role', 1, 0],
    ['trust-drift', 0, 0],
    ['settings-drift', 1, 1],
    ['policy-drift', 0, 0],
  ])('%s: %d with v1, %d with v2', (kind, withV1, withV2) => {
    expect(fewestDatadogWrites(one(kind), capabilitiesOf('v1'))).toBe(withV1);
    expect(fewestDatadogWrites(one(kind), capabilitiesOf('v2'))).toBe(withV2);
  });

  it('covers every drift kind', () => {
    expect(() => DRIFT_KINDS.map((kind) => fewestDatadogWrites(one(kind), capabilitiesOf('v2')))).not.toThrow();
    expect(DRIFT_KINDS.every((kind) => Number.isInteger(fewestDatadogWrites(one(kind), capabilitiesOf('v1'))))).toBe(true);
  });
});
