/**
 * AWS Organizations (JSON 1.1) operations of the stand-in: the read side the integration needs,
 * answered from the model with Organizations' pagination and error vocabulary.
 */

import { AwsApiError, type Caller, type FakeAccount, type FakeAwsOrganization, type FakeOu } from './model';

export const ORGANIZATIONS_TARGET_PREFIX = 'AWSOrganizationsV20161128';

const MAX_RESULTS = 20;
const ACCOUNT_ID = /^\d{12}$/;
const ROOT_ID = /^r-[0-9a-z]{4,32}$/;
const OU_ID = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
const POLICY_ID = /^p-[0-9a-zA-Z_]{8,128}$/;

type Input = Record<string, unknown>;
type Output = Record<string, unknown>;

function invalidInput(reason: string, message: string): AwsApiError {
  return new AwsApiError('InvalidInputException', message, 400, { Reason: reason });
}

function requireString(input: Input, name: string): string {
  const value = input[name];
  if (value === undefined || value === null || value === '') {
    throw invalidInput('INPUT_REQUIRED', `You must specify a value for ${name}.`);
  }
  if (typeof value !== 'string') throw invalidInput('INVALID_PATTERN', `You specified an invalid value for ${name}.`);
  return value;
}

function requirePattern(input: Input, name: string, ...patterns: RegExp[]): string {
  const value = requireString(input, name);
  if (!patterns.some((pattern) => pattern.test(value))) {
    throw invalidInput('INVALID_PATTERN', `You specified an invalid value for ${name}.`);
  }
  return value;
}

function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

function accountJson(account: FakeAccount): Output {
  return {
    Id: account.id,
    Arn: account.arn,
    Email: account.email,
    Name: account.name,
    Status: account.status,
    State: account.state,
    JoinedMethod: account.joinedMethod,
    JoinedTimestamp: epochSeconds(account.joinedTimestamp),
  };
}

function ouJson(ou: FakeOu): Output {
  return { Id: ou.id, Arn: ou.arn, Name: ou.name };
}

function tagsJson(tags: Record<string, string>): Output[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** One page of `items`; NextToken is opaque to clients and bound to the operation and scope. */
function page<T>(model: FakeAwsOrganization, items: T[], input: Input, operation: string, scope: string): { items: T[]; NextToken?: string } {
  let size = model.pageSize;
  if (input.MaxResults !== undefined && input.MaxResults !== null) {
    const max = input.MaxResults;
    if (typeof max !== 'number' || !Number.isInteger(max)) throw invalidInput('INVALID_PATTERN', 'You specified an invalid value for MaxResults.');
    if (max < 1) throw invalidInput('MIN_VALUE_EXCEEDED', 'You provided a value for MaxResults that is smaller than allowed (1).');
    if (max > MAX_RESULTS) throw invalidInput('MAX_VALUE_EXCEEDED', `You provided a value for MaxResults that is larger than allowed (${MAX_RESULTS}).`);
    size = max;
  }
  size = Math.min(size, MAX_RESULTS);
  let offset = 0;
  if (typeof input.NextToken === 'string' && input.NextToken !== '') {
    offset = decodeToken(input.NextToken, operation, scope);
  } else if (input.NextToken !== undefined && input.NextToken !== null && input.NextToken !== '') {
    throw invalidInput('INVALID_NEXT_TOKEN', 'The specified NextToken is not valid.');
  }
  const slice = items.slice(offset, offset + size);
  const next = offset + size;
  return next < items.length ? { items: slice, NextToken: encodeToken(operation, scope, next) } : { items: slice };
}

function encodeToken(operation: string, scope: string, offset: number): string {
  return Buffer.from(JSON.stringify({ v: 1, o: operation, s: scope, i: offset })).toString('base64');
}

function decodeToken(token: string, operation: string, scope: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { v?: number; o?: string; s?: string; i?: number };
    if (parsed.v === 1 && parsed.o === operation && parsed.s === scope && Number.isInteger(parsed.i) && (parsed.i ?? -1) >= 0) {
      return parsed.i as number;
    }
  } catch {
    // falls through to the error
  }
  throw invalidInput('INVALID_NEXT_TOKEN', 'The specified NextToken is not valid.');
}

function parentOf(model: FakeAwsOrganization, id: string): { Id: string; Type: 'ROOT' | 'ORGANIZATIONAL_UNIT' } {
  return { Id: id, Type: id === model.rootId ? 'ROOT' : 'ORGANIZATIONAL_UNIT' };
}

function requireKnownParent(model: FakeAwsOrganization, id: string): void {
  if (id !== model.rootId && !model.ouRecord(id)) {
    throw new AwsApiError('ParentNotFoundException', "We can't find a root or OU with the ParentId that you specified.", 404);
  }
}

function member(model: FakeAwsOrganization, id: string): FakeAccount | undefined {
  const account = model.accountRecord(id);
  return account?.inOrganization ? account : undefined;
}

/** Who may call: members of the organization; everything but DescribeOrganization needs the management account. */
function authorize(model: FakeAwsOrganization, caller: Caller, operation: string): void {
  const account = model.accountRecord(caller.accountId);
  if (!model.organizationsEnabled || !account?.inOrganization) {
    throw new AwsApiError('AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.', 404);
  }
  if (operation !== 'DescribeOrganization' && caller.accountId !== model.managementAccountId) {
    throw new AwsApiError('AccessDeniedException', "You don't have permissions to access this resource.", 403);
  }
}

type Handler = (model: FakeAwsOrganization, input: Input) => Output;

