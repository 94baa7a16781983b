/**
 * npm run bench -- targets
 *
 * The scheduled reconcile of 10,000 accounts (5% drift, role checks on) when two profiles send
 * two of the organization's three top OUs to Datadog organizations of their own (other sites,
 * keys in their own Secrets Manager secrets): three targets of about 3,333 accounts, each its own
 * simulated Datadog with its own write limit. The product's code as in `reconcile`.
 */
import type { SimulatedOrganization } from './sim';
import { benchSettings, DATADOG_WRITES_PER_SECOND, LATENCY, ORGANIZATIONS_PER_SECOND, reconcileRun, SCHEDULED, type SetUpOptions } from './reconcile';

/** Profiles over the first two top-level OUs (a third of the accounts each); the third OU stays on the top level's target. */
export function threeTargetProfiles(org: SimulatedOrganization): unknown[] {
  const [europe, asiaPacific] = org.levels[0]!;
  return [
    { name: 'europe', match: { ous: [europe] }, datadog: { site: 'datadoghq.eu', credentialsSecretId: 'bench/datadog-europe' } },
    { name: 'asia-pacific', match: { ous: [asiaPacific] }, datadog: { site: 'ap1.datadoghq.com', credentialsSecretId: 'bench/datadog-asia-pacific' } },
  ];
}

const THREE_TARGETS: SetUpOptions = { ...SCHEDULED, profiles: threeTargetProfiles };

export async function runTargetsBench(argv: readonly string[] = []): Promise<void> {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  const { settings, label } = benchSettings(argv);
  const r = await reconcileRun(10_000, settings, THREE_TARGETS);
  out(
    `Three Datadog targets, simulated (${label}): each its own Datadog organization, writes ${DATADOG_WRITES_PER_SECOND}/s and ${LATENCY.datadog} ms each; ` +
      `one organization walk (${ORGANIZATIONS_PER_SECOND} calls/s) and one IAM for all.`,
  );
  for (const t of r.byTarget) {
    out(
      `  ${t.name}: ${t.accounts.toLocaleString('en-US')} accounts, ${t.drifted} drifted, ${t.writes} writes (min ${t.minimumWrites}), last Datadog call at ${t.lastCallSeconds.toFixed(1)} s`,
    );
  }
  out(
    `  walk ${r.walkSeconds.toFixed(1)} s (${r.calls.organizations} Organizations calls, min ${r.minimum.organizations}); STS ${r.calls.sts}, IAM ${r.calls.iam}; ` +
      `invocations / throttled / timed out ${r.queue.invocations} / ${r.queue.throttled} / ${r.queue.timedOut}; not converged ${r.notConverged}; real ${r.realSeconds.toFixed(1)} s`,
  );
  out(
    `  lower bound ${r.lowerBoundSeconds.toFixed(1)} s: the largest of the Organizations walk (${r.minimum.organizations} calls / ${ORGANIZATIONS_PER_SECOND}/s + a latency) ` +
      `and the slowest target's writes (${r.minimum.slowestTargetWrites} / ${DATADOG_WRITES_PER_SECOND}/s + a latency); STS and IAM have no limit (one latency each)`,
  );
  out();
  out(
    `reconcile 10,000 accounts over 3 Datadog targets (${label}): ${r.simulatedSeconds.toFixed(1)} s simulated, ` +
      `${(r.simulatedSeconds / r.lowerBoundSeconds).toFixed(2)}x the lower bound, ${r.queue.deadLettered} dead-lettered`,
  );
}
