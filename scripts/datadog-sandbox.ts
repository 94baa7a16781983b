/**
 * A local Datadog to try the CLI against: the stateful stand-in, behind Prism's validating
 * proxy loaded with Datadog's own v1 OpenAPI document. Prints the environment to use.
 *
 *   npm run sandbox:datadog            (Ctrl-C to stop)
 */
import { DatadogStandin } from '../test/standins/datadog';
import { DATADOG_V1_SPEC, startPrismProxy } from '../test/support/prism';

const API_KEY = 'sandbox-api-key-0000';
const APP_KEY = 'sandbox-app-key-0000';

async function main(): Promise<void> {
  const port = Number(process.env.SANDBOX_PORT ?? 8126);
  const standin = new DatadogStandin({ apiKey: API_KEY, appKey: APP_KEY });
  const upstream = await standin.start();
  const prism = await startPrismProxy(DATADOG_V1_SPEC, upstream, port);
  process.stdout.write(
    [
      `Datadog stand-in (stateful, in memory): ${upstream}`,
      `Prism validating proxy (${DATADOG_V1_SPEC}): ${prism.url}`,
      '',
      'In another shell:',
      `  export DD_API_URL=${prism.url} DD_API_KEY=${API_KEY} DD_APP_KEY=${APP_KEY}`,
      '  npm run --silent cli -- integration list',
      '',
      'Ctrl-C stops both.',
      '',
    ].join('\n'),
  );
  const stop = async () => {
    await prism.stop();
    await standin.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  process.stderr.write(`sandbox: ${(error as Error).message}\n`);
  process.exit(1);
});
