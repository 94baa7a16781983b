import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack, type CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Config } from '../../lambda/config/schema';
import { CONFIG_CONTEXT_KEY, configFromContext } from '../../lib/config';
import { ControlTowerForwarderStack } from '../../lib/control-tower-forwarder-stack';
import { ORGANIZATIONS_EVENTS_REGION } from '../../lib/datadog-org-integration';
import { DatadogOrgIntegrationStack } from '../../lib/datadog-org-integration-stack';

/**
 * Shared helpers for the CDK tests: building the app as bin/app.ts does (without bundling),
 * reading IAM out of a template, rendering Fn::Join tokens, and a small EventBridge matcher.
 */

export const ACCOUNT = '111111111111';

export type Json = Record<string, unknown>;
/** The `datadogAwsOrg` context value: raw (unvalidated) configuration. */
export type Settings = Json | string;

export interface Built {
  readonly app: App;
  readonly config: Config;
  readonly stack: DatadogOrgIntegrationStack;
  readonly template: Template;
  readonly forwarder?: ControlTowerForwarderStack;
  readonly forwarderTemplate?: Template;
}

/**
 * cdk.json's context (the recommended feature flags among it): `cdk synth` and `cdk deploy` build
 * with it, so the tests build with it too, or they would check another template than the deployed one.
 */
export const CDK_JSON_CONTEXT: Json = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: Json }).context;

function newApp(settings: Settings | undefined): App {
  return new App({
    context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [], ...(settings === undefined ? {} : { [CONFIG_CONTEXT_KEY]: settings }) },
  });
}

/**
 * The stacks bin/app.ts builds, built the same way: configuration from context, the main
 * stack in us-east-1, the forwarder in Control Tower's home region when that differs.
 */
export function buildApp(settings?: Settings): Built {
  const app = newApp(settings);
  const config = configFromContext(app.node);
  const stack = new DatadogOrgIntegrationStack(app, 'DatadogOrgIntegration', {
    config,
    env: { account: ACCOUNT, region: ORGANIZATIONS_EVENTS_REGION },
  });
  const { controlTower } = config.deployment;
  const forwarder =
    controlTower.enabled && controlTower.homeRegion !== ORGANIZATIONS_EVENTS_REGION
      ? new ControlTowerForwarderStack(app, 'DatadogOrgIntegrationControlTower', { env: { account: ACCOUNT, region: controlTower.homeRegion } })
      : undefined;
  return {
    app,
    config,
    stack,
    template: Template.fromStack(stack),
    forwarder,
    forwarderTemplate: forwarder && Template.fromStack(forwarder),
  };
}

const cache = new Map<string, Built>();

/** buildApp, memoised per configuration (within one test file). Treat the result as read-only. */
export function built(settings: Json = {}): Built {
  const key = JSON.stringify(settings);
  let result = cache.get(key);
  if (!result) {
    result = buildApp(settings);
    cache.set(key, result);
  }
  return result;
}

/** A main stack with a chosen env (or none), e.g. to test the region guard. */
export function buildStack(env: { account?: string; region?: string } | undefined, settings?: Settings): DatadogOrgIntegrationStack {
  const app = newApp(settings);
  return new DatadogOrgIntegrationStack(app, 'DatadogOrgIntegration', { config: configFromContext(app.node), ...(env && { env }) });
}

export function logicalId(construct: { node: { defaultChild?: unknown } } | CfnResource): string {
  const cfn = ('logicalId' in construct ? construct : construct.node.defaultChild) as CfnResource;
  return Stack.of(cfn).getLogicalId(cfn);
}

/** The logical ID of a function's role. */
export function roleIdOf(fn: IFunction): string {
  if (!fn.role) throw new Error(`${fn.node.path} has no role`);
  return logicalId(fn.role);
}

export function resources(template: Template, type: string): Record<string, Json> {
  return template.findResources(type) as Record<string, Json>;
}

export function props(resource: Json): Json {
  return (resource.Properties ?? {}) as Json;
}

// ---------------------------------------------------------------------------------------
// IAM

export interface Statement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: unknown;
  readonly Principal?: unknown;
  readonly Condition?: unknown;
}

export function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

