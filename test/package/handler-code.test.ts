import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { HANDLER_BUNDLING } from '../../lib/handler-bundling';
import { PREBUILT_HANDLERS_DIR, handlerCode } from '../../lib/handler-code';

/** Which code a function gets: the TypeScript entry when it exists, else the package's prebuilt bundle. */

const SOURCES = join(__dirname, '..', '..', 'lambda', 'handlers');
let prebuilt: string;
beforeAll(() => {
  prebuilt = mkdtempSync(join(tmpdir(), 'dd-prebuilt-'));
  mkdirSync(join(prebuilt, 'worker'));
  writeFileSync(join(prebuilt, 'worker', 'index.js'), 'exports.handler = async () => ({});\n');
});
afterAll(() => rmSync(prebuilt, { recursive: true, force: true }));

describe('handlerCode', () => {
  it('bundles the sources with HANDLER_BUNDLING when the entry exists, even beside a prebuilt bundle', () => {
    const entry = join(SOURCES, 'worker.ts');
    expect(handlerCode(entry, prebuilt)).toEqual({ entry, handler: 'handler', bundling: HANDLER_BUNDLING });
  });

  it('uses the prebuilt bundle of the same name when the entry does not exist', () => {
    const code = handlerCode('/nowhere/lambda/handlers/worker.ts', prebuilt);
    expect(code.entry).toBeUndefined();
    expect(code.bundling).toBeUndefined();
    expect(code.handler).toBe('index.handler');

    const stack = new Stack(new App(), 'Prebuilt');
    new NodejsFunction(stack, 'Worker', { ...code, runtime: Runtime.NODEJS_24_X });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler', Runtime: 'nodejs24.x' });
  });

  it('says which two paths it looked at when there is neither', () => {
    expect(() => handlerCode('/nowhere/intake.ts', prebuilt)).toThrow(`no Lambda handler at /nowhere/intake.ts and no prebuilt bundle at ${join(prebuilt, 'intake', 'index.js')}`);
  });

  it('looks for the prebuilt bundles beside the compiled library (dist/lib -> dist/handlers), a folder the sources do not have', () => {
    expect(PREBUILT_HANDLERS_DIR).toBe(join(__dirname, '..', '..', 'handlers'));
  });
});
