/** serializeWrites: the writes of accounts converged side by side reach Datadog one at a time; reads do not wait. */
import { V1_CAPABILITIES } from './capabilities';
import type { AwsIntegrationPort, IntegrationSettings } from './port';
import { serializeWrites } from './serialized-writes';

/** A port whose every call waits until released, recording how many calls of each kind run at once. */
function recordingPort() {
  const pending: (() => void)[] = [];
  let writes = 0;
  let reads = 0;
  const peak = { writes: 0, reads: 0 };
  const call = <T>(kind: 'writes' | 'reads', value: T, fail = false) => {
    if (kind === 'writes') peak.writes = Math.max(peak.writes, ++writes);
    else peak.reads = Math.max(peak.reads, ++reads);
    return new Promise<T>((resolve, reject) =>
      pending.push(() => {
        if (kind === 'writes') writes -= 1;
        else reads -= 1;
        if (fail) reject(new Error('409'));
        else resolve(value);
      }),
    );
  };
  const port: AwsIntegrationPort = {
    apiVersion: 'v1',
    capabilities: V1_CAPABILITIES,
    listIntegrations: () => call('reads', []),
    listNamespaces: () => call('reads', []),
    createIntegration: (ref) => call('writes', { externalId: ref.accountId }, ref.accountId === 'fails'),
    updateIntegration: () => call('writes', undefined),
    deleteIntegration: () => call('writes', undefined),
    rotateExternalId: () => call('writes', { externalId: 'x' }),
    mintExternalId: () => call('writes', 'minted'),
  };
  /** Releases what is in flight until nothing is left (each release lets the next serialized write start). */
  const drain = async () => {
    for (let turn = 0; turn < 100 && (pending.length > 0 || turn < 2); turn++) {
      pending.splice(0).forEach((release) => release());
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { port, peak, drain };
}

const settings = {} as IntegrationSettings;

describe('serializeWrites', () => {
  it('runs writes one at a time, in call order, and keeps reads concurrent', async () => {
    const { port, peak, drain } = recordingPort();
    const serialized = serializeWrites(port);
    const calls = Promise.all([
      serialized.createIntegration({ accountId: '111111111111', roleName: 'R' }, settings),
      serialized.updateIntegration({ accountId: '222222222222', roleName: 'R' }, settings),
      serialized.rotateExternalId({ accountId: '333333333333', roleName: 'R' }),
      serialized.mintExternalId(),
      serialized.deleteIntegration({ accountId: '444444444444', roleName: 'R' }),
      serialized.listIntegrations(),
      serialized.listIntegrations({ accountId: '111111111111' }),
      serialized.listNamespaces(),
    ]);
    await drain();
    const results = await calls;
    expect(results[0]).toEqual({ externalId: '111111111111' });
    expect(results[3]).toBe('minted');
    expect(peak).toEqual({ writes: 1, reads: 3 });
    expect(serialized.apiVersion).toBe('v1');
    expect(serialized.capabilities).toBe(V1_CAPABILITIES);
  });

  it('a failed write fails its caller only; the next write still runs', async () => {
    const { port, drain } = recordingPort();
    const serialized = serializeWrites(port);
    const failing = serialized.createIntegration({ accountId: 'fails', roleName: 'R' }, settings);
    const next = serialized.createIntegration({ accountId: '555555555555', roleName: 'R' }, settings);
    const settled = Promise.allSettled([failing, next]);
    await drain();
    const [first, second] = await settled;
    expect(first).toMatchObject({ status: 'rejected', reason: new Error('409') });
    expect(second).toEqual({ status: 'fulfilled', value: { externalId: '555555555555' } });
  });
});
