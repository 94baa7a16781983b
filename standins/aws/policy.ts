/**
 * IAM policy documents for the AWS stand-in: the syntax checks IAM applies when a document is
 * submitted (MalformedPolicyDocument messages), the normalisation IAM applies to trust policies,
 * and the evaluation of a role's trust policy for sts:AssumeRole.
 */

export type PolicyKind = 'trust' | 'permissions';

export type JsonObject = Record<string, unknown>;

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[] | boolean | number>>;
}

export interface ParsedPolicy {
  Version: string;
  Id?: string;
  Statement: PolicyStatement[];
}

export type PolicyCheck = { ok: true; policy: ParsedPolicy } | { ok: false; message: string };

const VERSIONS = new Set(['2012-10-17', '2008-10-17']);
const TOP_LEVEL = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_FIELDS = new Set([
  'Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition',
]);
const PRINCIPAL_TYPES = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);
const TRUST_ACTIONS = /^sts:(AssumeRole|AssumeRoleWithSAML|AssumeRoleWithWebIdentity|TagSession|SetSourceIdentity|SetContext|\*)$/i;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

/** The characters IAM counts against its size quotas: everything but white space. */
export function policySize(document: string): number {
  return document.replace(/\s/g, '').length;
}

/** Whether `value` is a principal IAM accepts under "AWS" in `partition`. */
export function isValidAwsPrincipal(value: unknown, partition: string): boolean {
  if (typeof value !== 'string') return false;
  if (value === '*' || /^\d{12}$/.test(value)) return true;
  if (/^A[A-Z0-9]{16,127}$/.test(value)) return true; // unique IDs (what IAM shows for deleted principals)
  const arn = /^arn:([a-z-]+):(iam|sts)::(\d{12}):(.+)$/.exec(value);
  if (!arn || arn[1] !== partition) return false;
  const resource = arn[4] ?? '';
  if (arn[2] === 'sts') return /^assumed-role\/[\w+=,.@-]+\/[\w+=,.@-]+$/.test(resource);
  return resource === 'root' || /^(user|role|federated-user)\/([\u0021-\u007E]+\/)*[\w+=,.@-]+$/.test(resource);
}

function checkStringList(value: unknown, field: string): string | undefined {
  const list = asList(value);
  if (list.length === 0) return `Syntax errors in policy. ${field} must not be empty.`;
  if (!list.every((item) => typeof item === 'string')) return 'Syntax errors in policy.';
  return undefined;
}

function checkAction(value: unknown, field: string): string | undefined {
  const bad = checkStringList(value, field);
  if (bad) return bad;
  for (const action of asList(value) as string[]) {
    if (action === '*') continue;
    const parts = action.split(':');
    if (parts.length > 2) return 'Actions/Condition can contain only one colon.';
    if (parts.length < 2 || !parts[0] || !/^[a-zA-Z0-9-]+$/.test(parts[0])) {
      return 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.';
    }
    if (!parts[1]) return `Action ${action} must not be empty after the vendor prefix.`;
  }
  return undefined;
}

function checkResource(value: unknown, field: string): string | undefined {
  const bad = checkStringList(value, field);
  if (bad) return bad;
  for (const resource of asList(value) as string[]) {
    if (resource !== '*' && !resource.startsWith('arn:')) return `Resource ${resource} must be in ARN format or "*".`;
  }
  return undefined;
}

function checkPrincipal(value: unknown, partition: string): string | undefined {
  if (value === '*') return undefined;
  if (!isObject(value) || Object.keys(value).length === 0) return 'Syntax errors in policy. Invalid principal.';
  for (const [type, entries] of Object.entries(value)) {
    if (!PRINCIPAL_TYPES.has(type)) return `Invalid principal in policy: "${type}"`;
    for (const entry of asList(entries)) {
      if (typeof entry !== 'string' || entry === '') return `Invalid principal in policy: "${type}":${JSON.stringify(entry)}`;
      if (type === 'AWS' && !isValidAwsPrincipal(entry, partition)) return `Invalid principal in policy: "AWS":"${entry}"`;
    }
  }
  return undefined;
}

function checkCondition(value: unknown): string | undefined {
  if (!isObject(value)) return 'Syntax errors in policy. Condition must be an object.';
  for (const [operator, block] of Object.entries(value)) {
    if (!isObject(block)) return `Syntax errors in policy. Condition ${operator} must map keys to values.`;
    for (const [key, values] of Object.entries(block)) {
      if (!key.includes(':')) return `Invalid Condition key ${key}: keys must be prefaced by a vendor, e.g. aws:, sts:.`;
      for (const item of asList(values)) {
        if (!['string', 'number', 'boolean'].includes(typeof item)) return 'Syntax errors in policy.';
      }
    }
  }
  return undefined;
}

/**
 * Parses and checks a policy document the way IAM does on submission. Trust policies (role
 * AssumeRolePolicyDocument) need a Principal and may not name a Resource; permission policies the
 * opposite. Messages follow IAM's wording where it is known.
 */
