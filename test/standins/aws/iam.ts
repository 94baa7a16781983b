/**
 * AWS IAM (Query protocol) role operations of the stand-in, acting in the caller's account, with
 * IAM's input constraints, policy checks, quotas and error codes.
 */

import { AwsApiError, type Caller, type FakeAwsOrganization, type FakeRole } from './model';
import { checkPolicy, normalizeTrustPolicy, policySize, type PolicyKind } from './policy';
import type { QueryParams, XmlValue } from './protocol';

const NAME = /^[\w+=,.@-]+$/;
const PATH = /^(\/|\/[\u0021-\u007E]+\/)$/;
const POLICY_TEXT = /^[\t\n\r\u0020-\u00FF]+$/;
const DESCRIPTION = /^[\t\n\r\u0020-\u007E\u00A1-\u00FF]*$/;
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const POLICY_ARN = /^arn:[a-z-]+:iam::(aws|\d{12}):policy\/([\u0021-\u007E]+\/)*[\w+=,.@-]+$/;

const TRUST_POLICY_QUOTA = 2048;
const INLINE_POLICIES_QUOTA = 10240;
const MANAGED_POLICIES_PER_ROLE = 10;
const TAGS_PER_ROLE = 50;

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

type Handler = (model: FakeAwsOrganization, accountId: string, params: QueryParams) => XmlValue | null;

const HANDLERS: Record<string, Handler> = {
  CreateRole(model, accountId, params) {
    const roleName = checkName(params.require('RoleName'), 'roleName', 64);
    const path = params.get('Path') ?? '/';
    if (path.length > 512 || !PATH.test(path)) {
      throw constraint(path, 'path', 'Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)');
    }
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
};

export const IAM_OPERATIONS: readonly string[] = Object.keys(HANDLERS);

/** Runs one IAM operation in the caller's account; null: an operation without a result element. */
export function iamCall(model: FakeAwsOrganization, caller: Caller, operation: string, params: QueryParams): XmlValue | null {
  const handler = HANDLERS[operation];
  if (!handler) throw new AwsApiError('InvalidAction', `Could not find operation ${operation} for version 2010-05-08`, 400);
  return handler(model, caller.accountId, params);
}
