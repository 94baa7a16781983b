/**
 * AWS IAM (Query protocol) operations of the stand-in: roles and customer managed policies (with
 * their versions), acting in the caller's account, with IAM's input constraints, policy checks,
 * quotas and error codes.
 */

import { AwsApiError, type Caller, type FakeAwsOrganization, type FakeManagedPolicy, type FakePolicyVersion, type FakeRole } from './model';
import { checkPolicy, normalizeTrustPolicy, policySize, type PolicyKind } from './policy';
import type { QueryParams, XmlValue } from './protocol';

const NAME = /^[\w+=,.@-]+$/;
const PATH = /^(\/|\/[\u0021-\u007E]+\/)$/;
const POLICY_TEXT = /^[\t\n\r\u0020-\u00FF]+$/;
const DESCRIPTION = /^[\t\n\r\u0020-\u007E\u00A1-\u00FF]*$/;
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const POLICY_ARN = /^arn:[a-z-]+:iam::(aws|\d{12}):policy\/([\u0021-\u007E]+\/)*[\w+=,.@-]+$/;
const VERSION_ID = /^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$/;

const TRUST_POLICY_QUOTA = 2048;
const INLINE_POLICIES_QUOTA = 10240;
const MANAGED_POLICIES_PER_ROLE = 10;
const TAGS_PER_ROLE = 50;
/** Managed policy documents: characters other than white space. */
const MANAGED_POLICY_QUOTA = 6144;
const VERSIONS_PER_POLICY = 5;
const MANAGED_POLICIES_PER_ACCOUNT = 1500;
/** When the AWS managed policies the stand-in knows were created (their placeholder v1 too). */
const AWS_POLICY_DATE = new Date('2015-02-06T18:39:46Z');

function constraint(value: string | number, member: string, rule: string): AwsApiError {
  return new AwsApiError(
    'ValidationError',
    `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${rule}`,
    400,
  );
}

function checkName(value: string, member: string, max: number): string {
  if (value.length > max) throw constraint(value, member, `Member must have length less than or equal to ${max}`);
  if (!NAME.test(value)) throw constraint(value, member, 'Member must satisfy regular expression pattern: [\\w+=,.@-]+');
  return value;
}

function checkDocumentText(value: string, member: string): string {
  if (value.length > 131072) throw constraint('...', member, 'Member must have length less than or equal to 131072');
  if (!POLICY_TEXT.test(value)) {
    throw constraint(value, member, 'Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+');
  }
  return value;
}

function checkDocument(model: FakeAwsOrganization, text: string, kind: PolicyKind): void {
  const result = checkPolicy(text, kind, model.partition);
  if (!result.ok) throw new AwsApiError('MalformedPolicyDocument', result.message, 400);
}

function checkPath(value: string): string {
  if (value.length > 512 || !PATH.test(value)) {
    throw constraint(value, 'path', 'Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)');
  }
  return value;
}

function checkMaxSession(value: number | undefined): void {
  if (value === undefined) return;
  if (value < 3600) throw constraint(value, 'maxSessionDuration', 'Member must have value greater than or equal to 3600');
  if (value > 43200) throw constraint(value, 'maxSessionDuration', 'Member must have value less than or equal to 43200');
}

function checkDescription(value: string | undefined): void {
  if (value === undefined) return;
  if (value.length > 1000) throw constraint(value, 'description', 'Member must have length less than or equal to 1000');
  if (!DESCRIPTION.test(value)) {
    throw constraint(value, 'description', 'Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*');
  }
}

