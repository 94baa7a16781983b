#!/usr/bin/env node
import { createInterface } from 'node:readline/promises';
import { closableWriter } from '../cli/output';
import { runCli } from '../cli/program';

// The AWS SDK warns on every run under Node 20 that its 2027 releases need Node 22: the README
// says so once; an operator's terminal should not repeat it on each command.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

runCli(process.argv.slice(2), {
  env: process.env,
  // `| head` closes stdout early: the command then ends quietly (cli/output.ts).
  stdout: closableWriter(process.stdout),
  stderr: closableWriter(process.stderr),
  isInteractive: () => Boolean(process.stdin.isTTY && process.stderr.isTTY),
  prompt: async (question) => {
    const readline = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await readline.question(question);
    } finally {
      readline.close();
    }
  },
}).then((code) => {
  process.exitCode = code;
  // Work still pending when a command has ended (a parallel read its failure made moot, with its
  // retries) must not hold the exit or print after the verdict: exit once the output is flushed.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
});
