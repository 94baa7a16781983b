import { isAccountId } from '../domain/account-id';

/**
 * Reads an EventBridge event (the JSON a rule delivers to its target) and says what it asks
 * of us: converge some accounts, nothing, a whole-organization reconcile, or that it is not
 * an event we handle. Pure: no I/O, no clock, and it never throws, whatever it is given.
 *
 * The events are those of DESIGN.md "Triggers"; HANDLED_EVENTS lists them for the rules.
 */

export type EventOutcome =
  | { kind: 'accounts'; accountIds: string[]; source: string; eventName: string; reason: string }
  | { kind: 'ignored'; source: string; eventName: string; reason: string }
  | { kind: 'reconcile'; source: string; eventName: string; reason: string }
  | { kind: 'unknown'; source: string; eventName: string; reason: string }
  | { kind: 'invalid'; reason: string };

export const SERVICE_EVENT = 'AWS Service Event via CloudTrail';
export const API_CALL = 'AWS API Call via CloudTrail';

export interface HandledEvent {
  readonly source: string;
  readonly eventName: string;
  readonly detailType: string;
}

const ORGANIZATIONS = 'aws.organizations';
const CONTROL_TOWER = 'aws.controltower';

type Json = Record<string, unknown>;

/** What a handler returns: the outcome without source and eventName, which parseEvent adds. */
type Verdict =
  | { kind: 'accounts'; accountIds: string[]; reason: string }
  | { kind: 'ignored' | 'reconcile'; reason: string }
  | { kind: 'invalid'; reason: string };

interface Handler extends HandledEvent {
  readonly read: (detail: Json, eventName: string) => Verdict;
}

// ---------------------------------------------------------------------------------------
// Reading untrusted JSON

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An own property only: nothing inherited from a prototype is ever read as event data. */
function own(value: unknown, key: string): unknown {
  return isRecord(value) && Object.prototype.hasOwnProperty.call(value, key) ? value[key] : undefined;
}

/** The value at a dotted path below detail, e.g. at(detail, 'requestParameters.accountId'). */
function at(detail: Json, path: string): unknown {
  let value: unknown = detail;
  for (const key of path.split('.')) value = own(value, key);
  return value;
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null;
}

const MAX_SHOWN = 120;

/** Text from the event made fit for a one-line reason: no control characters, short. */
function clip(value: string): string {
  const flat = value.replace(/[\p{Cc}\p{Zl}\p{Zp}]/gu, ' ');
  return flat.length > MAX_SHOWN ? `${flat.slice(0, MAX_SHOWN)}...` : flat;
}

