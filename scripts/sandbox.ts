/**
 * A local AWS Organization and a local Datadog to try the CLI on, no credentials needed:
 * the AWS stand-in (Organizations, STS, IAM) with a demo organization, and the Datadog
 * stand-in behind Prism's validating proxy loaded with Datadog's own v1 OpenAPI document.
 *
 *   npm run sandbox            (Ctrl-C stops)
 */
import { createDemoOrganization, describeDemoOrganization } from '../test/standins/aws/demo';
import { startAwsStandin } from '../test/standins/aws/index';
import { DatadogStandin } from '../test/standins/datadog';
import { DATADOG_V1_SPEC, startPrismProxy } from '../test/support/prism';

const API_KEY = 'sandbox-api-key-0000';
const APP_KEY = 'sandbox-app-key-0000';

async function main(): Promise<void> {
  const { model, ous } = createDemoOrganization();
  const aws = await startAwsStandin(model, { port: Number(process.env.SANDBOX_AWS_PORT ?? 4566) });
  const datadog = new DatadogStandin({ apiKey: API_KEY, appKey: APP_KEY });
  const upstream = await datadog.start();
  const prism = await startPrismProxy(DATADOG_V1_SPEC, upstream, Number(process.env.SANDBOX_DATADOG_PORT ?? 8126));

  const env = { ...aws.env(), DD_API_URL: prism.url, DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY };
  const lines = [
    `AWS stand-in (Organizations, STS, IAM): ${aws.url}`,
    `Datadog stand-in: ${upstream}, behind Prism (${DATADOG_V1_SPEC}): ${prism.url}`,
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
    '',
    'Ctrl-C stops everything.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
  const stop = async () => {
    await prism.stop();
    await datadog.stop();
    await aws.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  process.stderr.write(`sandbox: ${(error as Error).message}\n`);
  process.exit(1);
});
