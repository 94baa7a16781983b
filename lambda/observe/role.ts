import {
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  NoSuchEntityException,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { parsePolicyDocument, type PolicyDocument } from '../domain/policy';
import { isOurPolicyName } from '../plan/desired';
import type { RoleObservation } from './model';

/** Reads the Datadog role in a member account (through the assumed member access role). */
export async function readRole(iam: IAMClient, roleName: string): Promise<RoleObservation> {
  let role;
  try {
    role = (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role;
  } catch (error) {
    if (error instanceof NoSuchEntityException) return { kind: 'absent' };
    throw error;
  }
  const [inlinePolicies, attached] = await Promise.all([readOurInlinePolicies(iam, roleName), attachedPolicyArns(iam, roleName)]);
  return {
    kind: 'present',
    role: {
      roleName,
      trustPolicy: parsePolicyDocument(role?.AssumeRolePolicyDocument),
      tags: Object.fromEntries((role?.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? ''])),
      inlinePolicies,
      attachedPolicyArns: attached,
    },
  };
}

/** Every inline policy name; documents only for ours (the others are not ours to judge). */
async function readOurInlinePolicies(iam: IAMClient, roleName: string): Promise<Record<string, PolicyDocument | undefined>> {
  const names = await inlinePolicyNames(iam, roleName);
  const entries = await Promise.all(
    names.map(async (name): Promise<[string, PolicyDocument | undefined]> => {
      if (!isOurPolicyName(name)) return [name, undefined];
      const policy = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }));
      return [name, parsePolicyDocument(policy.PolicyDocument)];
    }),
  );
  return Object.fromEntries(entries);
}

export async function inlinePolicyNames(iam: IAMClient, roleName: string): Promise<string[]> {
  const names: string[] = [];
  let Marker: string | undefined;
  do {
    const page = await iam.send(new ListRolePoliciesCommand({ RoleName: roleName, Marker }));
    names.push(...(page.PolicyNames ?? []));
    Marker = page.IsTruncated ? page.Marker : undefined;
  } while (Marker);
  return names;
}

export async function attachedPolicyArns(iam: IAMClient, roleName: string): Promise<string[]> {
  const arns: string[] = [];
  let Marker: string | undefined;
  do {
    const page = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName, Marker }));
    arns.push(...(page.AttachedPolicies ?? []).flatMap((p) => (p.PolicyArn ? [p.PolicyArn] : [])));
    Marker = page.IsTruncated ? page.Marker : undefined;
  } while (Marker);
  return arns;
}
