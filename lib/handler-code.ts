import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Code } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { HANDLER_BUNDLING } from './handler-bundling';
import { InputError } from '../lambda/domain/errors';

/**
 * Where the package's prebuilt bundles sit: compiled, this module is dist/lib/handler-code.js
 * and the bundles are dist/handlers/<name>/index.js. From the sources (lib/) the folder does
 * not exist, so this repository always bundles its current sources.
 */
export const PREBUILT_HANDLERS_DIR = path.join(__dirname, '..', 'handlers');

export type HandlerCode = Pick<NodejsFunctionProps, 'entry' | 'handler' | 'bundling' | 'code'>;

/**
 * What a NodejsFunction runs: its TypeScript entry, bundled at synth with HANDLER_BUNDLING,
 * when that file exists (this repository, or a handlersDir given to the construct);
 * otherwise the prebuilt bundle of the same name as an asset, so a synth needs no
 * TypeScript, tsx, esbuild or Docker.
 */
export function handlerCode(entry: string, prebuiltDir = PREBUILT_HANDLERS_DIR): HandlerCode {
  if (existsSync(entry)) return { entry, handler: 'handler', bundling: HANDLER_BUNDLING };
  const bundleDir = path.join(prebuiltDir, path.basename(entry, path.extname(entry)));
  if (existsSync(path.join(bundleDir, 'index.js'))) return { code: Code.fromAsset(bundleDir), handler: 'index.handler' };
  throw new InputError(
    `no Lambda handler at ${entry} and no prebuilt bundle at ${path.join(bundleDir, 'index.js')}: reinstall datadog-aws-org-integration, or in its repository run npm run build`,
  );
}
