import { existsSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DATADOG_V2_SPEC } from '@datadog-aws-org-integration/standins/datadog-v2';
import { DEFAULT_TARGET, events, MOVED, type E2EHarness } from '../e2e/harness';
import { AP1, startTwoTargets, type ApiVersion } from '../e2e/two-targets';
import { DATADOG_V1_SPEC, startPrismProxy, violationRecorder, type PrismProxy } from '../support/prism';

/**
 * Two Datadog organizations, each behind its own `prism proxy <its version's document> <its
 * stand-in> --errors`: the real handlers onboard accounts into both targets and move accounts
 * between them, and every request and response of that traffic must conform to Datadog's
 * documents (a target on v1 whose traffic also reads v2's permission lists goes through a router:
 * each path to the Prism of its version's document). Prism answers 422 to a request and 500 to a response that breaks the document; the
 * recorder keeps every violation it reports.
 */

const specsPresent = existsSync(DATADOG_V1_SPEC) && existsSync(DATADOG_V2_SPEC);

const DOCUMENT: Record<ApiVersion, string> = { v1: DATADOG_V1_SPEC, v2: DATADOG_V2_SPEC };
/** The IAM permission lists, read (over v2) from the default target whatever its API version. */
const PERMISSION_LISTS = /^\/api\/v2\/integration\/aws\/iam_permissions(\/|$)/;

interface Front {
  readonly url: string;
  stop(): Promise<void>;
}

/** Sends /api/v1/... to one upstream and /api/v2/... to the other: a target whose traffic spans both documents gets each checked by its own. */
async function startVersionRouter(upstreams: Record<ApiVersion, string>): Promise<Front> {
  const server = createServer((req, res) => {
    const version: ApiVersion = (req.url ?? '').startsWith('/api/v1/') ? 'v1' : 'v2';
    const forwarded = request(new URL(req.url ?? '/', upstreams[version]), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forwarded.on('error', (error) => res.writeHead(502).end(error.message));
    req.pipe(forwarded);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

if (!specsPresent) {
  describe.skip(`Two Datadog targets contract: skipped because ../shared is absent (${DATADOG_V1_SPEC} or ${DATADOG_V2_SPEC} not found)`, () => {
    it('needs ../shared/datadog/aws-integration-v1.openapi.yaml and aws-integration-v2.openapi.yaml: ../shared is absent', () => undefined);
  });
} else {
  /** The default target's API version, the profile target's. */
  const PAIRS: readonly [ApiVersion, ApiVersion][] = [
    ['v2', 'v1'],
    ['v1', 'v2'],
  ];

  describe.each(PAIRS)("Two Datadog targets contract: a move's traffic through Prism with Datadog's documents (default target %s, profile target %s)", (top, profile) => {
    const prisms: PrismProxy[] = [];
    const routers: Front[] = [];
    let h: E2EHarness | undefined;

    afterEach(async () => {
      await h?.stop();
      for (const front of [...routers, ...prisms]) await front.stop();
      routers.length = 0;
      prisms.length = 0;
    }, 30_000);

    /** A target's Prism (its version's document); the default target on v1 also reads the permission lists over v2: a router in front of a Prism for each. */
    async function frontFor(target: string, upstream: string): Promise<string> {
      const version = target === DEFAULT_TARGET ? top : profile;
      const start = async (v: ApiVersion) => {
        const prism = await startPrismProxy(DOCUMENT[v], upstream);
        prisms.push(prism);
        return prism.url;
      };
      if (target !== DEFAULT_TARGET || version === 'v2') return start(version);
      const router = await startVersionRouter({ v1: await start('v1'), v2: await start('v2') });
      routers.push(router);
      return router.url;
    }

    it(`onboarding into both targets and moves both ways: every request and response conforms`, async () => {
      const recorder = violationRecorder();
      const world = await startTwoTargets([top, profile], { fetch: recorder.fetch, apiUrlFor: frontFor });
      h = world.h;
      // As the v2 contract suite: the stand-ins answer errors as Datadog's v2 document says.
      for (const target of h.targets.values()) target.datadog.v2ErrorBodies = 'document';
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
      // Every response came through a Prism (or a router in front of Prisms), and each Prism saw traffic.
      const fronts = [...h.targets.values()].map((t) => `${t.apiUrl}/`);
      expect(recorder.responses.every((r) => fronts.some((url) => r.url.startsWith(url)))).toBe(true);
      for (const target of h.targets.values()) {
        const version = target.label === DEFAULT_TARGET ? top : profile;
        const served = target.datadog.requests;
        expect({ target: target.label, served: served.length > 0 }).toEqual({ target: target.label, served: true });
        // Each stand-in served its version's API, and the default target the permission lists.
        expect(served.filter((r) => !r.path.startsWith(`/api/${version}/`) && !(target.label === DEFAULT_TARGET && PERMISSION_LISTS.test(r.path)))).toEqual([]);
      }
      if (top === 'v1') expect(h.datadog.requests.some((r) => r.path.startsWith('/api/v1/')) && h.datadog.requests.some((r) => PERMISSION_LISTS.test(r.path))).toBe(true);
    }, 120_000);
  });
}