const HANDLERS: Record<string, Handler> = {
  DescribeOrganization(model) {
    const org = model.organization;
    return {
      Organization: {
        Id: org.id,
        Arn: org.arn,
        FeatureSet: org.featureSet,
        MasterAccountArn: org.managementAccountArn,
        MasterAccountId: org.managementAccountId,
        MasterAccountEmail: org.managementAccountEmail,
        AvailablePolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }],
      },
    };
  },

  DescribeAccount(model, input) {
    const id = requirePattern(input, 'AccountId', ACCOUNT_ID);
    const account = member(model, id);
    if (!account) throw new AwsApiError('AccountNotFoundException', "You specified an account that doesn't exist.", 404);
    return { Account: accountJson(account) };
  },

  ListAccounts(model, input) {
    const result = page(model, model.memberRecords(), input, 'ListAccounts', '');
    return { Accounts: result.items.map(accountJson), ...(result.NextToken && { NextToken: result.NextToken }) };
  },

  ListAccountsForParent(model, input) {
    const parentId = requirePattern(input, 'ParentId', ROOT_ID, OU_ID);
    requireKnownParent(model, parentId);
    const accounts = model.memberRecords().filter((account) => account.parentId === parentId);
    const result = page(model, accounts, input, 'ListAccountsForParent', parentId);
    return { Accounts: result.items.map(accountJson), ...(result.NextToken && { NextToken: result.NextToken }) };
  },

  ListRoots(model, input) {
    const root = model.rootRecord();
    const result = page(model, [root], input, 'ListRoots', '');
    return {
      Roots: result.items.map((r) => ({
        Id: r.id,
        Arn: r.arn,
        Name: r.name,
        PolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }],
      })),
      ...(result.NextToken && { NextToken: result.NextToken }),
    };
  },

  ListOrganizationalUnitsForParent(model, input) {
    const parentId = requirePattern(input, 'ParentId', ROOT_ID, OU_ID);
    requireKnownParent(model, parentId);
    const ous = model.ouRecords().filter((ou) => ou.parentId === parentId);
    const result = page(model, ous, input, 'ListOrganizationalUnitsForParent', parentId);
    return { OrganizationalUnits: result.items.map(ouJson), ...(result.NextToken && { NextToken: result.NextToken }) };
  },

  DescribeOrganizationalUnit(model, input) {
    const id = requirePattern(input, 'OrganizationalUnitId', OU_ID);
    const ou = model.ouRecord(id);
    if (!ou) {
      throw new AwsApiError('OrganizationalUnitNotFoundException', "We can't find an OU with the OrganizationalUnitId that you specified.", 404);
    }
    return { OrganizationalUnit: ouJson(ou) };
  },

  ListChildren(model, input) {
    const parentId = requirePattern(input, 'ParentId', ROOT_ID, OU_ID);
    const childType = requireString(input, 'ChildType');
    if (childType !== 'ACCOUNT' && childType !== 'ORGANIZATIONAL_UNIT') {
      throw invalidInput('INVALID_ENUM', 'You specified an invalid value for ChildType.');
    }
    requireKnownParent(model, parentId);
    const children = childType === 'ACCOUNT'
      ? model.memberRecords().filter((account) => account.parentId === parentId).map((account) => account.id)
      : model.ouRecords().filter((ou) => ou.parentId === parentId).map((ou) => ou.id);
    const result = page(model, children, input, 'ListChildren', `${parentId}/${childType}`);
    return {
      Children: result.items.map((Id) => ({ Id, Type: childType })),
      ...(result.NextToken && { NextToken: result.NextToken }),
    };
  },

  ListParents(model, input) {
    const childId = requirePattern(input, 'ChildId', ACCOUNT_ID, OU_ID);
    const parentId = ACCOUNT_ID.test(childId) ? member(model, childId)?.parentId : model.ouRecord(childId)?.parentId;
    if (!parentId) {
      throw new AwsApiError(
        'ChildNotFoundException',
        "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.",
        404,
      );
    }
    const result = page(model, [parentOf(model, parentId)], input, 'ListParents', childId);
    return { Parents: result.items, ...(result.NextToken && { NextToken: result.NextToken }) };
  },

  ListTagsForResource(model, input) {
    const id = requirePattern(input, 'ResourceId', ACCOUNT_ID, ROOT_ID, OU_ID, POLICY_ID);
    let tags: Record<string, string> | undefined;
    if (ACCOUNT_ID.test(id)) tags = member(model, id)?.tags;
    else if (id === model.rootId) tags = model.rootRecord().tags;
    else if (OU_ID.test(id)) tags = model.ouRecord(id)?.tags;
    if (!tags) {
      throw new AwsApiError('TargetNotFoundException', "We can't find a root, OU, account, or policy with the TargetId that you specified.", 404);
    }
    const result = page(model, tagsJson(tags), input, 'ListTagsForResource', id);
    return { Tags: result.items, ...(result.NextToken && { NextToken: result.NextToken }) };
  },
};

export const ORGANIZATIONS_OPERATIONS: readonly string[] = Object.keys(HANDLERS);

/** Runs one Organizations operation for `caller`; throws AwsApiError with Organizations' codes. */
export function organizationsCall(model: FakeAwsOrganization, caller: Caller, operation: string, input: Input): Output {
  const handler = HANDLERS[operation];
  if (!handler) {
    throw new AwsApiError('UnknownOperationException', `The AWS stand-in does not emulate Organizations ${operation}.`, 400);
  }
  authorize(model, caller, operation);
  return handler(model, input);
}
