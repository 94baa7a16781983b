import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  NoSuchEntityException,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { parsePolicyDocument, type PolicyDocument } from '../domain/policy';
import { PERMISSIONS_POLICY_NAME, isOurCustomerPolicyArn, isOurPolicyName } from '../domain/ownership';
import type { RoleObservation } from './model';

/** Reads the Datadog role in a member account (through the assumed member access role). */
export async function readRole(iam: IAMClient, roleName: string): Promise<RoleObservation> {
  // The role and its policy lists side by side (most roles exist): one IAM round trip instead of two.
  const lists = Promise.all([readOurInlinePolicies(iam, roleName), attachedPolicyArns(iam, roleName)]);
  // A missing role fails the lists too: GetRole's answer says which it is.
  lists.catch(() => undefined);
  let role;
  try {
    role = (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role;
  } catch (error) {
    if (error instanceof NoSuchEntityException) return { kind: 'absent' };
    throw error;
  }
  const [inlinePolicies, attached] = await lists;
  const customerPolicies = await readOurCustomerPolicies(iam, attached.filter((arn) => isOurCustomerPolicyArn(arn, roleName)));
  return {
    kind: 'present',
    role: {
      roleName,
      trustPolicy: parsePolicyDocument(role?.AssumeRolePolicyDocument),
      tags: Object.fromEntries((role?.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? ''])),
      inlinePolicies,
      attachedPolicyArns: attached,
      customerPolicies,
    },
  };
}

/** The default version's document of each of our attached customer managed policies, by name. */
async function readOurCustomerPolicies(iam: IAMClient, arns: readonly string[]): Promise<Record<string, PolicyDocument | undefined>> {
  const entries = await Promise.all(
    arns.map(async (arn): Promise<[string, PolicyDocument | undefined]> => {
      const name = arn.slice(arn.lastIndexOf('/') + 1);
      const document = await readPolicyDocument(iam, arn);
      return [name, document];
    }),
  );
  return Object.fromEntries(entries);
}

/** A customer managed policy's default version; undefined when it is gone. */
export async function readPolicyDocument(iam: IAMClient, arn: string): Promise<PolicyDocument | undefined> {
  try {
    const policy = (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy;
    const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: policy?.DefaultVersionId }));
    return parsePolicyDocument(version.PolicyVersion?.Document);
  } catch (error) {
    if (error instanceof NoSuchEntityException) return undefined;
    throw error;
  }
}

/** Every inline policy name; documents only for ours (the others are not ours to judge). */
async function readOurInlinePolicies(iam: IAMClient, roleName: string): Promise<Record<string, PolicyDocument | undefined>> {
  // Our usual policy (the only one where Datadog's list fits one document) is asked for alongside the listing; used only if listed.
  const usual = Promise.resolve(iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: PERMISSIONS_POLICY_NAME })));
  usual.catch(() => undefined);
  const names = await inlinePolicyNames(iam, roleName);
  const entries = await Promise.all(
    names.map(async (name): Promise<[string, PolicyDocument | undefined]> => {
      if (!isOurPolicyName(name)) return [name, undefined];
      const policy = await (name === PERMISSIONS_POLICY_NAME ? usual : iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name })));
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
