import { createHash, randomBytes } from 'node:crypto';
import { checkPolicy, normalizeTrustPolicy, trustAllows } from './policy';

/**
 * The state behind the AWS stand-in: one AWS Organization (root, OUs, accounts), the IAM roles of
 * every account, the STS sessions handed out, injected faults and a log of the calls served. Pure
 * state, no I/O: `startAwsStandin` (server.ts) serves it over HTTP to the real AWS SDK clients.
 */

export type Partition = 'aws' | 'aws-us-gov';
export type AwsServiceName = 'organizations' | 'sts' | 'iam' | 'secretsmanager' | 'ssm';
export type AccountState = 'PENDING_ACTIVATION' | 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE' | 'CLOSED';
/** The legacy `Status` field Organizations still returns next to `State`. */
export type AccountStatus = 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE';
export type JoinedMethod = 'CREATED' | 'INVITED';

export interface FakeAccount {
  id: string;
  name: string;
  email: string;
  arn: string;
  state: AccountState;
  status: AccountStatus;
  /** The root or OU holding the account (kept after `removeAccount`, for the record). */
  parentId: string;
  tags: Record<string, string>;
  joinedTimestamp: Date;
  joinedMethod: JoinedMethod;
  /** False once `removeAccount` took it out of the organization (it lives on as a standalone account). */
  inOrganization: boolean;
  /** The member-access role the organization created in it (OrganizationAccountAccessRole by default). */
  memberRoleName: string;
}

export interface FakeRoot {
  id: string;
  name: string;
  arn: string;
  tags: Record<string, string>;
}

export interface FakeOu {
  id: string;
  name: string;
  parentId: string;
  arn: string;
  tags: Record<string, string>;
}

export interface FakeOrganization {
  id: string;
  arn: string;
  featureSet: 'ALL' | 'CONSOLIDATED_BILLING';
  partition: Partition;
  managementAccountId: string;
  managementAccountArn: string;
  managementAccountEmail: string;
}

export interface FakeRole {
  roleName: string;
  roleId: string;
  arn: string;
  path: string;
  /** The trust policy as IAM stores it (JSON text, not URL-encoded). */
  assumeRolePolicyDocument: string;
  description?: string;
  maxSessionDuration: number;
  tags: Record<string, string>;
  /** Inline policies: name -> JSON document as submitted. */
  inlinePolicies: Record<string, string>;
  attachedPolicyArns: string[];
  createDate: Date;
}

/** One version of a customer managed policy. */
export interface FakePolicyVersion {
  /** v1, v2, ... (never reused within a policy). */
  versionId: string;
  /** The JSON document as submitted (not URL-encoded). */
  document: string;
  createDate: Date;
}

/** A customer managed policy of one account. */
export interface FakeManagedPolicy {
  policyName: string;
  policyId: string;
  /** arn:<partition>:iam::<account>:policy<path><name> */
  arn: string;
  path: string;
  description?: string;
  tags: Record<string, string>;
  /** Oldest first. */
  versions: FakePolicyVersion[];
  defaultVersionId: string;
  /** The number the next version gets (v<n>). */
  nextVersion: number;
  createDate: Date;
}

/** A customer managed policy as tests inspect it (`customerPolicies`). */
export interface CustomerPolicyView {
  name: string;
  arn: string;
  path: string;
  policyId: string;
  description?: string;
  defaultVersionId: string;
  /** The default version's document, parsed (the text when it does not parse). */
  document: unknown;
  /** How many versions it has (at most 5). */
  versions: number;
  versionIds: string[];
  /** Roles of its account it is attached to. */
  attachmentCount: number;
  tags: Record<string, string>;
}

/** A customer managed policy as tests hand it to `putCustomerPolicyByHand`. */
export interface CustomerPolicyByHand {
  policyName: string;
  document: string | object;
  path?: string;
  description?: string;
  tags?: Record<string, string>;
}

/** A role as tests hand it to `putRoleByHand`: the trust policy may be an object. */
export interface RoleByHand {
  roleName: string;
  assumeRolePolicyDocument: string | object;
  path?: string;
  description?: string;
  maxSessionDuration?: number;
  tags?: Record<string, string>;
  inlinePolicies?: Record<string, string | object>;
  attachedPolicyArns?: string[];
  roleId?: string;
  createDate?: Date | string;
}

export interface FakeSession {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  accountId: string;
  roleName: string;
  roleArn: string;
  roleId: string;
  sessionName: string;
  /** arn:<partition>:sts::<account>:assumed-role/<role>/<session> */
  arn: string;
  expiration: Date;
  externalId?: string;
  /** Who called AssumeRole. */
  sourceArn: string;
}

/** The principal behind a request's access key. */
export interface Caller {
  kind: 'user' | 'assumed-role';
  accountId: string;
  arn: string;
  /** GetCallerIdentity's UserId: AIDA... for users, <roleId>:<session> for sessions. */
  userId: string;
  session?: FakeSession;
}