function readTags(params: QueryParams): Record<string, string> | undefined {
  const list = params.structList('Tags');
  if (!list) return undefined;
  if (list.length > TAGS_PER_ROLE) throw constraint('[...]', 'tags', `Member must have length less than or equal to ${TAGS_PER_ROLE}`);
  const tags: Record<string, string> = {};
  const seen = new Set<string>();
  for (const [index, tag] of list.entries()) {
    const key = tag.Key;
    const value = tag.Value ?? '';
    if (key === undefined) throw constraint('null', `tags.${index + 1}.member.key`, 'Member must not be null');
    if (key.length < 1 || key.length > 128) throw constraint(key, `tags.${index + 1}.member.key`, 'Member must have length between 1 and 128');
    if (!TAG_KEY.test(key)) {
      throw constraint(key, `tags.${index + 1}.member.key`, 'Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+');
    }
    if (value.length > 256) throw constraint(value, `tags.${index + 1}.member.value`, 'Member must have length less than or equal to 256');
    if (!TAG_VALUE.test(value)) {
      throw constraint(value, `tags.${index + 1}.member.value`, 'Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*');
    }
    if (seen.has(key.toLowerCase())) {
      throw new AwsApiError('InvalidInput', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.', 400);
    }
    seen.add(key.toLowerCase());
    tags[key] = value;
  }
  return tags;
}

function setTags(target: Record<string, string>, tags: Record<string, string>): void {
  for (const [key, value] of Object.entries(tags)) {
    for (const existing of Object.keys(target)) if (existing.toLowerCase() === key.toLowerCase()) delete target[existing];
    target[key] = value;
  }
}

function tagList(tags: Record<string, string>): XmlValue[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** A role as IAM answers it; policy documents come URL-encoded, as the real IAM sends them. */
function roleXml(role: FakeRole, detail: 'full' | 'list' = 'full'): XmlValue {
  const hasTags = Object.keys(role.tags).length > 0;
  return {
    Path: role.path,
    RoleName: role.roleName,
    RoleId: role.roleId,
    Arn: role.arn,
    CreateDate: role.createDate,
    AssumeRolePolicyDocument: encodeURIComponent(role.assumeRolePolicyDocument),
    Description: role.description,
    MaxSessionDuration: role.maxSessionDuration,
    Tags: detail === 'full' && hasTags ? tagList(role.tags) : undefined,
    RoleLastUsed: detail === 'full' ? {} : undefined,
  };
}

function findRole(model: FakeAwsOrganization, accountId: string, roleName: string): FakeRole {
  const role = model.rolesOf(accountId).get(roleName.toLowerCase());
  if (!role) throw new AwsApiError('NoSuchEntity', `The role with name ${roleName} cannot be found.`, 404);
  return role;
}

function inlineName(role: FakeRole, policyName: string): string | undefined {
  return Object.keys(role.inlinePolicies).find((name) => name.toLowerCase() === policyName.toLowerCase());
}

function checkPolicyArn(value: string): string {
  if (value.length < 20 || value.length > 2048 || !POLICY_ARN.test(value)) throw new AwsApiError('InvalidInput', `ARN ${value} is not valid.`, 400);
  return value;
}

function checkVersionId(value: string): string {
  if (!VERSION_ID.test(value)) {
    throw constraint(value, 'versionId', 'Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?');
  }
  return value;
}

function checkManagedPolicySize(document: string): void {
  if (policySize(document) > MANAGED_POLICY_QUOTA) {
    throw new AwsApiError('LimitExceeded', `Cannot exceed quota for PolicySize: ${MANAGED_POLICY_QUOTA}`, 409);
  }
}

function policyNotFound(arn: string): AwsApiError {
  return new AwsApiError('NoSuchEntity', `Policy ${arn} was not found.`, 404);
}

function versionNotFound(arn: string, versionId: string): AwsApiError {
  return new AwsApiError('NoSuchEntity', `Policy ${arn} version ${versionId} does not exist or is not attachable.`, 404);
}

/** A managed policy a caller may read: a customer one (with versions) or one known without a record (AWS managed). */
type ReadablePolicy = { kind: 'customer'; policy: FakeManagedPolicy } | { kind: 'known'; arn: string };

/** The policy behind `arn` for a read in `accountId`: another account's policies are out of reach (IAM has no resource policies). */
function readablePolicy(model: FakeAwsOrganization, caller: Caller, action: string, arn: string): ReadablePolicy {
  const owner = POLICY_ARN.exec(arn)?.[1];
  if (owner !== 'aws' && owner !== caller.accountId) throw notAuthorized(caller, action, arn);
  const policy = model.findCustomerPolicy(arn);
  if (policy && owner === caller.accountId) return { kind: 'customer', policy };
  if (model.isKnownPolicyWithoutRecord(arn)) return { kind: 'known', arn };
  throw policyNotFound(arn);
}

/** The caller's own customer managed policy behind `arn`, for a write. */
function writablePolicy(model: FakeAwsOrganization, caller: Caller, action: string, arn: string): FakeManagedPolicy {
  const found = readablePolicy(model, caller, action, arn);
  if (found.kind === 'customer') return found.policy;
  if (POLICY_ARN.exec(arn)?.[1] === 'aws') throw notAuthorized(caller, action, arn);
  throw new AwsApiError('InvalidInput', `The AWS stand-in keeps no versions of ${arn} (added with addManagedPolicy): it cannot be changed.`, 400);
}

function notAuthorized(caller: Caller, action: string, arn: string): AwsApiError {
  return new AwsApiError('AccessDenied', `User: ${caller.arn} is not authorized to perform: iam:${action} on resource: policy ${arn}`, 403);
}

function findVersion(policy: FakeManagedPolicy, versionId: string): FakePolicyVersion {
  const version = policy.versions.find((candidate) => candidate.versionId === versionId);
  if (!version) throw versionNotFound(policy.arn, versionId);
  return version;
}

/** What the stand-in answers for a policy known without a record: one placeholder version, v1. */
function placeholderDocument(arn: string): string {
  const action = arn.endsWith(':policy/AdministratorAccess') ? '*' : ['iam:Get*', 'iam:List*'];
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'StandinPlaceholder', Effect: 'Allow', Action: action, Resource: '*' }] });
}