/** Any value from the event as a reason may quote it: strings quoted, others by their type. */
function show(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(clip(value));
  if (typeof value === 'number' || typeof value === 'bigint') return `${String(value)} (a number)`;
  if (typeof value === 'boolean') return `${String(value)} (a boolean)`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** A string from the event unquoted (a state, a failure reason); anything else as show() does. */
function text(value: unknown): string {
  return typeof value === 'string' ? clip(value) : show(value);
}

function notAccountId(path: string, value: unknown): Verdict {
  return {
    kind: 'invalid',
    reason: `detail.${path} is ${show(value)}, not an AWS account ID (exactly 12 digits)`,
  };
}

/** The account ID the event must carry at path, or why the event is invalid. */
function requiredAccountId(detail: Json, path: string): string | Verdict {
  const value = at(detail, path);
  if (isAbsent(value)) return { kind: 'invalid', reason: `detail.${path} is missing` };
  return isAccountId(value) ? value : notAccountId(path, value);
}

function accounts(accountIds: string[], reason: string): Verdict {
  return { kind: 'accounts', accountIds: [...new Set(accountIds)], reason };
}

function oneAccount(detail: Json, path: string, reason: string): Verdict {
  const id = requiredAccountId(detail, path);
  return typeof id === 'string' ? accounts([id], reason) : id;
}

// ---------------------------------------------------------------------------------------
// The events

/**
 * A status object whose state decides: SUCCEEDED names the account that changed; any other
 * state (FAILED, IN_PROGRESS, a state added later) changed no account.
 */
function statusEvent(options: {
  statusPath: string;
  accountIdPath: string;
  succeeded: string;
  failed: string;
  inProgress: string;
}): (detail: Json, eventName: string) => Verdict {
  return (detail, eventName) => {
    const status = at(detail, options.statusPath);
    if (!isRecord(status)) {
      return { kind: 'invalid', reason: `detail.${options.statusPath} is ${isAbsent(status) ? 'missing' : 'not an object'}` };
    }
    const state = own(status, 'state');
    if (typeof state !== 'string' || state === '') {
      return { kind: 'invalid', reason: `detail.${options.statusPath}.state is ${show(state)}, not a state name` };
    }
    if (state === 'SUCCEEDED') {
      return oneAccount(detail, options.accountIdPath, `${options.succeeded} (${eventName} SUCCEEDED)`);
    }
    if (state === 'FAILED') {
      const why = own(status, 'failureReason') ?? own(status, 'message');
      const because = typeof why === 'string' && why !== '' ? `: ${text(why)}` : '';
      return { kind: 'ignored', reason: `${options.failed} (${eventName} FAILED${because})` };
    }
    if (state === 'IN_PROGRESS') {
      return { kind: 'ignored', reason: `${options.inProgress} (${eventName} IN_PROGRESS); a later event reports the result` };
    }
    return { kind: 'ignored', reason: `${eventName} state ${text(state)} is not SUCCEEDED; nothing changed yet` };
  };
}

function requestedAccount(describe: (detail: Json) => string): (detail: Json, eventName: string) => Verdict {
  return (detail, eventName) => oneAccount(detail, 'requestParameters.accountId', `${describe(detail)} (${eventName})`);
}

// Organizations IDs that can carry tags and are not accounts: OU, root, policy, resource policy.
const NOT_ACCOUNT_RESOURCE = /^(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32}|p-[0-9a-zA-Z_]{8,128}|rp-[0-9a-zA-Z_]{4,128})$/;

function tagsChanged(verb: string): (detail: Json, eventName: string) => Verdict {
  return (detail, eventName) => {
    const path = 'requestParameters.resourceId';
    const resourceId = at(detail, path);
    if (isAbsent(resourceId)) return { kind: 'invalid', reason: `detail.${path} is missing` };
    if (isAccountId(resourceId)) return accounts([resourceId], `tags ${verb} the account (${eventName})`);
    if (typeof resourceId === 'string' && NOT_ACCOUNT_RESOURCE.test(resourceId)) {
      return { kind: 'ignored', reason: `tags changed on ${resourceId}, not an account (${eventName})` };
    }
    return {
      kind: 'invalid',
      reason: `detail.${path} is ${show(resourceId)}: neither an AWS account ID (exactly 12 digits) nor an OU, root or policy ID`,
    };
  };
}

/**
 * No verified sample of these exists, so every place an account ID could plausibly be is
 * tried in turn; a field that is there but holds something other than an account ID makes
 * the event invalid. Nothing found: the whole organization is reconciled.
 */
function accountJoined(detail: Json, eventName: string): Verdict {
  const candidates: Array<{ path: string; value: unknown }> = [
    { path: 'serviceEventDetails.accountJoinedOrganization.accountId', value: at(detail, 'serviceEventDetails.accountJoinedOrganization.accountId') },
    { path: 'requestParameters.accountId', value: at(detail, 'requestParameters.accountId') },
  ];
  const parties = at(detail, 'responseElements.handshake.parties');
  if (Array.isArray(parties)) {
    parties.forEach((party: unknown, index) => {
      if (own(party, 'type') === 'ACCOUNT') {
        candidates.push({ path: `responseElements.handshake.parties[${index}].id`, value: own(party, 'id') });
      }
    });
  }
  if (eventName === 'AcceptHandshake') {
    candidates.push({ path: 'userIdentity.accountId', value: at(detail, 'userIdentity.accountId') });
  }
  for (const { path, value } of candidates) {
    if (isAbsent(value)) continue;
    if (!isAccountId(value)) return notAccountId(path, value);
    return accounts([value], `account joined the organization (${eventName}, detail.${path})`);
  }
  return { kind: 'reconcile', reason: `an account joined the organization but ${eventName} names none; reconcile all accounts` };
}

