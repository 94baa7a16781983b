// Bundles the CLI into dist/dd-aws-org.js for the package's `bin` (runs on `npm ci` via
// `prepare`). Dependencies stay external: npm installs them beside it.
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';

const outfile = 'dist/dd-aws-org.js';
await build({
  entryPoints: ['bin/dd-aws-org.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  logLevel: 'warning',
});
chmodSync(outfile, 0o755);
