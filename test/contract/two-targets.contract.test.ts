import { existsSync } from 'node:fs';
import { DATADOG_V2_SPEC } from '@datadog-aws-org-integration/standins/datadog-v2';
import { DEFAULT_TARGET, events, MOVED, type E2EHarness } from '../e2e/harness';
import { AP1, startTwoTargets, type ApiVersion } from '../e2e/two-targets';
import { DATADOG_V1_SPEC, startPrismProxy, violationRecorder, type PrismProxy } from '../support/prism';

/**
 * Two Datadog organizations, each behind its own `prism proxy <its version's document> <its
 * stand-in> --errors`: the real handlers onboard accounts into both targets and move accounts
 * between them, and every request and response of that traffic must conform to Datadog's
 * documents. Prism answers 422 to a request and 500 to a response that breaks the document; the
 * recorder keeps every violation it reports.
 */

const specsPresent = existsSync(DATADOG_V1_SPEC) && existsSync(DATADOG_V2_SPEC);

/** The default target on v2 (its document also covers the IAM permission lists read from it), the profile's on v1. */
const VERSIONS: readonly [ApiVersion, ApiVersion] = ['v2', 'v1'];
const SPEC: Record<string, string> = { [DEFAULT_TARGET]: DATADOG_V2_SPEC, [AP1]: DATADOG_V1_SPEC };

if (!specsPresent) {
  describe.skip(`Two Datadog targets contract: skipped because ../shared is absent (${DATADOG_V1_SPEC} or ${DATADOG_V2_SPEC} not found)`, () => {
    it('needs ../shared/datadog/aws-integration-v1.openapi.yaml and aws-integration-v2.openapi.yaml: ../shared is absent', () => undefined);
  });
} else {
  describe("Two Datadog targets contract: a move's traffic through Prism with Datadog's documents", () => {
    const prisms = new Map<string, PrismProxy>();
    let h: E2EHarness | undefined;

    afterEach(async () => {
      await h?.stop();
      for (const prism of prisms.values()) await prism.stop();
    }, 30_000);

    it('onboarding into both targets and moves both ways (default target v2 document, profile target v1 document): no violation', async () => {
      const recorder = violationRecorder();
      const world = await startTwoTargets(VERSIONS, {
        fetch: recorder.fetch,
        apiUrlFor: async (target, upstream) => {
          const prism = await startPrismProxy(SPEC[target]!, upstream);
          prisms.set(target, prism);
          return prism.url;
        },
      });
      h = world.h;
      // As the v2 contract suite: the stand-in answers errors as Datadog's v2 document says.
      h.datadog.v2ErrorBodies = 'document';
      const toAsia = h.model.createAccount({ name: 'to-asia', parentId: world.emea });
      const toEurope = h.model.createAccount({ name: 'to-europe', parentId: world.apacTeams });
      const stays = h.model.createAccount({ name: 'stays', parentId: world.apac });
      for (const id of [toAsia, toEurope, stays]) await h.deliverEvent(events.createAccountResult(id));
      expect((await h.runUntilIdle()).idle).toBe(true);
      h.model.moveAccount(toAsia, world.apac);
      h.model.moveAccount(toEurope, world.emea);
      for (const id of [toAsia, toEurope]) await h.deliverEvent(events.moveAccount(id));
      expect((await h.runUntilIdle()).idle).toBe(true);
      await h.reconcile();
      expect((await h.runUntilIdle()).idle).toBe(true);

      expect(h.finalCheck().problems).toEqual([]);
      expect(h.deletions.map((d) => `${d.target}/${d.accountId}: ${d.why}`)).toEqual([`${DEFAULT_TARGET}/${toAsia}: ${MOVED}`, `${AP1}/${toEurope}: ${MOVED}`]);
      expect(recorder.violations).toEqual([]);
      expect(recorder.responses.filter((r) => r.fromPrism || r.status === 422 || r.status === 500)).toEqual([]);
      // Both Datadog organizations were reached, each only through its own Prism.
      for (const [target, prism] of prisms) {
        const through = recorder.responses.filter((r) => r.url.startsWith(`${prism.url}/`));
        expect({ target, requests: through.length > 0 }).toEqual({ target, requests: true });
      }
      const prismUrls = [...prisms.values()].map((p) => `${p.url}/`);
      expect(recorder.responses.every((r) => prismUrls.some((url) => r.url.startsWith(url)))).toBe(true);
      // Each stand-in served what came through its Prism: v2 paths for the v2 target, v1 paths for the v1 one.
      expect(h.target(DEFAULT_TARGET).datadog.requests.every((r) => r.path.startsWith('/api/v2/'))).toBe(true);
      expect(h.target(AP1).datadog.requests.every((r) => r.path.startsWith('/api/v1/'))).toBe(true);
    }, 120_000);
  });
}
