import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  EntityAlreadyExistsException,
  NoSuchEntityException,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import type { PolicyDocument } from '../domain/policy';
import { attachedPolicyArns, inlinePolicyNames } from '../observe/role';
import { isOurPolicyName, type DesiredRole } from '../plan/desired';

/** IAM writes on the Datadog role in one member account. Each is idempotent. */

const json = (document: PolicyDocument) => JSON.stringify(document);

/** Creates the role, or, when it already exists, rewrites its trust: either way the trust ends as given. */
export async function createRole(iam: IAMClient, desired: DesiredRole, trust: PolicyDocument): Promise<void> {
  try {
    await iam.send(
      new CreateRoleCommand({
        RoleName: desired.roleName,
        AssumeRolePolicyDocument: json(trust),
        Description: desired.description,
        MaxSessionDuration: 3600,
        Tags: Object.entries(desired.tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
  } catch (error) {
    if (!(error instanceof EntityAlreadyExistsException)) throw error;
    await updateTrust(iam, desired.roleName, trust);
  }
  await applyPermissions(iam, desired);
}

export async function updateTrust(iam: IAMClient, roleName: string, trust: PolicyDocument): Promise<void> {
  await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: json(trust) }));
}

/** Our inline policies and managed attachments become exactly the desired ones; other policies are left alone. */
export async function applyPermissions(iam: IAMClient, desired: DesiredRole): Promise<void> {
  const roleName = desired.roleName;
  for (const [PolicyName, document] of Object.entries(desired.inlinePolicies)) {
    await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName, PolicyDocument: json(document) }));
  }
  for (const name of await inlinePolicyNames(iam, roleName)) {
    if (isOurPolicyName(name) && !(name in desired.inlinePolicies)) {
      await iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: name }));
    }
  }
  const attached = await attachedPolicyArns(iam, roleName);
  for (const arn of desired.managedPolicyArns) {
    if (!attached.includes(arn)) await iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: arn }));
  }
  for (const arn of attached) {
    if (arn.endsWith(':policy/SecurityAudit') && !desired.managedPolicyArns.includes(arn)) {
      await iam.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: arn }));
    }
  }
}

/** Deletes a role this product created: IAM wants its policies gone first. Gone already counts as done. */
export async function deleteRole(iam: IAMClient, roleName: string): Promise<void> {
  try {
    for (const name of await inlinePolicyNames(iam, roleName)) {
      await iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: name }));
    }
    for (const arn of await attachedPolicyArns(iam, roleName)) {
      await iam.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: arn }));
    }
    await iam.send(new DeleteRoleCommand({ RoleName: roleName }));
  } catch (error) {
    if (!(error instanceof NoSuchEntityException)) throw error;
  }
}
