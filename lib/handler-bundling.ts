import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * The Lambda handlers (the three of the pipeline, and the deploy-time check of the profiles'
 * secrets) and how they are bundled: the one place both the construct
 * (NodejsFunction from the sources) and the package build (the prebuilt bundles in
 * dist/handlers/) read, so the two cannot drift.
 */
export const HANDLER_NAMES = ['intake', 'worker', 'reconcile', 'secrets-check'] as const;
export type HandlerName = (typeof HANDLER_NAMES)[number];

export const HANDLER_BUNDLING = {
  minify: true,
  sourceMap: true,
  target: 'node24',
  // The Node.js runtime ships AWS SDK v3.
  externalModules: ['@aws-sdk/*'],
} as const satisfies BundlingOptions;