export interface CallRecord {
  seq: number;
  at: Date;
  service: AwsServiceName;
  operation: string;
  /** The account the call acted in (for AssumeRole: the account of the role). */
  accountId: string;
  callerAccountId: string;
  callerArn: string;
  /** Query parameters (flat, as sent) or the JSON body. */
  params: Record<string, unknown>;
  /** The error code it was answered with, if any. */
  error?: string;
}

export interface FaultSpec {
  service: AwsServiceName;
  /** Only this operation (e.g. 'AssumeRole'); any by default. */
  operation?: string;
  /** Only calls acting in this account. */
  accountId?: string;
  code: string;
  /** Defaults to what the service answers for `code` (400 for throttling, 500 for failures...). */
  status?: number;
  message?: string;
  /** How many matching calls fail (1). */
  times?: number;
}

export interface CreateAccountOptions {
  name: string;
  email?: string;
  parentId?: string;
  tags?: Record<string, string>;
  id?: string;
  /** The first n AssumeRole calls into its member-access role answer AccessDenied. */
  assumableAfterAttempts?: number;
  /** Defaults to the organization's (OrganizationAccountAccessRole); e.g. AWSControlTowerExecution. */
  memberRoleName?: string;
  /** INVITED accounts get no member-access role unless `createMemberRole` is true. */
  joinedMethod?: JoinedMethod;
  createMemberRole?: boolean;
  state?: AccountState;
  joinedTimestamp?: Date;
}

export interface FakeAwsOrganizationOptions {
  managementAccountId?: string;
  managementAccountName?: string;
  managementAccountEmail?: string;
  partition?: Partition;
  organizationId?: string;
  rootId?: string;
  featureSet?: 'ALL' | 'CONSOLIDATED_BILLING';
  /** False: the management account is in no organization (AWSOrganizationsNotInUseException). */
  organizationsEnabled?: boolean;
  /** The member-access role of accounts created later (OrganizationAccountAccessRole). */
  memberRoleName?: string;
  /** The IAM user behind any unknown long-term access key (standin-admin). */
  managementUserName?: string;
  /** Organizations' page size when MaxResults is not given (20, also the maximum). */
  pageSize?: number;
  /** Seeds the IDs (organization, root, OUs, accounts, role IDs) so runs are repeatable. */
  seed?: number;
  /** The clock for session expiry and timestamps; defaults to the real one (see `advanceTime`). */
  now?: () => Date;
}

export interface AssumeCheck {
  principalAccount: string;
  /** The caller's ARN, to match role or user principals (defaults to the account's root). */
  principalArn?: string;
  externalId?: string;
}

/** An answer in the services' own error vocabulary; the server renders it per protocol. */
export interface FakeSecret {
  name: string;
  arn: string;
  value: string;
  versionId: string;
  createdDate: Date;
}

/** An SSM Parameter Store parameter (String type: what the stack publishes its configuration in). */
export interface FakeParameter {
  name: string;
  value: string;
  version: number;
  lastModifiedDate: Date;
}

export class AwsApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    /** Extra fields for the JSON error body (e.g. Reason for InvalidInputException). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = code;
  }
}

export const DEFAULT_MEMBER_ROLE = 'OrganizationAccountAccessRole';
export const CONTROL_TOWER_ROLE = 'AWSControlTowerExecution';
export const IAM_WRITE_OPERATIONS: ReadonlySet<string> = new Set([
  'CreateRole', 'DeleteRole', 'UpdateRole', 'UpdateRoleDescription', 'UpdateAssumeRolePolicy', 'PutRolePolicy',
  'DeleteRolePolicy', 'AttachRolePolicy', 'DetachRolePolicy', 'TagRole', 'UntagRole',
  'CreatePolicy', 'DeletePolicy', 'CreatePolicyVersion', 'DeletePolicyVersion', 'SetDefaultPolicyVersion',
]);

const AWS_MANAGED_POLICIES = [
  'AdministratorAccess', 'ReadOnlyAccess', 'SecurityAudit', 'job-function/ViewOnlyAccess', 'AWSSupportAccess',
  'IAMReadOnlyAccess', 'AWSCloudTrail_ReadOnlyAccess',
];

const DEFAULT_STATUS: Record<string, number> = {
  Throttling: 400, ThrottlingException: 400, RequestLimitExceeded: 400, TooManyRequestsException: 429,
  ServiceFailure: 500, ServiceException: 500, InternalFailure: 500, InternalError: 500,
  ServiceUnavailable: 503, ServiceUnavailableException: 503,
  AccessDenied: 403, AccessDeniedException: 403, RegionDisabledException: 403, ExpiredToken: 403,
  InvalidClientTokenId: 403, NoSuchEntity: 404, EntityAlreadyExists: 409, DeleteConflict: 409,
  LimitExceeded: 409, ConcurrentModification: 409, EntityTemporarilyUnmodifiable: 409,
  AccountNotFoundException: 404, AWSOrganizationsNotInUseException: 404, ParentNotFoundException: 404,
  TargetNotFoundException: 404, ChildNotFoundException: 404, OrganizationalUnitNotFoundException: 404,
  ConcurrentModificationException: 409,
};

/** The status a service answers `code` with (what `failNext` uses when no status is given). */
export function defaultStatus(code: string): number {
  return DEFAULT_STATUS[code] ?? 400;
}

