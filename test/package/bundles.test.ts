import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HANDLER_BUNDLING, HANDLER_NAMES } from '../../lib/handler-bundling';
import { ORGANIZATIONS_EVENTS_REGION } from '../../lib/datadog-org-integration';
import { DatadogOrgIntegrationStack } from '../../lib/datadog-org-integration-stack';
import { parseConfig } from '../../lambda/config/schema';
import { bundleHandlers, esbuildOptionsFor } from '../../scripts/handler-bundles';

/**
 * The package's prebuilt bundles (scripts/handler-bundles.ts, esbuild's API) and what the
 * construct bundles from the sources (NodejsFunction, esbuild's CLI) must be the same code:
 * both read HANDLER_BUNDLING, and this proves the translation between them loses nothing.
 */

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dd-bundles-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('prebuilt Lambda bundles', () => {
  it('are byte for byte what the construct bundles from the sources, for each handler', async () => {
    const prebuiltDir = join(dir, 'prebuilt');
    await bundleHandlers(prebuiltDir);

    // Bundling on (no 'aws:cdk:bundling-stacks' context): NodejsFunction runs the local esbuild.
    const outdir = join(dir, 'cdk.out');
    const app = new App({ outdir });
    const stack = new DatadogOrgIntegrationStack(app, 'Bundled', {
      // A profile with a secret of its own: the stack then has the secrets check too.
      config: parseConfig({
        datadog: { apiVersion: 'v2' },
        profiles: [{ name: 'asia', match: { ous: ['ou-ab12-cdef3456'] }, datadog: { site: 'ap1.datadoghq.com', credentialsSecretId: 'datadog/ap1-keys' } }],
      }),
      env: { account: '111111111111', region: ORGANIZATIONS_EVENTS_REGION },
    });
    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Properties: { Code: { S3Key: string }; Handler: string } }>;
    app.synth();

    const { intake, worker, reconcile, secretsCheck } = stack.integration;
    const functions = { intake, worker, reconcile, 'secrets-check': secretsCheck! };
    for (const name of HANDLER_NAMES) {
      const fn = functions[name];
      const { Code, Handler } = resources[stack.getLogicalId(fn.node.defaultChild as never)]!.Properties;
      expect(Handler).toBe('index.handler');
      const assetDir = join(outdir, `asset.${Code.S3Key.replace(/\.zip$/, '')}`);
      const fromSources = readFileSync(join(assetDir, 'index.js'), 'utf8');
      const prebuilt = readFileSync(join(prebuiltDir, name, 'index.js'), 'utf8');
      expect(prebuilt.length).toBeGreaterThan(1000);
      // Not toEqual: a diff of two 100 kB minified lines says nothing.
      expect(prebuilt === fromSources ? 'same' : `${name}: prebuilt ${prebuilt.length} bytes, from the sources ${fromSources.length} bytes`).toBe('same');
      expect(readFileSync(join(prebuiltDir, name, 'index.js.map'), 'utf8')).toContain('"mappings"');
    }
  });

  it('refuses a bundling setting it does not translate to esbuild', () => {
    expect(() => esbuildOptionsFor({ ...HANDLER_BUNDLING, keepNames: true } as unknown as typeof HANDLER_BUNDLING)).toThrow(/keepNames/);
  });
});