export function checkPolicy(text: string, kind: PolicyKind, partition: string): PolicyCheck {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, message: 'Syntax errors in policy.' };
  }
  if (!isObject(parsed)) return { ok: false, message: 'Syntax errors in policy.' };
  for (const key of Object.keys(parsed)) {
    if (!TOP_LEVEL.has(key)) return { ok: false, message: `Syntax errors in policy. Unknown field ${key}.` };
  }
  if (parsed.Version === undefined) return { ok: false, message: 'The policy is missing the required field Version.' };
  if (typeof parsed.Version !== 'string' || !VERSIONS.has(parsed.Version)) {
    return { ok: false, message: 'The policy failed legacy parsing' };
  }
  if (parsed.Statement === undefined) return { ok: false, message: 'Missing required field Statement' };
  const statements = asList(parsed.Statement);
  if (statements.length === 0) return { ok: false, message: 'Missing required field Statement' };
  const sids = new Set<string>();
  for (const statement of statements) {
    if (!isObject(statement)) return { ok: false, message: 'Syntax errors in policy.' };
    const fail = checkStatement(statement, kind, partition, sids);
    if (fail) return { ok: false, message: fail };
  }
  return {
    ok: true,
    policy: { ...(parsed as unknown as ParsedPolicy), Statement: statements as unknown as PolicyStatement[] },
  };
}

function checkStatement(statement: JsonObject, kind: PolicyKind, partition: string, sids: Set<string>): string | undefined {
  for (const key of Object.keys(statement)) {
    if (!STATEMENT_FIELDS.has(key)) return `Syntax errors in policy. Unknown field ${key}.`;
  }
  if (statement.Sid !== undefined) {
    if (typeof statement.Sid !== 'string' || !/^[0-9A-Za-z]*$/.test(statement.Sid)) {
      return 'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*';
    }
    if (statement.Sid !== '' && sids.has(statement.Sid)) return 'Statement IDs (SID) in a single policy must be unique.';
    sids.add(statement.Sid);
  }
  if (statement.Effect === undefined) return 'Missing required field Effect';
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') return `Invalid effect: ${String(statement.Effect)}`;
  const hasAction = statement.Action !== undefined;
  const hasNotAction = statement.NotAction !== undefined;
  if (!hasAction && !hasNotAction) return 'Missing required field Action';
  if (hasAction && hasNotAction) return 'Syntax errors in policy. Action and NotAction are mutually exclusive.';
  const actionProblem = checkAction(hasAction ? statement.Action : statement.NotAction, hasAction ? 'Action' : 'NotAction');
  if (actionProblem) return actionProblem;
  if (statement.Condition !== undefined) {
    const conditionProblem = checkCondition(statement.Condition);
    if (conditionProblem) return conditionProblem;
  }
  const hasPrincipal = statement.Principal !== undefined || statement.NotPrincipal !== undefined;
  const hasResource = statement.Resource !== undefined || statement.NotResource !== undefined;
  if (kind === 'trust') {
    if (hasResource) return 'Has prohibited field Resource';
    if (!hasPrincipal) return 'Missing required field Principal';
    const principalProblem = checkPrincipal(statement.Principal ?? statement.NotPrincipal, partition);
    if (principalProblem) return principalProblem;
    if (hasAction) {
      for (const action of asList(statement.Action) as string[]) {
        if (action !== '*' && !TRUST_ACTIONS.test(action)) return 'AssumeRole policy may only specify STS AssumeRole actions.';
      }
    }
    return undefined;
  }
  if (hasPrincipal) return 'Policy document should not specify a principal.';
  if (!hasResource) return 'Missing required field Resource';
  if (statement.Resource !== undefined && statement.NotResource !== undefined) {
    return 'Syntax errors in policy. Resource and NotResource are mutually exclusive.';
  }
  return checkResource(statement.Resource ?? statement.NotResource, statement.Resource ? 'Resource' : 'NotResource');
}

/**
 * What IAM stores for a trust policy: compact JSON in which account IDs given as principals
 * ("AWS": "123456789012") have become root ARNs. Text that does not parse is kept as it is.
 */
export function normalizeTrustPolicy(text: string, partition: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  if (!isObject(parsed)) return text;
  const toArn = (value: unknown): unknown =>
    typeof value === 'string' && /^\d{12}$/.test(value) ? `arn:${partition}:iam::${value}:root` : value;
  for (const statement of asList(parsed.Statement)) {
    if (!isObject(statement)) continue;
    for (const field of ['Principal', 'NotPrincipal'] as const) {
      const principal = statement[field];
      if (isObject(principal) && principal.AWS !== undefined) {
        principal.AWS = Array.isArray(principal.AWS) ? principal.AWS.map(toArn) : toArn(principal.AWS);
      }
    }
  }
  return JSON.stringify(parsed);
}

/** Who asks to assume a role, and with what request context. */
export interface AssumeContext {
  /** The 12-digit account of the calling principal. */
  principalAccount: string;
  /** The calling principal's ARN (IAM user ARN, or the sts assumed-role ARN of a session). */
  principalArn?: string;
  /** For a role session: the role's IAM ARN (what aws:PrincipalArn holds). */
  principalRoleArn?: string;
  externalId?: string;
  /** Defaults to sts:AssumeRole. */
  action?: string;
  partition: string;
}

