/** IAM policy documents: building and reading them, without I/O. */

import type { Partition } from './partition';

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: { AWS?: string | string[]; Service?: string | string[] } | '*';
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}


const asArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** IAM returns documents URL-encoded; tolerate both forms. Undefined when it is not a policy. */
export function parsePolicyDocument(text: string | undefined): PolicyDocument | undefined {
  if (!text) return undefined;
  let json = text;
  if (!json.trimStart().startsWith('{')) {
    try {
      json = decodeURIComponent(text);
    } catch {
      return undefined;
    }
  }
  try {
    const parsed = JSON.parse(json) as PolicyDocument;
    return parsed && typeof parsed === 'object' && 'Statement' in parsed ? { ...parsed, Statement: asArray(parsed.Statement) } : undefined;
  } catch {
    return undefined;
  }
}

export function accountRootArn(partition: Partition, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:root`;
}

export function roleArn(partition: Partition, accountId: string, roleName: string): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

export function managedPolicyArn(partition: Partition, name: string): string {
  return `arn:${partition}:iam::aws:policy/${name}`;
}

/** Datadog's AWS account may assume the role only with the external ID. */
export function datadogTrustPolicy(principalArn: string, externalId: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: principalArn },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': externalId } },
      },
    ],
  };
}

function externalIdsOfStatement(statement: PolicyStatement): string[] {
  return asArray(statement.Condition?.StringEquals?.['sts:ExternalId']);
}

/** Every sts:ExternalId a trust policy names, whoever it names them for. */
export function externalIdsIn(document: PolicyDocument | undefined): string[] {
  return [...new Set((document?.Statement ?? []).flatMap(externalIdsOfStatement))];
}

/**
 * The trust grants exactly what this product writes: one Allow statement letting only the
 * principal (as its ARN, or the bare account ID IAM treats alike) assume the role, and only
 * with this external ID. Deny statements only restrict, so they are left out of the check.
 */
export function isExactTrust(document: PolicyDocument | undefined, principalArn: string, externalId: string): boolean {
  const allows = (document?.Statement ?? []).filter((statement) => statement.Effect !== 'Deny');
  if (allows.length !== 1) return false;
  const [statement] = allows as [PolicyStatement];
  if (statement.Effect !== 'Allow' || statement.Principal === '*') return false;
  const principals = asArray(statement.Principal?.AWS);
  const accountId = principalArn.split(':')[4];
  const stringEquals = statement.Condition?.StringEquals ?? {};
  return (
    sameList(asArray(statement.Action), ['sts:AssumeRole']) &&
    principals.length === 1 &&
    (principals[0] === principalArn || principals[0] === accountId) &&
    asArray(statement.Principal?.Service).length === 0 &&
    Object.keys(statement.Condition ?? {}).length === 1 &&
    Object.keys(stringEquals).length === 1 &&
    sameList(asArray(stringEquals['sts:ExternalId']), [externalId])
  );
}

/** The Deny statements of a policy, kept when this product rewrites the rest. */
export function denyStatements(document: PolicyDocument | undefined): PolicyStatement[] {
  return (document?.Statement ?? []).filter((statement) => statement.Effect === 'Deny');
}

function sameList(actual: readonly string[], expected: readonly string[]): boolean {
  return actual.length === expected.length && actual.every((value, i) => value === expected[i]);
}

/** Every action an Allow statement grants, sorted (for comparing permission sets). */
export function allowedActions(documents: readonly (PolicyDocument | undefined)[]): string[] {
  const actions = new Set<string>();
  for (const document of documents) {
    for (const statement of document?.Statement ?? []) {
      if (statement.Effect === 'Allow') asArray(statement.Action).forEach((a) => actions.add(a));
    }
  }
  return [...actions].sort();
}

/** IAM counts policy size without white space. */
export function policySize(document: PolicyDocument): number {
  return JSON.stringify(document).replace(/\s+/g, '').length;
}

/**
 * Splits actions into as few read-only policies as fit maxChars each (IAM's limits: 10,240
 * characters for all inline policies of a role together, 6,144 for a managed policy).
 */
export function permissionPolicies(actions: readonly string[], maxChars: number): PolicyDocument[] {
  const make = (chunk: string[]): PolicyDocument => ({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: chunk, Resource: '*' }],
  });
  const documents: PolicyDocument[] = [];
  let chunk: string[] = [];
  for (const action of [...new Set(actions)].sort()) {
    if (chunk.length > 0 && policySize(make([...chunk, action])) > maxChars) {
      documents.push(make(chunk));
      chunk = [];
    }
    chunk.push(action);
  }
  if (chunk.length > 0) documents.push(make(chunk));
  return documents;
}