/** A customer managed policy as IAM answers it (CreatePolicy leaves out Description). */
function policyXml(model: FakeAwsOrganization, accountId: string, policy: FakeManagedPolicy, detail: 'create' | 'get' | 'list'): XmlValue {
  const updateDate = policy.versions.reduce((latest, version) => (version.createDate > latest ? version.createDate : latest), policy.createDate);
  return {
    PolicyName: policy.policyName,
    PolicyId: policy.policyId,
    Arn: policy.arn,
    Path: policy.path,
    DefaultVersionId: policy.defaultVersionId,
    AttachmentCount: model.policyAttachmentCount(accountId, policy.arn),
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    Description: detail === 'get' ? policy.description : undefined,
    CreateDate: policy.createDate,
    UpdateDate: updateDate,
    // As IAM: ListPolicies leaves the tags out.
    Tags: detail !== 'list' && Object.keys(policy.tags).length > 0 ? tagList(policy.tags) : undefined,
  };
}

function knownPolicyXml(model: FakeAwsOrganization, accountId: string, arn: string): XmlValue {
  const resource = arn.slice(arn.indexOf(':policy') + ':policy'.length);
  return {
    PolicyName: resource.slice(resource.lastIndexOf('/') + 1),
    PolicyId: model.stablePolicyId(arn),
    Arn: arn,
    Path: resource.slice(0, resource.lastIndexOf('/') + 1),
    DefaultVersionId: 'v1',
    AttachmentCount: model.policyAttachmentCount(accountId, arn),
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    CreateDate: AWS_POLICY_DATE,
    UpdateDate: AWS_POLICY_DATE,
  };
}