/** Made by the member account itself: the caller is the account that left. */
function leftOrganization(detail: Json, eventName: string): Verdict {
  const caller = at(detail, 'userIdentity.accountId');
  const path = isAbsent(caller) ? 'recipientAccountId' : 'userIdentity.accountId';
  const value = isAbsent(caller) ? at(detail, path) : caller;
  if (isAbsent(value)) {
    return { kind: 'invalid', reason: 'detail.userIdentity.accountId and detail.recipientAccountId are both missing' };
  }
  return isAccountId(value) ? accounts([value], `account left the organization (${eventName})`) : notAccountId(path, value);
}

function moved(detail: Json): string {
  const to = at(detail, 'requestParameters.destinationParentId');
  return typeof to === 'string' && to !== '' ? `account moved to ${text(to)}` : 'account moved to another parent';
}

const HANDLERS: readonly Handler[] = [
  {
    source: ORGANIZATIONS,
    eventName: 'CreateAccountResult',
    detailType: SERVICE_EVENT,
    read: statusEvent({
      statusPath: 'serviceEventDetails.createAccountStatus',
      accountIdPath: 'serviceEventDetails.createAccountStatus.accountId',
      succeeded: 'account created',
      failed: 'account creation failed',
      inProgress: 'account creation still in progress',
    }),
  },
  {
    source: ORGANIZATIONS,
    eventName: 'CloseAccountResult',
    detailType: SERVICE_EVENT,
    read: statusEvent({
      statusPath: 'serviceEventDetails.closeAccountStatus',
      accountIdPath: 'serviceEventDetails.closeAccountStatus.accountId',
      succeeded: 'account closed',
      failed: 'account closure failed',
      inProgress: 'account closure still in progress',
    }),
  },
  { source: ORGANIZATIONS, eventName: 'CloseAccount', detailType: API_CALL, read: requestedAccount(() => 'account closure requested') },
  {
    source: ORGANIZATIONS,
    eventName: 'RemoveAccountFromOrganization',
    detailType: API_CALL,
    read: requestedAccount(() => 'account removed from the organization'),
  },
  { source: ORGANIZATIONS, eventName: 'MoveAccount', detailType: API_CALL, read: requestedAccount(moved) },
  { source: ORGANIZATIONS, eventName: 'TagResource', detailType: API_CALL, read: tagsChanged('added to') },
  { source: ORGANIZATIONS, eventName: 'UntagResource', detailType: API_CALL, read: tagsChanged('removed from') },
  { source: ORGANIZATIONS, eventName: 'AccountJoinedOrganization', detailType: SERVICE_EVENT, read: accountJoined },
  { source: ORGANIZATIONS, eventName: 'AcceptHandshake', detailType: API_CALL, read: accountJoined },
  { source: ORGANIZATIONS, eventName: 'LeaveOrganization', detailType: API_CALL, read: leftOrganization },
  {
    source: CONTROL_TOWER,
    eventName: 'CreateManagedAccount',
    detailType: SERVICE_EVENT,
    read: statusEvent({
      statusPath: 'serviceEventDetails.createManagedAccountStatus',
      accountIdPath: 'serviceEventDetails.createManagedAccountStatus.account.accountId',
      succeeded: 'Control Tower account created',
      failed: 'Control Tower account creation failed',
      inProgress: 'Control Tower account creation still in progress',
    }),
  },
  {
    source: CONTROL_TOWER,
    eventName: 'UpdateManagedAccount',
    detailType: SERVICE_EVENT,
    read: statusEvent({
      statusPath: 'serviceEventDetails.updateManagedAccountStatus',
      accountIdPath: 'serviceEventDetails.updateManagedAccountStatus.account.accountId',
      succeeded: 'Control Tower account updated',
      failed: 'Control Tower account update failed',
      inProgress: 'Control Tower account update still in progress',
    }),
  },
];