function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}

function actionMatches(statement: PolicyStatement, action: string): boolean {
  if (statement.Action !== undefined) {
    return asList(statement.Action).some((item) => typeof item === 'string' && wildcardMatch(item, action, true));
  }
  if (statement.NotAction !== undefined) {
    return !asList(statement.NotAction).some((item) => typeof item === 'string' && wildcardMatch(item, action, true));
  }
  return false;
}

function awsPrincipalMatches(entry: string, context: AssumeContext): boolean {
  if (entry === '*') return true;
  if (/^\d{12}$/.test(entry)) return entry === context.principalAccount;
  const arn = /^arn:([a-z-]+):(iam|sts)::(\d{12}):(.+)$/.exec(entry);
  if (!arn || arn[1] !== context.partition || arn[3] !== context.principalAccount) return false;
  const resource = arn[4] ?? '';
  if (resource === 'root') return true;
  const caller = context.principalArn;
  if (!caller) return false;
  if (caller === entry) return true;
  const role = /^role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(resource);
  const session = /^arn:[a-z-]+:sts::\d{12}:assumed-role\/([\w+=,.@-]+)\//.exec(caller);
  return Boolean(role && session && role[1]?.toLowerCase() === session[1]?.toLowerCase());
}

function principalMatches(statement: PolicyStatement, context: AssumeContext): boolean {
  if (statement.NotPrincipal !== undefined) return false; // not emulated: never matches
  const principal = statement.Principal;
  if (principal === '*') return true;
  if (!isObject(principal) || principal.AWS === undefined) return false;
  return asList(principal.AWS).some((entry) => typeof entry === 'string' && awsPrincipalMatches(entry, context));
}

type ConditionResult = boolean | 'unsupported';

function conditionMatches(statement: PolicyStatement, keys: Map<string, string>): ConditionResult {
  for (const [rawOperator, block] of Object.entries(statement.Condition ?? {})) {
    if (rawOperator.includes(':')) return 'unsupported'; // ForAnyValue:/ForAllValues:
    const ifExists = rawOperator.endsWith('IfExists');
    const operator = ifExists ? rawOperator.slice(0, -'IfExists'.length) : rawOperator;
    for (const [rawKey, rawValues] of Object.entries(block)) {
      const actual = keys.get(rawKey.toLowerCase());
      const wanted = asList(rawValues).map(String);
      let result: boolean;
      if (operator === 'Null') {
        result = wanted.some((value) => (value === 'true') === (actual === undefined));
      } else if (actual === undefined) {
        result = ifExists || operator.startsWith('StringNot') || operator.startsWith('ArnNot');
      } else {
        switch (operator) {
          case 'StringEquals':
          case 'ArnEquals':
            result = wanted.includes(actual);
            break;
          case 'StringNotEquals':
          case 'ArnNotEquals':
            result = !wanted.includes(actual);
            break;
          case 'StringEqualsIgnoreCase':
            result = wanted.some((value) => value.toLowerCase() === actual.toLowerCase());
            break;
          case 'StringNotEqualsIgnoreCase':
            result = !wanted.some((value) => value.toLowerCase() === actual.toLowerCase());
            break;
          case 'StringLike':
          case 'ArnLike':
            result = wanted.some((value) => wildcardMatch(value, actual));
            break;
          case 'StringNotLike':
          case 'ArnNotLike':
            result = !wanted.some((value) => wildcardMatch(value, actual));
            break;
          case 'Bool':
            result = wanted.some((value) => value.toLowerCase() === actual.toLowerCase());
            break;
          default:
            return 'unsupported';
        }
      }
      if (!result) return false;
    }
  }
  return true;
}

/**
 * Whether a trust policy lets the principal in `context` call sts:AssumeRole (or `action`):
 * some Allow statement matches (principal, action, conditions) and no Deny statement does.
 * Supported condition keys: sts:ExternalId, aws:PrincipalAccount, aws:PrincipalArn. Unsupported
 * operators (ForAnyValue:, numeric, date...) make an Allow not match and a Deny match.
 */
export function trustAllows(policy: ParsedPolicy, context: AssumeContext): boolean {
  const action = context.action ?? 'sts:AssumeRole';
  const keys = new Map<string, string>();
  if (context.externalId !== undefined) keys.set('sts:externalid', context.externalId);
  keys.set('aws:principalaccount', context.principalAccount);
  const principalArn = context.principalRoleArn ?? context.principalArn;
  if (principalArn) keys.set('aws:principalarn', principalArn);
  let allowed = false;
  for (const statement of policy.Statement) {
    if (!actionMatches(statement, action) || !principalMatches(statement, context)) continue;
    const condition = conditionMatches(statement, keys);
    if (statement.Effect === 'Deny' && condition !== false) return false;
    if (statement.Effect === 'Allow' && condition === true) allowed = true;
  }
  return allowed;
}