/** A page of `items` for IAM's Marker/MaxItems pagination. */
function page<T>(items: T[], params: QueryParams, scope: string): { items: T[]; IsTruncated: boolean; Marker?: string } {
  const maxItems = params.int('MaxItems') ?? 100;
  if (maxItems < 1) throw constraint(maxItems, 'maxItems', 'Member must have value greater than or equal to 1');
  if (maxItems > 1000) throw constraint(maxItems, 'maxItems', 'Member must have value less than or equal to 1000');
  let offset = 0;
  const marker = params.get('Marker');
  if (marker !== undefined) {
    const match = /^([^:]*):(\d+)$/.exec(Buffer.from(marker, 'base64').toString('utf8'));
    if (!match || match[1] !== scope) throw new AwsApiError('ValidationError', 'Invalid Marker.', 400);
    offset = Number(match[2]);
  }
  const slice = items.slice(offset, offset + maxItems);
  const next = offset + maxItems;
  if (next >= items.length) return { items: slice, IsTruncated: false };
  return { items: slice, IsTruncated: true, Marker: Buffer.from(`${scope}:${next}`).toString('base64') };
}

type Handler = (model: FakeAwsOrganization, accountId: string, params: QueryParams, caller: Caller) => XmlValue | null;

const HANDLERS: Record<string, Handler> = {
  CreateRole(model, accountId, params) {
    const roleName = checkName(params.require('RoleName'), 'roleName', 64);
    const path = checkPath(params.get('Path') ?? '/');
    const document = checkDocumentText(params.require('AssumeRolePolicyDocument'), 'assumeRolePolicyDocument');
    const description = params.get('Description');
    checkDescription(description);
    const maxSessionDuration = params.int('MaxSessionDuration');
    checkMaxSession(maxSessionDuration);
    const tags = readTags(params) ?? {};
    if (params.get('PermissionsBoundary') !== undefined) {
      throw new AwsApiError('InvalidInput', 'The AWS stand-in does not emulate permissions boundaries.', 400);
    }
    const roles = model.rolesOf(accountId);
    if (roles.has(roleName.toLowerCase())) {
      throw new AwsApiError('EntityAlreadyExists', `Role with name ${roleName} already exists.`, 409);
    }
    checkDocument(model, document, 'trust');
    if (policySize(document) > TRUST_POLICY_QUOTA) {
      throw new AwsApiError('LimitExceeded', `Cannot exceed quota for ACLSizePerRole: ${TRUST_POLICY_QUOTA}`, 409);
    }
    const role: FakeRole = {
      roleName,
      roleId: model.newRoleId(),
      arn: model.roleArn(accountId, path, roleName),
      path,
      assumeRolePolicyDocument: normalizeTrustPolicy(document, model.partition),
      maxSessionDuration: maxSessionDuration ?? 3600,
      tags,
      inlinePolicies: {},
      attachedPolicyArns: [],
      createDate: new Date(Math.floor(model.now().getTime() / 1000) * 1000),
      ...(description !== undefined && { description }),
    };
    roles.set(roleName.toLowerCase(), role);
    const answer = roleXml(role) as Record<string, XmlValue>;
    delete answer.RoleLastUsed;
    return { Role: answer };
  },

  GetRole(model, accountId, params) {
    const role = findRole(model, accountId, checkName(params.require('RoleName'), 'roleName', 64));
    return { Role: roleXml(role) };
  },

  ListRoles(model, accountId, params) {
    const prefix = params.get('PathPrefix') ?? '/';
    const roles = [...model.rolesOf(accountId).values()]
      .filter((role) => role.path.startsWith(prefix))
      .sort((a, b) => a.roleName.localeCompare(b.roleName));
    const result = page(roles, params, `ListRoles${prefix}`);
    return { Roles: result.items.map((role) => roleXml(role, 'list')), IsTruncated: result.IsTruncated, Marker: result.Marker };
  },

  DeleteRole(model, accountId, params) {
    const role = findRole(model, accountId, checkName(params.require('RoleName'), 'roleName', 64));
    if (Object.keys(role.inlinePolicies).length > 0) {
      throw new AwsApiError('DeleteConflict', 'Cannot delete entity, must delete policies first.', 409);
    }
    if (role.attachedPolicyArns.length > 0) {
      throw new AwsApiError('DeleteConflict', 'Cannot delete entity, must detach all policies first.', 409);
    }
    model.rolesOf(accountId).delete(role.roleName.toLowerCase());
    return null;
  },

  UpdateRole(model, accountId, params) {
    const role = findRole(model, accountId, checkName(params.require('RoleName'), 'roleName', 64));
    const description = params.get('Description');
    checkDescription(description);
    const maxSessionDuration = params.int('MaxSessionDuration');
    checkMaxSession(maxSessionDuration);
    if (description !== undefined) role.description = description;
    if (maxSessionDuration !== undefined) role.maxSessionDuration = maxSessionDuration;
    return {};
  },

  UpdateRoleDescription(model, accountId, params) {
    const role = findRole(model, accountId, checkName(params.require('RoleName'), 'roleName', 64));
    const description = params.require('Description');
    checkDescription(description);
    role.description = description;
    return { Role: roleXml(role) };
  },

  UpdateAssumeRolePolicy(model, accountId, params) {
    const roleName = checkName(params.require('RoleName'), 'roleName', 64);
    const document = checkDocumentText(params.require('PolicyDocument'), 'policyDocument');
    const role = findRole(model, accountId, roleName);
    checkDocument(model, document, 'trust');
    if (policySize(document) > TRUST_POLICY_QUOTA) {
      throw new AwsApiError('LimitExceeded', `Cannot exceed quota for ACLSizePerRole: ${TRUST_POLICY_QUOTA}`, 409);
    }
    role.assumeRolePolicyDocument = normalizeTrustPolicy(document, model.partition);
    return null;
  },

  PutRolePolicy(model, accountId, params) {
    const roleName = checkName(params.require('RoleName'), 'roleName', 64);
    const policyName = checkName(params.require('PolicyName'), 'policyName', 128);
    const document = checkDocumentText(params.require('PolicyDocument'), 'policyDocument');
    const role = findRole(model, accountId, roleName);
    checkDocument(model, document, 'permissions');
    const existing = inlineName(role, policyName);
    const others = Object.entries(role.inlinePolicies)
      .filter(([name]) => name !== existing)
      .reduce((sum, [, text]) => sum + policySize(text), 0);
    if (others + policySize(document) > INLINE_POLICIES_QUOTA) {
      throw new AwsApiError('LimitExceeded', `Maximum policy size of ${INLINE_POLICIES_QUOTA} bytes exceeded for role ${role.roleName}`, 409);
    }
    if (existing !== undefined) delete role.inlinePolicies[existing];
    role.inlinePolicies[existing ?? policyName] = document;
    return null;
  },

  GetRolePolicy(model, accountId, params) {
    const roleName = checkName(params.require('RoleName'), 'roleName', 64);
    const policyName = checkName(params.require('PolicyName'), 'policyName', 128);
    const role = findRole(model, accountId, roleName);
    const name = inlineName(role, policyName);
    if (name === undefined) throw new AwsApiError('NoSuchEntity', `The role policy with name ${policyName} cannot be found.`, 404);
    return {
      RoleName: role.roleName,
      PolicyName: name,
      PolicyDocument: encodeURIComponent(role.inlinePolicies[name] ?? ''),
    };
  },

  DeleteRolePolicy(model, accountId, params) {
    const roleName = checkName(params.require('RoleName'), 'roleName', 64);
    const policyName = checkName(params.require('PolicyName'), 'policyName', 128);
    const role = findRole(model, accountId, roleName);
    const name = inlineName(role, policyName);
    if (name === undefined) throw new AwsApiError('NoSuchEntity', `The role policy with name ${policyName} cannot be found.`, 404);
    delete role.inlinePolicies[name];
    return null;
  },

  ListRolePolicies(model, accountId, params) {
    const role = findRole(model, accountId, checkName(params.require('RoleName'), 'roleName', 64));
    const names = Object.keys(role.inlinePolicies).sort();
    const result = page(names, params, `ListRolePolicies/${role.roleId}`);
    return { PolicyNames: result.items, IsTruncated: result.IsTruncated, Marker: result.Marker };
  },

  AttachRolePolicy(model, accountId, params) {
    const roleName = checkName(params.require('RoleName'), 'roleName', 64);
    const policyArn = params.require('PolicyArn');
    if (policyArn.length < 20 || !POLICY_ARN.test(policyArn)) throw new AwsApiError('InvalidInput', `ARN ${policyArn} is not valid.`, 400);
    const role = findRole(model, accountId, roleName);
    const owner = POLICY_ARN.exec(policyArn)?.[1];
    if (!model.isManagedPolicy(policyArn) || (owner !== 'aws' && owner !== accountId)) {
      throw new AwsApiError('NoSuchEntity', `Policy ${policyArn} does not exist or is not attachable.`, 404);
    }
    if (role.attachedPolicyArns.includes(policyArn)) return null;
    if (role.attachedPolicyArns.length >= MANAGED_POLICIES_PER_ROLE) {
      throw new AwsApiError('LimitExceeded', `Cannot exceed quota for PoliciesPerRole: ${MANAGED_POLICIES_PER_ROLE}`, 409);
    }
    role.attachedPolicyArns.push(policyArn);
    return null;
  },

  DetachRolePolicy(model, accountId, params) {
    const roleName = checkName(params.require('RoleName'), 'roleName', 64);
    const policyArn = params.require('PolicyArn');
    if (policyArn.length < 20 || !POLICY_ARN.test(policyArn)) throw new AwsApiError('InvalidInput', `ARN ${policyArn} is not valid.`, 400);
    const role = findRole(model, accountId, roleName);
    const index = role.attachedPolicyArns.indexOf(policyArn);
    if (index < 0) throw new AwsApiError('NoSuchEntity', `Policy ${policyArn} was not found.`, 404);
    role.attachedPolicyArns.splice(index, 1);
    return null;
  },

  ListAttachedRolePolicies(model, accountId, params) {
    const role = findRole(model, accountId, checkName(params.require('RoleName'), 'roleName', 64));
    const prefix = params.get('PathPrefix') ?? '/';
    const attached = role.attachedPolicyArns
      .map((arn) => {
        const resource = arn.slice(arn.indexOf(':policy') + ':policy'.length);
        const name = resource.slice(resource.lastIndexOf('/') + 1);
        const path = resource.slice(0, resource.lastIndexOf('/') + 1);
        return { PolicyName: name, PolicyArn: arn, path };
      })
      .filter((policy) => policy.path.startsWith(prefix));
    const result = page(attached, params, `ListAttachedRolePolicies/${role.roleId}${prefix}`);
    return {
      AttachedPolicies: result.items.map(({ PolicyName, PolicyArn }) => ({ PolicyName, PolicyArn })),
      IsTruncated: result.IsTruncated,
      Marker: result.Marker,
    };
  },

  TagRole(model, accountId, params) {
    const roleName = checkName(params.require('RoleName'), 'roleName', 64);
    const tags = readTags(params);
    if (!tags) throw constraint('null', 'tags', 'Member must not be null');
    const role = findRole(model, accountId, roleName);
    const merged = { ...role.tags };
    setTags(merged, tags);
    if (Object.keys(merged).length > TAGS_PER_ROLE) {
      throw new AwsApiError('LimitExceeded', `Cannot exceed quota for TagsPerRole: ${TAGS_PER_ROLE}`, 409);
    }
    role.tags = merged;
    return null;
  },

  UntagRole(model, accountId, params) {
    const roleName = checkName(params.require('RoleName'), 'roleName', 64);
    const keys = params.list('TagKeys');
    if (!keys) throw constraint('null', 'tagKeys', 'Member must not be null');
    const role = findRole(model, accountId, roleName);
    for (const key of keys) {
      for (const existing of Object.keys(role.tags)) if (existing.toLowerCase() === key.toLowerCase()) delete role.tags[existing];
    }
    return null;
  },

  ListRoleTags(model, accountId, params) {
    const role = findRole(model, accountId, checkName(params.require('RoleName'), 'roleName', 64));
    const result = page(tagList(role.tags), params, `ListRoleTags/${role.roleId}`);
    return { Tags: result.items, IsTruncated: result.IsTruncated, Marker: result.Marker };
  },

  CreatePolicy(model, accountId, params) {
    const policyName = checkName(params.require('PolicyName'), 'policyName', 128);
    const path = checkPath(params.get('Path') ?? '/');
    const document = checkDocumentText(params.require('PolicyDocument'), 'policyDocument');
    const description = params.get('Description');
    checkDescription(description);
    const tags = readTags(params) ?? {};
    const policies = model.policiesOf(accountId);
    if (policies.has(policyName.toLowerCase())) {
      throw new AwsApiError('EntityAlreadyExists', `A policy called ${policyName} already exists. Duplicate names are not allowed.`, 409);
    }
    checkDocument(model, document, 'permissions');
    checkManagedPolicySize(document);
    if (policies.size >= MANAGED_POLICIES_PER_ACCOUNT) {
      throw new AwsApiError('LimitExceeded', `Cannot exceed quota for PoliciesPerAccount: ${MANAGED_POLICIES_PER_ACCOUNT}`, 409);
    }
    const createDate = model.secondsNow();
    const policy: FakeManagedPolicy = {
      policyName,
      policyId: model.newPolicyId(),
      arn: model.policyArn(accountId, path, policyName),
      path,
      tags,
      versions: [{ versionId: 'v1', document, createDate }],
      defaultVersionId: 'v1',
      nextVersion: 2,
      createDate,
      ...(description !== undefined && { description }),
    };
    policies.set(policyName.toLowerCase(), policy);
    return { Policy: policyXml(model, accountId, policy, 'create') };
  },

  /** Customer managed policies (Scope Local, or All: AWS managed ones are not listed by the stand-in), by PathPrefix. */
  ListPolicies(model, accountId, params) {
    const scope = params.get('Scope') ?? 'All';
    const prefix = checkPath(params.get('PathPrefix') ?? '/');
    const policies =
      scope === 'AWS'
        ? []
        : [...model.policiesOf(accountId).values()].filter((policy) => policy.path.startsWith(prefix)).sort((a, b) => a.policyName.localeCompare(b.policyName));
    const result = page(policies, params, `ListPolicies${scope}${prefix}`);
    return { Policies: result.items.map((policy) => policyXml(model, accountId, policy, 'list')), IsTruncated: result.IsTruncated, Marker: result.Marker };
  },

  GetPolicy(model, accountId, params, caller) {
    const arn = checkPolicyArn(params.require('PolicyArn'));
    const found = readablePolicy(model, caller, 'GetPolicy', arn);
    return {
      Policy: found.kind === 'customer' ? policyXml(model, accountId, found.policy, 'get') : knownPolicyXml(model, accountId, arn),
    };
  },

  GetPolicyVersion(model, _accountId, params, caller) {
    const arn = checkPolicyArn(params.require('PolicyArn'));
    const versionId = checkVersionId(params.require('VersionId'));
    const found = readablePolicy(model, caller, 'GetPolicyVersion', arn);
    if (found.kind === 'known') {
      if (versionId !== 'v1') throw versionNotFound(arn, versionId);
      return {
        PolicyVersion: { Document: encodeURIComponent(placeholderDocument(arn)), VersionId: 'v1', IsDefaultVersion: true, CreateDate: AWS_POLICY_DATE },
      };
    }
    const version = findVersion(found.policy, versionId);
    return {
      PolicyVersion: {
        Document: encodeURIComponent(version.document),
        VersionId: version.versionId,
        IsDefaultVersion: version.versionId === found.policy.defaultVersionId,
        CreateDate: version.createDate,
      },
    };
  },

  CreatePolicyVersion(model, _accountId, params, caller) {
    const arn = checkPolicyArn(params.require('PolicyArn'));
    const document = checkDocumentText(params.require('PolicyDocument'), 'policyDocument');
    const setAsDefault = params.get('SetAsDefault')?.toLowerCase() === 'true';
    const policy = writablePolicy(model, caller, 'CreatePolicyVersion', arn);
    checkDocument(model, document, 'permissions');
    checkManagedPolicySize(document);
    if (policy.versions.length >= VERSIONS_PER_POLICY) {
      throw new AwsApiError(
        'LimitExceeded',
        `A managed policy can have up to ${VERSIONS_PER_POLICY} versions. Before you create a new version, you must delete an existing version.`,
        409,
      );
    }
    const version: FakePolicyVersion = { versionId: `v${policy.nextVersion}`, document, createDate: model.secondsNow() };
    policy.nextVersion += 1;
    policy.versions.push(version);
    if (setAsDefault) policy.defaultVersionId = version.versionId;
    return { PolicyVersion: { VersionId: version.versionId, IsDefaultVersion: setAsDefault, CreateDate: version.createDate } };
  },

  ListPolicyVersions(model, _accountId, params, caller) {
    const arn = checkPolicyArn(params.require('PolicyArn'));
    const found = readablePolicy(model, caller, 'ListPolicyVersions', arn);
    const versions: XmlValue[] = found.kind === 'known'
      ? [{ VersionId: 'v1', IsDefaultVersion: true, CreateDate: AWS_POLICY_DATE }]
      : [...found.policy.versions].reverse().map((version) => ({
        VersionId: version.versionId,
        IsDefaultVersion: version.versionId === found.policy.defaultVersionId,
        CreateDate: version.createDate,
      }));
    const scope = `ListPolicyVersions/${found.kind === 'known' ? arn : found.policy.policyId}`;
    const result = page(versions, params, scope);
    return { Versions: result.items, IsTruncated: result.IsTruncated, Marker: result.Marker };
  },

  SetDefaultPolicyVersion(model, _accountId, params, caller) {
    const arn = checkPolicyArn(params.require('PolicyArn'));
    const versionId = checkVersionId(params.require('VersionId'));
    const policy = writablePolicy(model, caller, 'SetDefaultPolicyVersion', arn);
    policy.defaultVersionId = findVersion(policy, versionId).versionId;
    return null;
  },

  DeletePolicyVersion(model, _accountId, params, caller) {
    const arn = checkPolicyArn(params.require('PolicyArn'));
    const versionId = checkVersionId(params.require('VersionId'));
    const policy = writablePolicy(model, caller, 'DeletePolicyVersion', arn);
    const version = findVersion(policy, versionId);
    if (version.versionId === policy.defaultVersionId) {
      throw new AwsApiError('DeleteConflict', 'Cannot delete the default version of a policy.', 409);
    }
    policy.versions = policy.versions.filter((candidate) => candidate !== version);
    return null;
  },

  DeletePolicy(model, accountId, params, caller) {
    const arn = checkPolicyArn(params.require('PolicyArn'));
    const policy = writablePolicy(model, caller, 'DeletePolicy', arn);
    if (model.policyAttachmentCount(accountId, arn) > 0) {
      throw new AwsApiError('DeleteConflict', 'Cannot delete a policy attached to entities.', 409);
    }
    if (policy.versions.length > 1) {
      throw new AwsApiError(
        'DeleteConflict',
        "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
        409,
      );
    }
    model.policiesOf(accountId).delete(policy.policyName.toLowerCase());
    return null;
  },
};

export const IAM_OPERATIONS: readonly string[] = Object.keys(HANDLERS);

/** Runs one IAM operation in the caller's account; null: an operation without a result element. */
export function iamCall(model: FakeAwsOrganization, caller: Caller, operation: string, params: QueryParams): XmlValue | null {
  const handler = HANDLERS[operation];
  if (!handler) throw new AwsApiError('InvalidAction', `Could not find operation ${operation} for version 2010-05-08`, 400);
  return handler(model, caller.accountId, params, caller);
}
