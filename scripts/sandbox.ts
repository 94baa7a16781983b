/**
 * A local AWS Organization and a local Datadog to try the CLI on, no credentials needed:
 * the AWS stand-in (Organizations, STS, IAM, Secrets Manager) with a demo organization, and two
 * Datadog organizations (stand-ins, both API versions over one store each) behind Prism's
 * validating proxies, one per Datadog document, with a small router in front that sends /api/v1
 * and /api/v2 to each. The second Datadog organization is a profile's target (ap1.datadoghq.com,
 * keys in a secret); requests reach the organization their keys belong to, as at Datadog.
 * Without ../shared (a clone on its own) there are no documents to check against: the router
 * then sends both versions to the stand-in directly, and says so on stderr.
 *
 *   npm run sandbox            (Ctrl-C stops)
 */
import { createDemoOrganization, describeDemoOrganization } from '@datadog-aws-org-integration/standins/aws/demo';
import { startAwsStandin } from '@datadog-aws-org-integration/standins/aws';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { DatadogStandin } from '@datadog-aws-org-integration/standins/datadog';
import { DATADOG_V2_SPEC } from '@datadog-aws-org-integration/standins/datadog-v2';
import { DATADOG_V1_SPEC, startPrismProxy } from '../test/support/prism';

const API_KEY = 'sandbox-api-key-0000';
const APP_KEY = 'sandbox-app-key-0000';
/** The profile's Datadog organization: its site, and the secret holding its keys. */
const AP1_SITE = 'ap1.datadoghq.com';
const AP1_SECRET = 'datadog/ap1-keys';
const AP1_KEYS = { apiKey: 'sandbox-ap1-api-key-0000', appKey: 'sandbox-ap1-app-key-0000' };
const PROFILES_CONFIG = '/tmp/dd-aws-org-profiles.json';

async function main(): Promise<void> {
  const { model, ous } = createDemoOrganization();
  const aws = await startAwsStandin(model, { port: Number(process.env.SANDBOX_AWS_PORT ?? 4566) });
  const validated = existsSync(DATADOG_V1_SPEC) && existsSync(DATADOG_V2_SPEC);
  const datadog = new DatadogStandin({ apiKey: API_KEY, appKey: APP_KEY });
  const ap1 = new DatadogStandin(AP1_KEYS);
  // Prism checks answers against Datadog's v2 document, which says error strings where Datadog
  // sends JSON:API objects (README, "The Datadog client"): behind Prism, answer as the document says.
  if (validated) datadog.v2ErrorBodies = ap1.v2ErrorBodies = 'document';
  const [defaultUrl, ap1Url] = await Promise.all([datadog.start(), ap1.start()]);
  model.putSecret(AP1_SECRET, JSON.stringify(AP1_KEYS));
  // One upstream for Prism: the keys of a request pick its Datadog organization.
  const organizations = await startProxy((req) => (req.headers['dd-api-key'] === AP1_KEYS.apiKey ? ap1Url! : defaultUrl!), 0);
  const upstream = organizations.url;
  const prisms = validated ? await Promise.all([startPrismProxy(DATADOG_V1_SPEC, upstream), startPrismProxy(DATADOG_V2_SPEC, upstream)]) : [];
  const [v1Url, v2Url] = prisms.length === 2 ? prisms.map((prism) => prism.url) : [upstream, upstream];
  const router = await startProxy((req) => ((req.url ?? '').startsWith('/api/v2/') ? v2Url! : v1Url!), Number(process.env.SANDBOX_DATADOG_PORT ?? 8126));
  if (!validated) {
    process.stderr.write(
      `sandbox: ../shared is absent (${DATADOG_V1_SPEC} not found): requests go to the Datadog stand-in directly and are NOT validated against Datadog's OpenAPI documents.\n`,
    );
  }

  const env = { ...aws.env(), DD_API_URL: router.url, DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY };
  // The example, pointed at the stand-ins: Asia's accounts tagged region-group=apac report to ap1.
  const profiles = {
    datadog: { apiVersion: 'v2' },
    integration: { resourceCollection: true },
    profiles: [
      {
        name: 'asia',
        match: { ous: [ous.asia], accounts: [], tags: { 'region-group': 'apac' } },
        datadog: { site: AP1_SITE, apiUrl: router.url, credentialsSecretId: AP1_SECRET },
        integration: { metricsCollection: false },
      },
    ],
  };
  const lines = [
    `AWS stand-in (Organizations, STS, IAM, Secrets Manager): ${aws.url}`,
    validated
      ? `Datadog stand-ins (v1 and v2): ${defaultUrl} and ${ap1Url} (${AP1_SITE}), behind Prism with Datadog's v1 and v2 documents: ${router.url}`
      : `Datadog stand-ins (v1 and v2): ${router.url} (not validated: ../shared is absent)`,
    `  the keys pick the Datadog organization: DD_API_KEY / DD_APP_KEY the default one, secret ${AP1_SECRET} (in the AWS stand-in) the ${AP1_SITE} one`,
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
    `# Profiles: a second Datadog target (${AP1_SITE}, its keys in secret ${AP1_SECRET}) for Asia's accounts tagged region-group=apac:`,
    `#   echo '${JSON.stringify(profiles)}' > ${PROFILES_CONFIG}`,
    `#   npm run --silent cli -- --config ${PROFILES_CONFIG} plan`,
    `#   npm run --silent cli -- --config ${PROFILES_CONFIG} apply`,
    '',
    'Ctrl-C stops everything.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
  const stop = async () => {
    router.server.close();
    await Promise.all(prisms.map((prism) => prism.stop()));
    organizations.server.close();
    await Promise.all([datadog.stop(), ap1.stop()]);
    await aws.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

/** Forwards each request to the base URL `upstreamOf` picks: by API version (a Prism proxy per document), or by keys (a Datadog organization). */
async function startProxy(upstreamOf: (req: IncomingMessage) => string, port: number): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const target = new URL(req.url ?? '/', upstreamOf(req));
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