export function actionsOf(statement: Statement): string[] {
  return asArray(statement.Action);
}

export function resourcesOf(statement: Statement): unknown[] {
  return asArray(statement.Resource as unknown);
}

function refId(value: unknown): string | undefined {
  if (typeof value === 'object' && value !== null && 'Ref' in value) return String((value as { Ref: unknown }).Ref);
  return undefined;
}

/** Identity-based statements per role logical ID: inline Policies, AWS::IAM::Policy and AWS::IAM::ManagedPolicy. */
export function statementsByRole(template: Template): Map<string, Statement[]> {
  const byRole = new Map<string, Statement[]>();
  const add = (roleId: string, statements: Statement[]) => byRole.set(roleId, [...(byRole.get(roleId) ?? []), ...statements]);
  for (const [id, role] of Object.entries(resources(template, 'AWS::IAM::Role'))) {
    add(id, []);
    for (const policy of asArray(props(role).Policies as Json[] | undefined)) {
      add(id, asArray((policy.PolicyDocument as Json).Statement as Statement[]));
    }
  }
  for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
    for (const [id, policy] of Object.entries(resources(template, type))) {
      const statements = asArray((props(policy).PolicyDocument as Json).Statement as Statement[]);
      const roles = asArray(props(policy).Roles as unknown[] | undefined).map(refId);
      if (roles.length === 0 || roles.some((r) => r === undefined)) throw new Error(`${id}: attached to something other than a role of this template`);
      for (const roleId of roles) add(roleId!, statements);
    }
  }
  return byRole;
}

/** Every identity-based statement of the template, with the role it belongs to. */
export function allStatements(template: Template): Array<{ roleId: string; statement: Statement }> {
  return [...statementsByRole(template)].flatMap(([roleId, statements]) => statements.map((statement) => ({ roleId, statement })));
}

/** Every policy document in the template, identity- or resource-based: [where, statements]. */
export function allPolicyDocuments(template: Template): Array<[string, Statement[]]> {
  const documents: Array<[string, Statement[]]> = [];
  const visit = (where: string, value: unknown) => {
    if (Array.isArray(value)) value.forEach((v, i) => visit(`${where}[${i}]`, v));
    else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) {
        if (/^(PolicyDocument|AssumeRolePolicyDocument|KeyPolicy)$/.test(key) && typeof child === 'object' && child !== null) {
          documents.push([`${where}.${key}`, asArray((child as Json).Statement as Statement[])]);
        } else visit(`${where}.${key}`, child);
      }
    }
  };
  visit('Resources', template.toJSON().Resources);
  return documents;
}

// ---------------------------------------------------------------------------------------
// Tokens

/**
 * Renders a CloudFormation value to a string: Fn::Join joined, { Ref: X } as ${X},
 * { Fn::GetAtt: [X, Y] } as ${X.Y}. Anything else is an error.
 */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    const record = value as Json;
    if ('Ref' in record) return `\${${String(record.Ref)}}`;
    if ('Fn::GetAtt' in record) return `\${${(record['Fn::GetAtt'] as string[]).join('.')}}`;
    if ('Fn::Join' in record) {
      const [delimiter, parts] = record['Fn::Join'] as [string, unknown[]];
      return parts.map(render).join(delimiter);
    }
  }
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

/**
 * Evaluates CloudFormation intrinsics as CloudFormation would at deploy time: Ref (from `refs`,
 * e.g. pseudo parameters), Fn::GetAtt (as "<id>.<attribute>" in `refs`), Fn::Join, Fn::Select,
 * Fn::Split and Fn::Sub; plain objects and arrays are walked. Anything unknown is an error.
 */