const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_ID = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function statusOf(state: AccountState): AccountStatus {
  if (state === 'ACTIVE' || state === 'PENDING_ACTIVATION') return 'ACTIVE';
  if (state === 'PENDING_CLOSURE') return 'PENDING_CLOSURE';
  return 'SUSPENDED';
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

interface PendingFault extends FaultSpec {
  remaining: number;
}

export class FakeAwsOrganization {
  readonly partition: Partition;
  readonly managementAccountId: string;
  readonly organizationId: string;
  readonly rootId: string;
  readonly memberRoleName: string;
  readonly pageSize: number;
  organizationsEnabled: boolean;
  /** Every call served, in order. */
  readonly calls: CallRecord[] = [];
  /** Called with each call as it is recorded (e.g. to print traffic). */
  onCall?: (call: CallRecord) => void;

  private readonly random: () => number;
  private readonly clock: () => Date;
  private offsetMs = 0;
  private readonly featureSet: 'ALL' | 'CONSOLIDATED_BILLING';
  private readonly root: FakeRoot;
  private readonly ous = new Map<string, FakeOu>();
  private readonly accounts = new Map<string, FakeAccount>();
  private readonly roles = new Map<string, Map<string, FakeRole>>();
  private readonly sessions = new Map<string, FakeSession>();
  private readonly accessKeys = new Map<string, { accountId: string; userName: string; userId: string }>();
  private readonly assumeDenials = new Map<string, number>();
  private readonly managedPolicies = new Set<string>();
  /** Customer managed policies, per account: lower-cased name -> the policy. */
  private readonly customerManagedPolicies = new Map<string, Map<string, FakeManagedPolicy>>();
  private readonly faults: PendingFault[] = [];
  /** Secrets Manager, per account: name -> the secret. */
  private readonly secrets = new Map<string, Map<string, FakeSecret>>();
  /** SSM Parameter Store, per account: name -> the parameter. */
  private readonly parameters = new Map<string, Map<string, FakeParameter>>();
  private readonly managementUser: { userName: string; userId: string };
  private seq = 0;

  constructor(options: FakeAwsOrganizationOptions = {}) {
    this.random = mulberry32(options.seed ?? 20161128);
    this.clock = options.now ?? (() => new Date());
    this.partition = options.partition ?? 'aws';
    this.featureSet = options.featureSet ?? 'ALL';
    this.organizationsEnabled = options.organizationsEnabled ?? true;
    this.memberRoleName = options.memberRoleName ?? DEFAULT_MEMBER_ROLE;
    this.pageSize = options.pageSize ?? 20;
    this.managementAccountId = options.managementAccountId ?? this.newAccountId();
    this.organizationId = options.organizationId ?? `o-${this.chars(LOWER_ALNUM, 10)}`;
    this.rootId = options.rootId ?? `r-${this.chars(LOWER_ALNUM, 4)}`;
    this.root = { id: this.rootId, name: 'Root', arn: this.orgArn('root', this.rootId), tags: {} };
    this.managementUser = { userName: options.managementUserName ?? 'standin-admin', userId: this.uniqueId('AIDA') };
    for (const name of AWS_MANAGED_POLICIES) this.managedPolicies.add(`arn:${this.partition}:iam::aws:policy/${name}`);
    this.accounts.set(this.managementAccountId, {
      id: this.managementAccountId,
      name: options.managementAccountName ?? 'Management',
      email: options.managementAccountEmail ?? `aws+${this.managementAccountId}@example.com`,
      arn: this.orgArn('account', this.managementAccountId),
      state: 'ACTIVE',
      status: 'ACTIVE',
      parentId: this.rootId,
      tags: {},
      joinedTimestamp: new Date(this.now().getTime() - 400 * 86_400_000),
      joinedMethod: 'CREATED',
      inOrganization: true,
      memberRoleName: this.memberRoleName,
    });
  }

  // ---------------------------------------------------------------- clock

  now(): Date {
    return new Date(this.clock().getTime() + this.offsetMs);
  }

  /** Moves the model's clock forward (sessions expire against it). */
  advanceTime(ms: number): void {
    this.offsetMs += ms;
  }

  // ---------------------------------------------------------------- organization

  get organization(): FakeOrganization {
    const management = this.accounts.get(this.managementAccountId);
    return {
      id: this.organizationId,
      arn: `arn:${this.partition}:organizations::${this.managementAccountId}:organization/${this.organizationId}`,
      featureSet: this.featureSet,
      partition: this.partition,
      managementAccountId: this.managementAccountId,
      managementAccountArn: this.orgArn('account', this.managementAccountId),
      managementAccountEmail: management?.email ?? '',
    };
  }

  getRoot(): FakeRoot {
    return clone(this.root);
  }

  createOu(name: string, parentId: string = this.rootId): string {
    this.requireParent(parentId);
    const rootPart = this.rootId.slice(2);
    let id: string;
    do id = `ou-${rootPart}-${this.chars(LOWER_ALNUM, 8)}`;
    while (this.ous.has(id));
    this.ous.set(id, { id, name, parentId, arn: this.orgArn('ou', id), tags: {} });
    return id;
  }

  getOu(id: string): FakeOu | undefined {
    const ou = this.ous.get(id);
    return ou && clone(ou);
  }

  listOus(): FakeOu[] {
    return [...this.ous.values()].map(clone);
  }

  /** Adds a member account (CREATED: with its member-access role trusting the management account). */
  createAccount(options: CreateAccountOptions): string {
    const parentId = options.parentId ?? this.rootId;
    this.requireParent(parentId);
    const id = options.id ?? this.newAccountId();
    if (!/^\d{12}$/.test(id)) throw new Error(`account IDs have 12 digits: ${id}`);
    if (this.accounts.has(id)) throw new Error(`account ${id} already exists`);
    const joinedMethod = options.joinedMethod ?? 'CREATED';
    const state = options.state ?? 'ACTIVE';
    const memberRoleName = options.memberRoleName ?? this.memberRoleName;
    this.accounts.set(id, {
      id,
      name: options.name,
      email: options.email ?? `aws+${id}@example.com`,
      arn: this.orgArn('account', id),
      state,
      status: statusOf(state),
      parentId,
      tags: { ...options.tags },
      joinedTimestamp: options.joinedTimestamp ?? this.now(),
      joinedMethod,
      inOrganization: true,
      memberRoleName,
    });
    if (options.createMemberRole ?? joinedMethod === 'CREATED') this.createMemberRole(id, memberRoleName);
    if (options.assumableAfterAttempts) this.assumeDenials.set(id, options.assumableAfterAttempts);
    return id;
  }

  getAccount(id: string): FakeAccount | undefined {
    const account = this.accounts.get(id);
    return account && clone(account);
  }

  /** The accounts in the organization, management account first. */
  listAccounts(): FakeAccount[] {
    return [...this.accounts.values()].filter((account) => account.inOrganization).map(clone);
  }

  /** CloseAccount: PENDING_CLOSURE until `settle()`, or straight to CLOSED with `immediate`. */
  closeAccount(id: string, options: { immediate?: boolean } = {}): void {
    const account = this.requireMember(id);
    if (id === this.managementAccountId) throw new Error('the management account cannot be closed this way');
    this.setAccountState(account.id, options.immediate ? 'CLOSED' : 'PENDING_CLOSURE');
  }

  /** Lets pending closures finish: PENDING_CLOSURE accounts become CLOSED (legacy Status SUSPENDED). */
  settle(): void {
    for (const account of this.accounts.values()) {
      if (account.state === 'PENDING_CLOSURE') this.setAccountState(account.id, 'CLOSED');
      if (account.state === 'PENDING_ACTIVATION') this.setAccountState(account.id, 'ACTIVE');
    }
  }

  /** AWS suspended the account (State and Status SUSPENDED). */
  suspendAccount(id: string): void {
    this.setAccountState(id, 'SUSPENDED');
  }

  setAccountState(id: string, state: AccountState): void {
    const account = this.requireAccount(id);
    account.state = state;
    account.status = statusOf(state);
  }

  /** The account leaves the organization; it lives on standalone (its IAM roles too). */
  removeAccount(id: string): void {
    const account = this.requireMember(id);
    if (id === this.managementAccountId) throw new Error('the management account cannot leave');
    account.inOrganization = false;
  }

  moveAccount(id: string, parentId: string): void {
    const account = this.requireMember(id);
    this.requireParent(parentId);
    account.parentId = parentId;
  }

  tagAccount(id: string, tags: Record<string, string>): void {
    Object.assign(this.requireMember(id).tags, tags);
  }

  untagAccount(id: string, keys: string[]): void {
    const account = this.requireMember(id);
    for (const key of keys) delete account.tags[key];
  }

  /** Tags a root or OU (accounts: `tagAccount`). */
  tagResource(id: string, tags: Record<string, string>): void {
    if (/^\d{12}$/.test(id)) return this.tagAccount(id, tags);
    Object.assign(this.requireParent(id).tags, tags);
  }

  setAssumableAfterAttempts(accountId: string, attempts: number): void {
    this.requireAccount(accountId);
    this.assumeDenials.set(accountId, attempts);
  }

  // ---------------------------------------------------------------- IAM

  getRole(accountId: string, roleName: string): FakeRole | undefined {
    const role = this.rolesOf(accountId).get(roleName.toLowerCase());
    return role && clone(role);
  }

  listRoles(accountId: string): FakeRole[] {
    return [...this.rolesOf(accountId).values()].map(clone);
  }

  /** Creates or replaces a role outside the API (someone in the console), without IAM's checks. */
  putRoleByHand(accountId: string, role: RoleByHand): FakeRole {
    const roles = this.rolesOf(accountId);
    const existing = roles.get(role.roleName.toLowerCase());
    const trust = typeof role.assumeRolePolicyDocument === 'string'
      ? role.assumeRolePolicyDocument
      : JSON.stringify(role.assumeRolePolicyDocument);
    const inline: Record<string, string> = {};
    for (const [name, document] of Object.entries(role.inlinePolicies ?? existing?.inlinePolicies ?? {})) {
      inline[name] = typeof document === 'string' ? document : JSON.stringify(document);
    }
    const path = role.path ?? existing?.path ?? '/';
    const stored: FakeRole = {
      roleName: role.roleName,
      roleId: role.roleId ?? existing?.roleId ?? this.uniqueId('AROA'),
      arn: this.roleArn(accountId, path, role.roleName),
      path,
      assumeRolePolicyDocument: normalizeTrustPolicy(trust, this.partition),
      maxSessionDuration: role.maxSessionDuration ?? existing?.maxSessionDuration ?? 3600,
      tags: { ...(role.tags ?? existing?.tags) },
      inlinePolicies: inline,
      attachedPolicyArns: [...(role.attachedPolicyArns ?? existing?.attachedPolicyArns ?? [])],
      // A role read back with getRole() carries its date as a string: take either form.
      createDate: new Date(role.createDate ?? existing?.createDate ?? Math.floor(this.now().getTime() / 1000) * 1000),
    };
    const description = role.description ?? existing?.description;
    if (description !== undefined) stored.description = description;
    roles.set(role.roleName.toLowerCase(), stored);
    return clone(stored);
  }

  /** Deletes a role outside the API, policies and all. Returns whether it existed. */
  deleteRoleByHand(accountId: string, roleName: string): boolean {
    return this.rolesOf(accountId).delete(roleName.toLowerCase());
  }

  /** Makes a managed policy ARN attachable (AWS managed ones such as SecurityAudit are known). */
  addManagedPolicy(arn: string): void {
    this.managedPolicies.add(arn);
  }

  /** The customer managed policies of an account, by name, with their default document parsed. */
  customerPolicies(accountId: string): CustomerPolicyView[] {
    return [...this.policiesOf(accountId).values()]
      .sort((a, b) => a.policyName.localeCompare(b.policyName))
      .map((policy) => this.policyView(accountId, policy));
  }

  /** One customer managed policy by name (case-insensitive), as `customerPolicies` shows it. */
  customerPolicy(accountId: string, policyName: string): CustomerPolicyView | undefined {
    const policy = this.policiesOf(accountId).get(policyName.toLowerCase());
    return policy && this.policyView(accountId, policy);
  }

  /** The document of one version of a customer managed policy (JSON text as submitted). */
  customerPolicyDocument(accountId: string, policyName: string, versionId?: string): string | undefined {
    const policy = this.policiesOf(accountId).get(policyName.toLowerCase());
    const wanted = versionId ?? policy?.defaultVersionId;
    return policy?.versions.find((version) => version.versionId === wanted)?.document;
  }

  /**
   * Creates or replaces a customer managed policy outside the API (someone in the console), without
   * IAM's checks: a replaced policy keeps its ID and attachments and gets one version, v1.
   */
  putCustomerPolicyByHand(accountId: string, policy: CustomerPolicyByHand): CustomerPolicyView {
    const policies = this.policiesOf(accountId);
    const existing = policies.get(policy.policyName.toLowerCase());
    const path = policy.path ?? existing?.path ?? '/';
    const createDate = existing?.createDate ?? this.secondsNow();
    const stored: FakeManagedPolicy = {
      policyName: policy.policyName,
      policyId: existing?.policyId ?? this.newPolicyId(),
      arn: this.policyArn(accountId, path, policy.policyName),
      path,
      tags: { ...(policy.tags ?? existing?.tags) },
      versions: [{
        versionId: 'v1',
        document: typeof policy.document === 'string' ? policy.document : JSON.stringify(policy.document),
        createDate,
      }],
      defaultVersionId: 'v1',
      nextVersion: 2,
      createDate,
    };
    const description = policy.description ?? existing?.description;
    if (description !== undefined) stored.description = description;
    policies.set(policy.policyName.toLowerCase(), stored);
    return this.policyView(accountId, stored);
  }

  /** Deletes a customer managed policy outside the API (attachments stay, as dangling ARNs). */
  deleteCustomerPolicyByHand(accountId: string, policyName: string): boolean {
    return this.policiesOf(accountId).delete(policyName.toLowerCase());
  }

  /** Creates or replaces a Secrets Manager secret (in the management account unless told). */
  putSecret(name: string, value: string, accountId: string = this.managementAccountId): FakeSecret {
    const secrets = this.secrets.get(accountId) ?? new Map<string, FakeSecret>();
    this.secrets.set(accountId, secrets);
    const existing = secrets.get(name);
    const secret: FakeSecret = {
      name,
      // Secrets Manager appends six random characters to the name in the ARN.
      arn: existing?.arn ?? `arn:${this.partition}:secretsmanager:us-east-1:${accountId}:secret:${name}-${this.uniqueId('').slice(-6)}`,
      value,
      versionId: this.uniqueId('v'),
      createdDate: existing?.createdDate ?? this.now(),
    };
    secrets.set(name, secret);
    return { ...secret };
  }

  /** Creates or overwrites an SSM String parameter (in the management account unless told), as a deployed stack does. */
  putParameter(name: string, value: string, accountId: string = this.managementAccountId): FakeParameter {
    const parameters = this.parameters.get(accountId) ?? new Map<string, FakeParameter>();
    this.parameters.set(accountId, parameters);
    const parameter: FakeParameter = { name, value, version: (parameters.get(name)?.version ?? 0) + 1, lastModifiedDate: this.now() };
    parameters.set(name, parameter);
    return { ...parameter };
  }

  findParameter(accountId: string, name: string): FakeParameter | undefined {
    const parameter = this.parameters.get(accountId)?.get(name);
    return parameter && { ...parameter };
  }

  /** A secret by name, complete ARN or partial ARN (the ARN without its suffix), as GetSecretValue finds it. */
  findSecret(accountId: string, secretId: string): FakeSecret | undefined {
    for (const secret of this.secrets.get(accountId)?.values() ?? []) {
      if (secretId === secret.name || secretId === secret.arn || secret.arn.startsWith(`${secretId}-`)) return secret;
    }
    return undefined;
  }

  /** Whether `principal` could assume the role now: account usable, role present, trust policy allows. */
  canAssume(accountId: string, roleName: string, principal: AssumeCheck): boolean {
    return this.explainAssume(accountId, roleName, principal).allowed;
  }

  explainAssume(accountId: string, roleName: string, principal: AssumeCheck): { allowed: boolean; reason: string } {
    const account = this.accounts.get(accountId);
    if (account && account.state !== 'ACTIVE') return { allowed: false, reason: `account ${accountId} is ${account.state}` };
    const role = this.rolesOf(accountId).get(roleName.toLowerCase());
    if (!role) return { allowed: false, reason: `no role ${roleName} in ${accountId}` };
    const parsed = checkPolicy(role.assumeRolePolicyDocument, 'trust', this.partition);
    if (!parsed.ok) return { allowed: false, reason: `the trust policy is malformed: ${parsed.message}` };
    const allowed = trustAllows(parsed.policy, {
      principalAccount: principal.principalAccount,
      principalArn: principal.principalArn ?? `arn:${this.partition}:iam::${principal.principalAccount}:root`,
      ...(principal.externalId !== undefined && { externalId: principal.externalId }),
      partition: this.partition,
    });
    return { allowed, reason: allowed ? 'the trust policy allows it' : 'the trust policy does not allow it' };
  }

  // ---------------------------------------------------------------- credentials

  /** Maps a long-term access key to an IAM user in some account (unknown keys are the management user). */
  addAccessKey(accessKeyId: string, user: { accountId: string; userName: string }): void {
    this.accessKeys.set(accessKeyId, { ...user, userId: this.uniqueId('AIDA') });
  }

  listSessions(): FakeSession[] {
    return [...this.sessions.values()].map(clone);
  }

  /** Makes every session (or those into `accountId`) expire now. */
  expireSessions(accountId?: string): void {
    const past = new Date(this.now().getTime() - 1000);
    for (const session of this.sessions.values()) {
      if (!accountId || session.accountId === accountId) session.expiration = past;
    }
  }

  // ---------------------------------------------------------------- faults and the call log

  /** The next matching call(s) fail with `code`. */
  failNext(fault: FaultSpec): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  get pendingFaults(): number {
    return this.faults.reduce((sum, fault) => sum + fault.remaining, 0);
  }

  callsTo(service: AwsServiceName, operation?: string): CallRecord[] {
    return this.calls.filter((call) => call.service === service && (!operation || call.operation === operation));
  }

  /** IAM calls that write (attempted, failed ones included), optionally in one account. */
  iamWrites(accountId?: string): CallRecord[] {
    return this.calls.filter(
      (call) => call.service === 'iam' && IAM_WRITE_OPERATIONS.has(call.operation) && (!accountId || call.accountId === accountId),
    );
  }

  clearCalls(): void {
    this.calls.length = 0;
  }

  // ---------------------------------------------------------------- for the server (internal)

  /** @internal The caller behind an access key, or the error the services answer. */
  identify(accessKeyId: string, sessionToken: string | undefined): Caller | 'invalid' | 'expired' {
    const session = this.sessions.get(accessKeyId);
    if (session) {
      if (sessionToken !== session.sessionToken) return 'invalid';
      if (session.expiration.getTime() <= this.now().getTime()) return 'expired';
      return {
        kind: 'assumed-role',
        accountId: session.accountId,
        arn: session.arn,
        userId: `${session.roleId}:${session.sessionName}`,
        session,
      };
    }
    if (accessKeyId.startsWith('ASIA')) return 'invalid';
    const user = this.accessKeys.get(accessKeyId) ?? { ...this.managementUser, accountId: this.managementAccountId };
    return {
      kind: 'user',
      accountId: user.accountId,
      arn: `arn:${this.partition}:iam::${user.accountId}:user/${user.userName}`,
      userId: user.userId,
    };
  }

  /** @internal */
  takeFault(service: AwsServiceName, operation: string, accountId: string): AwsApiError | undefined {
    const index = this.faults.findIndex(
      (fault) =>
        fault.service === service &&
        (!fault.operation || fault.operation === operation) &&
        (!fault.accountId || fault.accountId === accountId),
    );
    const fault = this.faults[index];
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    const message = fault.message ?? (fault.code.startsWith('Throttl') || fault.code === 'TooManyRequestsException'
      ? 'Rate exceeded'
      : `Injected ${fault.code}`);
    return new AwsApiError(fault.code, message, fault.status ?? defaultStatus(fault.code));
  }

  /** @internal */
  record(call: Omit<CallRecord, 'seq' | 'at'>): void {
    const record = { seq: ++this.seq, at: this.now(), ...call };
    this.calls.push(record);
    this.onCall?.(record);
  }

  /** @internal The live account record (members and former members). */
  accountRecord(id: string): FakeAccount | undefined {
    return this.accounts.get(id);
  }

  /** @internal Members in insertion order. */
  memberRecords(): FakeAccount[] {
    return [...this.accounts.values()].filter((account) => account.inOrganization);
  }

  /** @internal */
  rootRecord(): FakeRoot {
    return this.root;
  }

  /** @internal */
  ouRecord(id: string): FakeOu | undefined {
    return this.ous.get(id);
  }

  /** @internal */
  ouRecords(): FakeOu[] {
    return [...this.ous.values()];
  }

  /** @internal The live role map of an account, keyed by lower-cased name. */
  rolesOf(accountId: string): Map<string, FakeRole> {
    let roles = this.roles.get(accountId);
    if (!roles) {
      roles = new Map();
      this.roles.set(accountId, roles);
    }
    return roles;
  }

  /** @internal AWS managed policies, those added by `addManagedPolicy`, and customer managed policies. */
  isManagedPolicy(arn: string): boolean {
    return this.managedPolicies.has(arn) || this.findCustomerPolicy(arn) !== undefined;
  }

  /** @internal Whether `arn` is a policy known without a record (AWS managed, or `addManagedPolicy`). */
  isKnownPolicyWithoutRecord(arn: string): boolean {
    return this.managedPolicies.has(arn);
  }

  /** @internal The live customer managed policies of an account, keyed by lower-cased name. */
  policiesOf(accountId: string): Map<string, FakeManagedPolicy> {
    let policies = this.customerManagedPolicies.get(accountId);
    if (!policies) {
      policies = new Map();
      this.customerManagedPolicies.set(accountId, policies);
    }
    return policies;
  }

  /** @internal The live customer managed policy with exactly this ARN. */
  findCustomerPolicy(arn: string): FakeManagedPolicy | undefined {
    const account = /^arn:[a-z-]+:iam::(\d{12}):policy\//.exec(arn)?.[1];
    if (account === undefined) return undefined;
    const name = arn.slice(arn.lastIndexOf('/') + 1);
    const policy = this.customerManagedPolicies.get(account)?.get(name.toLowerCase());
    return policy?.arn === arn ? policy : undefined;
  }

  /** @internal How many roles of `accountId` have `arn` attached. */
  policyAttachmentCount(accountId: string, arn: string): number {
    let count = 0;
    for (const role of this.rolesOf(accountId).values()) if (role.attachedPolicyArns.includes(arn)) count += 1;
    return count;
  }

  /** @internal */
  newPolicyId(): string {
    return this.uniqueId('ANPA');
  }

  /** @internal A stable ID for a policy known without a record (no draw from the seeded IDs). */
  stablePolicyId(arn: string): string {
    const digest = createHash('sha256').update(arn).digest();
    let id = 'ANPA';
    for (let i = 0; i < 17; i += 1) id += UPPER_ID[(digest[i] ?? 0) % UPPER_ID.length];
    return id;
  }

  /** @internal */
  policyArn(accountId: string, path: string, policyName: string): string {
    return `arn:${this.partition}:iam::${accountId}:policy${path}${policyName}`;
  }

  /** @internal The model's time, to the second (what IAM prints). */
  secondsNow(): Date {
    return new Date(Math.floor(this.now().getTime() / 1000) * 1000);
  }

  /** @internal Counts one AssumeRole attempt into a member-access role; true: deny it (still propagating). */
  consumeAssumeDenial(accountId: string, roleName: string): boolean {
    const account = this.accounts.get(accountId);
    if (!account || account.memberRoleName.toLowerCase() !== roleName.toLowerCase()) return false;
    const left = this.assumeDenials.get(accountId) ?? 0;
    if (left <= 0) return false;
    this.assumeDenials.set(accountId, left - 1);
    return true;
  }

  /** @internal */
  issueSession(role: FakeRole, accountId: string, sessionName: string, seconds: number, sourceArn: string, externalId?: string): FakeSession {
    let accessKeyId: string;
    do accessKeyId = `ASIA${this.chars(UPPER_ID, 16)}`;
    while (this.sessions.has(accessKeyId));
    const session: FakeSession = {
      accessKeyId,
      secretAccessKey: randomBytes(30).toString('base64').slice(0, 40),
      sessionToken: `IQoJb3JpZ2luX2VjE${randomBytes(96).toString('base64')}`,
      accountId,
      roleName: role.roleName,
      roleArn: role.arn,
      roleId: role.roleId,
      sessionName,
      arn: `arn:${this.partition}:sts::${accountId}:assumed-role/${role.roleName}/${sessionName}`,
      expiration: new Date(Math.floor(this.now().getTime() / 1000) * 1000 + seconds * 1000),
      sourceArn,
      ...(externalId !== undefined && { externalId }),
    };
    this.sessions.set(accessKeyId, session);
    return session;
  }

  /** @internal */
  newRoleId(): string {
    return this.uniqueId('AROA');
  }

  /** @internal */
  roleArn(accountId: string, path: string, roleName: string): string {
    return `arn:${this.partition}:iam::${accountId}:role${path}${roleName}`;
  }

  // ---------------------------------------------------------------- private

  private policyView(accountId: string, policy: FakeManagedPolicy): CustomerPolicyView {
    const text = policy.versions.find((version) => version.versionId === policy.defaultVersionId)?.document ?? '';
    let document: unknown = text;
    try {
      document = JSON.parse(text);
    } catch {
      // by hand: kept as text
    }
    return {
      name: policy.policyName,
      arn: policy.arn,
      path: policy.path,
      policyId: policy.policyId,
      ...(policy.description !== undefined && { description: policy.description }),
      defaultVersionId: policy.defaultVersionId,
      document,
      versions: policy.versions.length,
      versionIds: policy.versions.map((version) => version.versionId),
      attachmentCount: this.policyAttachmentCount(accountId, policy.arn),
      tags: { ...policy.tags },
    };
  }

  private createMemberRole(accountId: string, roleName: string): void {
    const trust = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:${this.partition}:iam::${this.managementAccountId}:root` }, Action: 'sts:AssumeRole' }],
    };
    const admin = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
    const controlTower = roleName === CONTROL_TOWER_ROLE;
    this.putRoleByHand(accountId, {
      roleName,
      assumeRolePolicyDocument: trust,
      inlinePolicies: controlTower ? {} : { AdministratorAccess: admin },
      attachedPolicyArns: controlTower ? [`arn:${this.partition}:iam::aws:policy/AdministratorAccess`] : [],
    });
  }

  private orgArn(kind: 'account' | 'ou' | 'root', id: string): string {
    return `arn:${this.partition}:organizations::${this.managementAccountId}:${kind}/${this.organizationId}/${id}`;
  }

  private requireAccount(id: string): FakeAccount {
    const account = this.accounts.get(id);
    if (!account) throw new Error(`no account ${id}`);
    return account;
  }

  private requireMember(id: string): FakeAccount {
    const account = this.requireAccount(id);
    if (!account.inOrganization) throw new Error(`account ${id} is no longer in the organization`);
    return account;
  }

  private requireParent(id: string): FakeRoot | FakeOu {
    const parent = id === this.rootId ? this.root : this.ous.get(id);
    if (!parent) throw new Error(`no root or OU ${id}`);
    return parent;
  }

  private chars(alphabet: string, length: number): string {
    let out = '';
    for (let i = 0; i < length; i += 1) out += alphabet[Math.floor(this.random() * alphabet.length)];
    return out;
  }

  private uniqueId(prefix: string): string {
    return `${prefix}${this.chars(UPPER_ID, 17)}`;
  }

  private newAccountId(): string {
    let id: string;
    do id = `${1 + Math.floor(this.random() * 9)}${this.chars('0123456789', 11)}`;
    while (this.accounts.has(id) || id === this.managementAccountId);
    return id;
  }
}