/** Every event parseEvent acts on, for the EventBridge rules. */
export const HANDLED_EVENTS: readonly HandledEvent[] = Object.freeze(
  HANDLERS.map(({ source, eventName, detailType }) => Object.freeze({ source, eventName, detailType })),
);

// ---------------------------------------------------------------------------------------
// Entry points

export function parseEvent(event: unknown): EventOutcome {
  try {
    return parse(event);
  } catch {
    // Only reachable with hostile objects (throwing getters, proxies), never with parsed JSON.
    return { kind: 'invalid', reason: 'the event could not be read' };
  }
}

function parse(event: unknown): EventOutcome {
  if (!isRecord(event)) {
    return { kind: 'invalid', reason: `the event is ${show(event)}, not a JSON object` };
  }
  const source = own(event, 'source');
  if (isAbsent(source)) return { kind: 'invalid', reason: 'the event has no source' };
  if (typeof source !== 'string' || source === '') {
    return { kind: 'invalid', reason: `the event's source is ${show(source)}, not a service name such as aws.organizations` };
  }
  const detail = own(event, 'detail');
  if (!isRecord(detail)) {
    return { kind: 'invalid', reason: isAbsent(detail) ? 'the event has no detail' : `the event's detail is ${show(detail)}, not an object` };
  }
  const detailType = own(event, 'detail-type');
  if (!isAbsent(detailType) && typeof detailType !== 'string') {
    return { kind: 'invalid', reason: `the event's detail-type is ${show(detailType)}, not a string` };
  }
  const rawName = own(detail, 'eventName');
  if (!isAbsent(rawName) && typeof rawName !== 'string') {
    return { kind: 'invalid', reason: `detail.eventName is ${show(rawName)}, not a string` };
  }
  const eventName = nonEmpty(rawName) ?? nonEmpty(detailType) ?? '(none)';

  const handler = HANDLERS.find((h) => h.source === source && h.eventName === eventName);
  if (!handler) {
    const known = source === ORGANIZATIONS || source === CONTROL_TOWER;
    const reason = known
      ? `${text(eventName)} is not one of the ${source} events this handles`
      : `events from ${text(source)} are not handled`;
    return { kind: 'unknown', source, eventName, reason };
  }

  const errorCode = own(detail, 'errorCode');
  if (!isAbsent(errorCode) && errorCode !== '') {
    const code = typeof errorCode === 'string' ? text(errorCode) : `errorCode ${show(errorCode)}`;
    return { kind: 'ignored', source, eventName, reason: `the ${eventName} call failed (${code}); nothing changed` };
  }

  const verdict = handler.read(detail, eventName);
  if (verdict.kind === 'invalid') return { kind: 'invalid', reason: `${text(source)} ${text(eventName)}: ${verdict.reason}` };
  return { ...verdict, source, eventName };
}

/** One line for humans (logs, CLI output). */
export function describeOutcome(outcome: EventOutcome): string {
  switch (outcome.kind) {
    case 'accounts':
      return `${label(outcome)}: converge ${outcome.accountIds.join(', ')} (${flat(outcome.reason)})`;
    case 'ignored':
      return `${label(outcome)}: nothing to do (${flat(outcome.reason)})`;
    case 'reconcile':
      return `${label(outcome)}: reconcile the whole organization (${flat(outcome.reason)})`;
    case 'unknown':
      return `${label(outcome)}: not an event this handles (${flat(outcome.reason)})`;
    case 'invalid':
      return `invalid event: ${flat(outcome.reason)}`;
  }
}

function label(outcome: { source: string; eventName: string }): string {
  return `${flat(outcome.source)} ${flat(outcome.eventName)}`;
}

function flat(value: string): string {
  const line = value.replace(/[\s\p{Cc}\p{Zl}\p{Zp}]+/gu, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 300)}...` : line;
}