export function evaluate(value: unknown, refs: Record<string, string>): unknown {
  const lookup = (name: string) => {
    if (!(name in refs)) throw new Error(`no value for ${name}`);
    return refs[name]!;
  };
  if (Array.isArray(value)) return value.map((v) => evaluate(v, refs));
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Json;
  const [key] = Object.keys(record);
  const arg = key === undefined ? undefined : record[key];
  switch (Object.keys(record).length === 1 ? key : undefined) {
    case 'Ref':
      return lookup(String(arg));
    case 'Fn::GetAtt':
      return lookup((arg as string[]).join('.'));
    case 'Fn::Join': {
      const [delimiter, parts] = arg as [string, unknown[]];
      return (evaluate(parts, refs) as unknown[]).join(delimiter);
    }
    case 'Fn::Select': {
      const [index, list] = arg as [number, unknown];
      return (evaluate(list, refs) as unknown[])[index];
    }
    case 'Fn::Split': {
      const [delimiter, source] = arg as [string, unknown];
      return String(evaluate(source, refs)).split(delimiter);
    }
    case 'Fn::Sub': {
      const [text, variables] = typeof arg === 'string' ? [arg, {}] : (arg as [string, Json]);
      const local = Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, String(evaluate(v, refs))]));
      return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => local[name] ?? lookup(name));
    }
    default:
      if (key?.startsWith('Fn::')) throw new Error(`cannot evaluate ${key}`);
      return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, evaluate(v, refs)]));
  }
}

/** IAM's wildcard match (* any run, ? one character) of a policy resource against an ARN. */
export function iamMatches(pattern: string, arn: string): boolean {
  const regex = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(arn);
}

// ---------------------------------------------------------------------------------------
// EventBridge patterns

/**
 * Just enough of EventBridge's matching for our patterns: arrays of exact values, { exists },
 * and nested objects. An operator it does not know throws, so a new operator in a rule fails
 * the test instead of passing it silently.
 */
export function matchesPattern(pattern: Json, event: unknown): boolean {
  const record = typeof event === 'object' && event !== null && !Array.isArray(event) ? (event as Json) : {};
  return Object.entries(pattern).every(([key, expected]) => {
    const present = Object.prototype.hasOwnProperty.call(record, key);
    const actual = present ? record[key] : undefined;
    if (Array.isArray(expected)) return matchesLeaf(expected, present, actual);
    if (typeof expected === 'object' && expected !== null) {
      if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) {
        // A nested pattern only matches an object, unless it asks for nothing to exist.
        return matchesPattern(expected as Json, {});
      }
      return matchesPattern(expected as Json, actual);
    }
    throw new Error(`pattern field ${key} is neither an array nor an object: ${JSON.stringify(expected)}`);
  });
}

function matchesLeaf(alternatives: unknown[], present: boolean, actual: unknown): boolean {
  const values = Array.isArray(actual) ? actual : [actual];
  return alternatives.some((alternative) => {
    if (typeof alternative === 'string' || typeof alternative === 'number' || typeof alternative === 'boolean' || alternative === null) {
      return present && values.some((v) => v === alternative);
    }
    if (typeof alternative === 'object') {
      const keys = Object.keys(alternative);
      if (keys.length === 1 && keys[0] === 'exists') return (alternative as { exists: boolean }).exists === (present && actual !== undefined);
      if (keys.length === 1 && keys[0] === 'prefix') {
        const prefix = (alternative as { prefix: unknown }).prefix;
        if (typeof prefix !== 'string') throw new Error(`prefix of a pattern must be a string: ${JSON.stringify(prefix)}`);
        return present && values.some((v) => typeof v === 'string' && v.startsWith(prefix));
      }
    }
    throw new Error(`unsupported EventBridge operator ${JSON.stringify(alternative)}`);
  });
}

const FIXTURES = join(__dirname, '..', 'support', 'events');

/** Every event fixture of test/support/events, by file name without .json. */
export function eventFixtures(): Array<[string, unknown]> {
  return readdirSync(FIXTURES)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => [name.replace(/\.json$/, ''), JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as unknown]);
}

/** The rule that starts a reconcile when the Datadog keys are stored (tested in first-run.test.ts), not an account event. */
export function isKeysStoredRule(rule: Json): boolean {
  return JSON.stringify((props(rule).EventPattern as Json | undefined)?.source) === '["aws.secretsmanager"]';
}

/** Event patterns of the template's account-event rules, by logical ID. */
export function eventPatterns(template: Template): Record<string, Json> {
  return Object.fromEntries(
    Object.entries(resources(template, 'AWS::Events::Rule'))
      .filter(([, rule]) => props(rule).EventPattern !== undefined && !isKeysStoredRule(rule))
      .map(([id, rule]) => [id, props(rule).EventPattern as Json]),
  );
}
