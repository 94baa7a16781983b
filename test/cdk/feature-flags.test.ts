import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp, CDK_JSON_CONTEXT, resources } from './helpers';

/**
 * cdk.json sets every feature flag the installed aws-cdk-lib recommends (its own
 * recommended-feature-flags.json), so `cdk synth` has no "feature flags are not configured" note;
 * the CDK suites build with those flags, as `cdk synth` does.
 */
const RECOMMENDED = JSON.parse(
  readFileSync(join(require.resolve('aws-cdk-lib/package.json'), '..', 'recommended-feature-flags.json'), 'utf8'),
) as Record<string, unknown>;

describe('feature flags', () => {
  it("cdk.json's context sets each of aws-cdk-lib's recommended flags to the recommended value", () => {
    const missing = Object.entries(RECOMMENDED).filter(([flag, value]) => JSON.stringify(CDK_JSON_CONTEXT[flag]) !== JSON.stringify(value));
    expect(missing).toEqual([]);
    expect(Object.keys(RECOMMENDED).length).toBeGreaterThan(50);
  });

  it('the CDK suites build with them: @aws-cdk/aws-iam:minimizePolicies sorts the actions of each statement', () => {
    const { app, template } = buildApp();
    expect(app.node.tryGetContext('@aws-cdk/aws-iam:minimizePolicies')).toBe(true);
    const statements = Object.values(resources(template, 'AWS::IAM::Policy')).flatMap(
      (policy) => (policy as { Properties: { PolicyDocument: { Statement: { Action: string | string[] }[] } } }).Properties.PolicyDocument.Statement,
    );
    const lists = statements.map((s) => s.Action).filter((action): action is string[] => Array.isArray(action) && action.length > 1);
    expect(lists.length).toBeGreaterThan(0);
    for (const actions of lists) expect(actions).toEqual([...actions].sort());
  });
});
