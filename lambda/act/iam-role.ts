import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  EntityAlreadyExistsException,
  GetPolicyCommand,
  GetRoleCommand,
  ListPolicyVersionsCommand,
  NoSuchEntityException,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import type { Partition } from '../domain/partition';
import { allowedActions, denyStatements, parsePolicyDocument, type PolicyDocument } from '../domain/policy';
import { attachedPolicyArns, inlinePolicyNames, readPolicyDocument } from '../observe/role';
import { CUSTOMER_POLICY_PATH, MANAGED_BY_TAG, customerPolicyArn, isOurCustomerPolicyArn, isOurPolicyName, isTaggedOurs } from '../domain/ownership';
import type { DesiredRole } from '../plan/desired-role';

/** Where the role lives: customer managed policy ARNs name the account and partition. */
export interface RoleAccount {
  readonly accountId: string;
  readonly partition: Partition;
}

/** IAM writes on the Datadog role in one member account. Each is idempotent. */

const json = (document: PolicyDocument) => JSON.stringify(document);

/**
 * Creates the role, or, when it already exists, rewrites its trust as the update does: the
 * given trust plus the Deny statements the role has (they only restrict it).
 */
export async function createRole(iam: IAMClient, desired: DesiredRole, trust: PolicyDocument, account: RoleAccount): Promise<void> {
  let created = true;
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
    created = false;
    const current = (await iam.send(new GetRoleCommand({ RoleName: desired.roleName }))).Role?.AssumeRolePolicyDocument;
    await updateTrust(iam, desired.roleName, { ...trust, Statement: [...trust.Statement, ...denyStatements(parsePolicyDocument(current))] });
  }
  await applyPermissions(iam, desired, account, { newRole: created });
}

export async function updateTrust(iam: IAMClient, roleName: string, trust: PolicyDocument): Promise<void> {
  await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: json(trust) }));
}

export interface ApplyOptions {
  /** The role was created just now: it has no policies, so none are listed. */
  readonly newRole?: boolean;
}

/**
 * Our inline policies, customer managed policies and managed attachments become exactly the
 * desired ones; other policies are left alone. Writes that do not depend on each other go side
 * by side: each policy's put, the listings, each attachment (after its customer policy exists).
 */
export async function applyPermissions(iam: IAMClient, desired: DesiredRole, account: RoleAccount, options: ApplyOptions = {}): Promise<void> {
  const roleName = desired.roleName;
  // Listed alongside the puts: what is removed below is only what is not desired, whether or not a listing saw the new puts.
  const none: string[] = [];
  const [names, attached] = await Promise.all([
    options.newRole ? none : inlinePolicyNames(iam, roleName),
    options.newRole ? none : attachedPolicyArns(iam, roleName),
    ...Object.entries(desired.inlinePolicies).map(([PolicyName, document]) =>
      iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName, PolicyDocument: json(document) })),
    ),
  ]);
  const attach = (arn: string) => (attached.includes(arn) ? undefined : iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: arn })));
  const customerArns = Object.keys(desired.customerPolicies).map((name) => customerPolicyArn(account.partition, account.accountId, name));
  await Promise.all([
    ...names
      .filter((name) => isOurPolicyName(name) && !(name in desired.inlinePolicies))
      .map((name) => iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: name }))),
    ...desired.managedPolicyArns.map(attach),
    ...Object.entries(desired.customerPolicies).map(async ([name, document], i) => {
      await putCustomerPolicy(iam, customerArns[i]!, name, document);
      await attach(customerArns[i]!);
    }),
    ...attached.map(async (arn) => {
      if (arn.endsWith(':policy/SecurityAudit') && !desired.managedPolicyArns.includes(arn)) {
        await iam.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: arn }));
      }
      if (isOurCustomerPolicyArn(arn, roleName) && !customerArns.includes(arn)) {
        await iam.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: arn }));
        await deleteCustomerPolicy(iam, arn);
      }
    }),
  ]);
}

/** IAM keeps at most 5 versions of a managed policy. */
const MAX_POLICY_VERSIONS = 5;

/** Creates the policy, or makes the document its default version when it differs. */
async function putCustomerPolicy(iam: IAMClient, arn: string, name: string, document: PolicyDocument): Promise<void> {
  try {
    await iam.send(
      new CreatePolicyCommand({
        PolicyName: name,
        Path: CUSTOMER_POLICY_PATH,
        PolicyDocument: json(document),
        Description: "Datadog's resource-collection permissions (managed by datadog-aws-org-integration)",
        Tags: [{ Key: MANAGED_BY_TAG.key, Value: MANAGED_BY_TAG.value }],
      }),
    );
    return;
  } catch (error) {
    if (!(error instanceof EntityAlreadyExistsException)) throw error;
  }
  const current = await readPolicyDocument(iam, arn);
  if (current && sameActions(current, document)) return;
  const versions = (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }))).Versions ?? [];
  if (versions.length >= MAX_POLICY_VERSIONS) {
    // The oldest version that is not the default makes room (IAM promises no order of the list).
    const oldest = versions
      .filter((v) => !v.IsDefaultVersion)
      .sort((a, b) => (a.CreateDate?.getTime() ?? 0) - (b.CreateDate?.getTime() ?? 0))[0];
    if (oldest?.VersionId) await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: oldest.VersionId }));
  }
  await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: json(document), SetAsDefault: true }));
}

const sameActions = (a: PolicyDocument, b: PolicyDocument) => {
  const left = allowedActions([a]);
  const right = allowedActions([b]);
  return left.length === right.length && left.every((action, i) => action === right[i]);
};

/** Deletes one of our customer managed policies (detached): IAM wants its other versions gone first. Only if it carries our tag. */
export async function deleteCustomerPolicy(iam: IAMClient, arn: string): Promise<void> {
  try {
    const policy = (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy;
    if (!isTaggedOurs(policy?.Tags)) return;
    const versions = (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }))).Versions ?? [];
    for (const version of versions) {
      if (!version.IsDefaultVersion && version.VersionId) {
        await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: version.VersionId }));
      }
    }
    await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
  } catch (error) {
    if (!(error instanceof NoSuchEntityException)) throw error;
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
      if (isOurCustomerPolicyArn(arn, roleName)) await deleteCustomerPolicy(iam, arn);
    }
    await iam.send(new DeleteRoleCommand({ RoleName: roleName }));
  } catch (error) {
    if (!(error instanceof NoSuchEntityException)) throw error;
  }
}
