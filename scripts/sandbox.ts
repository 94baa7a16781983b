/**
 * A local AWS Organization and a local Datadog to try the CLI on, no credentials needed:
 * the AWS stand-in (Organizations, STS, IAM) with a demo organization, and the Datadog
 * stand-in (both API versions over one store) behind Prism's validating proxies, one per
 * Datadog document, with a small router in front that sends /api/v1 and /api/v2 to each.
 * Without ../shared (a clone on its own) there are no documents to check against: the router
 * then sends both versions to the stand-in directly, and says so on stderr.
 *
 *   npm run sandbox            (Ctrl-C stops)
 */
import { createDemoOrganization, describeDemoOrganization } from '@datadog-aws-org-integration/standins/aws/demo';
import { startAwsStandin } from '@datadog-aws-org-integration/standins/aws';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, request, type Server } from 'node:http';
import { DatadogStandin } from '@datadog-aws-org-integration/standins/datadog';
import { DATADOG_V2_SPEC } from '@datadog-aws-org-integration/standins/datadog-v2';
import { DATADOG_V1_SPEC, startPrismProxy } from '../test/support/prism';

const API_KEY = 'sandbox-api-key-0000';
const APP_KEY = 'sandbox-app-key-0000';

async function main(): Promise<void> {
  const { model, ous } = createDemoOrganization();
  const aws = await startAwsStandin(model, { port: Number(process.env.SANDBOX_AWS_PORT ?? 4566) });
  const validated = existsSync(DATADOG_V1_SPEC) && existsSync(DATADOG_V2_SPEC);
  const datadog = new DatadogStandin({ apiKey: API_KEY, appKey: APP_KEY });
  // Prism checks answers against Datadog's v2 document, which says error strings where Datadog
  // sends JSON:API objects (README, "The Datadog client"): behind Prism, answer as the document says.
  if (validated) datadog.v2ErrorBodies = 'document';
  const upstream = await datadog.start();
  const prisms = validated ? await Promise.all([startPrismProxy(DATADOG_V1_SPEC, upstream), startPrismProxy(DATADOG_V2_SPEC, upstream)]) : [];
  const [v1Url, v2Url] = prisms.length === 2 ? prisms.map((prism) => prism.url) : [upstream, upstream];
  const router = await startRouter(v1Url!, v2Url!, Number(process.env.SANDBOX_DATADOG_PORT ?? 8126));
  if (!validated) {
    process.stderr.write(
      `sandbox: ../shared is absent (${DATADOG_V1_SPEC} not found): requests go to the Datadog stand-in directly and are NOT validated against Datadog's OpenAPI documents.\n`,
    );
  }

  const env = { ...aws.env(), DD_API_URL: router.url, DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY };
  const lines = [
    `AWS stand-in (Organizations, STS, IAM): ${aws.url}`,
    validated
      ? `Datadog stand-in (v1 and v2): ${upstream}, behind Prism with Datadog's v1 and v2 documents: ${router.url}`
      : `Datadog stand-in (v1 and v2): ${router.url} (not validated: ../shared is absent)`,
    '',
    '# In another shell:',
    ...Object.entries(env).map(([key, value]) => `export ${key}='${value}'`),
    'unset AWS_PROFILE AWS_SESSION_TOKEN',
    '',
    ...describeDemoOrganization(model, ous),
    '',
    '# then, for example:',
    '#   npm run --silent cli -- converge 222222222222 --dry-run',
    '#   npm run --silent cli -- converge 222222222222 333333333333 444444444444',
    '#   npm run --silent cli -- plan --deep',
    `#   echo '{"datadog":{"apiVersion":"v1"}}' > /tmp/v1.json && npm run --silent cli -- --config /tmp/v1.json plan --deep`,
    '',
    'Ctrl-C stops everything.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
  const stop = async () => {
    router.server.close();
    await Promise.all(prisms.map((prism) => prism.stop()));
    await datadog.stop();
    await aws.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

/** Each API version's requests go through the Prism proxy that holds its document. */
async function startRouter(v1: string, v2: string, port: number): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const target = new URL(req.url ?? '/', (req.url ?? '').startsWith('/api/v2/') ? v2 : v1);
    const upstream = request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', (error) => {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [`sandbox router: ${error.message}`] }));
    });
    req.pipe(upstream);
  });
  await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
  // The port bound, not the one asked for: SANDBOX_DATADOG_PORT=0 picks a free one.
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

main().catch((error: unknown) => {
  process.stderr.write(`sandbox: ${(error as Error).message}\n`);
  process.exit(1);
});
