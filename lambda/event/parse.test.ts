import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeOutcome, HANDLED_EVENTS, parseEvent, type EventOutcome } from './parse';

/**
 * parseEvent over realistic EventBridge events (test/support/events/, one per case) and over garbage:
 * it must classify every event we handle, name the field when an account ID is wrong, and
 * never throw.
 */

const FIXTURES = join(__dirname, '..', '..', 'test', 'support', 'events');

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as unknown;
}

/** A fresh, mutable copy of a fixture that is known to be an object. */
function eventFrom(name: string): Record<string, unknown> {
  return fixture(name) as Record<string, unknown>;
}

/** Sets (or with undefined, deletes) the value at a dotted path, creating objects on the way. */
function setPath(target: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return target;
}

interface Expected {
  kind: EventOutcome['kind'];
  eventName?: string;
  source?: string;
  accountIds?: string[];
  /** A fragment the reason must contain. */
  reason?: string;
}

const ORGS = 'aws.organizations';
const CT = 'aws.controltower';

const TABLE: Record<string, Expected> = {
  'organizations-create-account-result-succeeded': {
    kind: 'accounts', source: ORGS, eventName: 'CreateAccountResult', accountIds: ['345678901234'],
    reason: 'account created (CreateAccountResult SUCCEEDED)',
  },
  'organizations-create-account-result-failed': {
    kind: 'ignored', source: ORGS, eventName: 'CreateAccountResult', reason: 'EMAIL_ALREADY_EXISTS',
  },
  'organizations-create-account-result-in-progress': {
    kind: 'ignored', source: ORGS, eventName: 'CreateAccountResult', reason: 'IN_PROGRESS',
  },
  'organizations-close-account-result-succeeded': {
    kind: 'accounts', source: ORGS, eventName: 'CloseAccountResult', accountIds: ['456789012345'], reason: 'account closed',
  },
  'organizations-close-account-result-failed': {
    kind: 'ignored', source: ORGS, eventName: 'CloseAccountResult', reason: 'FAILED',
  },
  'organizations-close-account': {
    kind: 'accounts', source: ORGS, eventName: 'CloseAccount', accountIds: ['456789012345'],
  },
  'organizations-close-account-access-denied': {
    kind: 'ignored', source: ORGS, eventName: 'CloseAccount', reason: 'AccessDeniedException',
  },
  'organizations-remove-account-from-organization': {
    kind: 'accounts', source: ORGS, eventName: 'RemoveAccountFromOrganization', accountIds: ['678901234567'],
  },
  'organizations-move-account': {
    kind: 'accounts', source: ORGS, eventName: 'MoveAccount', accountIds: ['789012345678'], reason: 'ou-7q2x-5ntk2w8d',
  },
  'organizations-move-account-not-found': {
    kind: 'ignored', source: ORGS, eventName: 'MoveAccount', reason: 'AccountNotFoundException',
  },
  'organizations-tag-resource-account': {
    kind: 'accounts', source: ORGS, eventName: 'TagResource', accountIds: ['345678901234'],
  },
  'organizations-untag-resource-account': {
    kind: 'accounts', source: ORGS, eventName: 'UntagResource', accountIds: ['345678901234'],
  },
  'organizations-tag-resource-ou': {
    kind: 'ignored', source: ORGS, eventName: 'TagResource', reason: 'tags changed on ou-7q2x-5ntk2w8d, not an account',
  },
  'organizations-untag-resource-root': {
    kind: 'ignored', source: ORGS, eventName: 'UntagResource', reason: 'tags changed on r-7q2x, not an account',
  },
  'organizations-tag-resource-policy': {
    kind: 'ignored', source: ORGS, eventName: 'TagResource', reason: 'tags changed on p-9w3k7x2m, not an account',
  },
  'organizations-accept-handshake': {
    kind: 'accounts', source: ORGS, eventName: 'AcceptHandshake', accountIds: ['890123456789'],
    reason: 'detail.responseElements.handshake.parties[1].id',
  },
  'organizations-accept-handshake-identity-only': {
    kind: 'accounts', source: ORGS, eventName: 'AcceptHandshake', accountIds: ['901234567890'],
    reason: 'detail.userIdentity.accountId',
  },
  'organizations-account-joined-organization-hypothetical': {
    kind: 'accounts', source: ORGS, eventName: 'AccountJoinedOrganization', accountIds: ['890123456789'],
    reason: 'detail.serviceEventDetails.accountJoinedOrganization.accountId',
  },
  'organizations-account-joined-organization-no-account': {
    kind: 'reconcile', source: ORGS, eventName: 'AccountJoinedOrganization',
  },
  'organizations-leave-organization': {
    kind: 'accounts', source: ORGS, eventName: 'LeaveOrganization', accountIds: ['012345678901'],
  },
  'controltower-create-managed-account-succeeded': {
    kind: 'accounts', source: CT, eventName: 'CreateManagedAccount', accountIds: ['123450987654'],
    reason: 'CreateManagedAccount SUCCEEDED',
  },
  'controltower-create-managed-account-failed': {
    kind: 'ignored', source: CT, eventName: 'CreateManagedAccount', reason: 'email address is already in use',
  },
  'controltower-update-managed-account-succeeded': {
    kind: 'accounts', source: CT, eventName: 'UpdateManagedAccount', accountIds: ['234561098765'],
  },
  'controltower-update-managed-account-in-progress': {
    kind: 'ignored', source: CT, eventName: 'UpdateManagedAccount', reason: 'IN_PROGRESS',
  },
  'unknown-organizations-create-organizational-unit': {
    kind: 'unknown', source: ORGS, eventName: 'CreateOrganizationalUnit',
  },
  'unknown-scheduled-event': { kind: 'unknown', source: 'aws.events', eventName: 'Scheduled Event' },
  'unknown-ec2-run-instances': { kind: 'unknown', source: 'aws.ec2', eventName: 'RunInstances' },
  'malformed-create-account-result-short-id': {
    kind: 'invalid', reason: 'detail.serviceEventDetails.createAccountStatus.accountId is "12345"',
  },
  'malformed-move-account-numeric-id': {
    kind: 'invalid', reason: 'detail.requestParameters.accountId is 123456789012 (a number)',
  },
  'malformed-tag-resource-bad-resource-id': { kind: 'invalid', reason: 'detail.requestParameters.resourceId' },
  'malformed-close-account-no-parameters': { kind: 'invalid', reason: 'detail.requestParameters.accountId is missing' },
  'malformed-controltower-no-status': {
    kind: 'invalid', reason: 'detail.serviceEventDetails.createManagedAccountStatus is missing',
  },
  'malformed-no-source': { kind: 'invalid', reason: 'source' },
  'malformed-no-detail': { kind: 'invalid', reason: 'detail' },
  'malformed-array': { kind: 'invalid', reason: 'an array' },
  'malformed-string': { kind: 'invalid', reason: 'not a JSON object' },
  'malformed-null': { kind: 'invalid', reason: 'not a JSON object' },
};

/** Every property a well-formed outcome must have, whatever the input. */
function expectWellFormed(outcome: EventOutcome): void {
  expect(['accounts', 'ignored', 'reconcile', 'unknown', 'invalid']).toContain(outcome.kind);
  expect(typeof outcome.reason).toBe('string');
  expect(outcome.reason.length).toBeGreaterThan(0);
  if (outcome.kind !== 'invalid') {
    expect(typeof outcome.source).toBe('string');
    expect(typeof outcome.eventName).toBe('string');
    expect(outcome.eventName.length).toBeGreaterThan(0);
  }
  if (outcome.kind === 'accounts') {
    expect(outcome.accountIds.length).toBeGreaterThan(0);
    for (const id of outcome.accountIds) expect(id).toMatch(/^\d{12}$/);
    expect(new Set(outcome.accountIds).size).toBe(outcome.accountIds.length);
  }
  const line = describeOutcome(outcome);
  expect(typeof line).toBe('string');
  expect(line).not.toMatch(/[\r\n\u2028\u2029]/);
}

describe('fixtures', () => {
  const files = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();

  it('every fixture has a row in the table and every row a fixture', () => {
    expect(files).toEqual(Object.keys(TABLE).sort());
  });

  it.each(Object.entries(TABLE))('%s', (name, expected) => {
    const outcome = parseEvent(fixture(name));
    expect(outcome.kind).toBe(expected.kind);
    expectWellFormed(outcome);
    if (outcome.kind !== 'invalid') {
      expect(outcome.eventName).toBe(expected.eventName);
      expect(outcome.source).toBe(expected.source);
    }
    if (outcome.kind === 'accounts') expect(outcome.accountIds).toEqual(expected.accountIds);
    if (expected.reason !== undefined) expect(outcome.reason).toContain(expected.reason);
  });

  it('does not change the event it reads', () => {
    for (const name of files) {
      const event = fixture(name);
      const before = JSON.stringify(event);
      parseEvent(event);
      expect(JSON.stringify(event)).toBe(before);
    }
  });

  it('gives the same answer for the same event', () => {
    for (const name of files) expect(parseEvent(fixture(name))).toEqual(parseEvent(fixture(name)));
  });
});

describe('HANDLED_EVENTS', () => {
  it('lists each event once, with its detail-type', () => {
    const keys = HANDLED_EVENTS.map((e) => `${e.source} ${e.eventName}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.sort()).toEqual(
      [
        'aws.organizations CreateAccountResult',
        'aws.organizations CloseAccountResult',
        'aws.organizations CloseAccount',
        'aws.organizations RemoveAccountFromOrganization',
        'aws.organizations MoveAccount',
        'aws.organizations TagResource',
        'aws.organizations UntagResource',
        'aws.organizations AccountJoinedOrganization',
        'aws.organizations AcceptHandshake',
        'aws.organizations LeaveOrganization',
        'aws.controltower CreateManagedAccount',
        'aws.controltower UpdateManagedAccount',
      ].sort(),
    );
    for (const e of HANDLED_EVENTS) {
      expect(['AWS Service Event via CloudTrail', 'AWS API Call via CloudTrail']).toContain(e.detailType);
    }
  });

  it('matches the fixtures: each handled event has one, with the same detail-type, and parses to a known kind', () => {
    const byKey = new Map<string, string>();
    for (const name of Object.keys(TABLE)) {
      const event = fixture(name) as { source?: string; 'detail-type'?: string; detail?: { eventName?: string } };
      if (event && typeof event === 'object' && !name.startsWith('malformed-')) {
        byKey.set(`${event.source} ${event.detail?.eventName}`, event['detail-type'] ?? '');
      }
    }
    for (const e of HANDLED_EVENTS) {
      expect(byKey.get(`${e.source} ${e.eventName}`)).toBe(e.detailType);
    }
  });

  it('cannot be changed by a caller', () => {
    expect(Object.isFrozen(HANDLED_EVENTS)).toBe(true);
    expect(HANDLED_EVENTS.every((e) => Object.isFrozen(e))).toBe(true);
  });
});

describe('account IDs that are not exactly 12 digits', () => {
  const BAD_IDS: unknown[] = ['12345', '1234567890123', 'abcdefghijkl', 123456789012, ' 345678901234', '3456-7890-1234', '', true, ['345678901234'], { id: '345678901234' }];

  // Where each event keeps its account ID (below detail).
  const FIELDS: Array<[fixture: string, path: string]> = [
    ['organizations-create-account-result-succeeded', 'serviceEventDetails.createAccountStatus.accountId'],
    ['organizations-close-account-result-succeeded', 'serviceEventDetails.closeAccountStatus.accountId'],
    ['organizations-close-account', 'requestParameters.accountId'],
    ['organizations-remove-account-from-organization', 'requestParameters.accountId'],
    ['organizations-move-account', 'requestParameters.accountId'],
    ['organizations-tag-resource-account', 'requestParameters.resourceId'],
    ['organizations-untag-resource-account', 'requestParameters.resourceId'],
    ['organizations-account-joined-organization-hypothetical', 'serviceEventDetails.accountJoinedOrganization.accountId'],
    ['organizations-accept-handshake-identity-only', 'userIdentity.accountId'],
    ['organizations-leave-organization', 'userIdentity.accountId'],
    ['controltower-create-managed-account-succeeded', 'serviceEventDetails.createManagedAccountStatus.account.accountId'],
    ['controltower-update-managed-account-succeeded', 'serviceEventDetails.updateManagedAccountStatus.account.accountId'],
  ];

  const cases = FIELDS.flatMap(([name, path]) => BAD_IDS.map((bad) => [name, path, bad] as const));

  it.each(cases)('%s: detail.%s = %p is invalid and the reason names the field', (name, path, bad) => {
    const event = setPath(eventFrom(name), `detail.${path}`, bad);
    const outcome = parseEvent(event);
    expect(outcome.kind).toBe('invalid');
    expect(outcome.reason).toContain(`detail.${path}`);
    expectWellFormed(outcome);
  });

  it('names the party when a handshake ACCOUNT party holds a bad ID', () => {
    const event = eventFrom('organizations-accept-handshake');
    setPath(event, 'detail.responseElements.handshake.parties', [
      { id: 'o-k3v9q2x7m1', type: 'ORGANIZATION' },
      { id: '8901-2345-6789', type: 'ACCOUNT' },
    ]);
    const outcome = parseEvent(event);
    expect(outcome).toMatchObject({ kind: 'invalid' });
    expect(outcome.reason).toContain('detail.responseElements.handshake.parties[1].id');
  });

  it('names recipientAccountId when LeaveOrganization falls back to it', () => {
    const event = eventFrom('organizations-leave-organization');
    setPath(event, 'detail.userIdentity.accountId', undefined);
    setPath(event, 'detail.recipientAccountId', '12345');
    const outcome = parseEvent(event);
    expect(outcome.kind).toBe('invalid');
    expect(outcome.reason).toContain('detail.recipientAccountId');
  });

  it('does not look at the account ID of a FAILED creation', () => {
    const event = eventFrom('organizations-create-account-result-failed');
    setPath(event, 'detail.serviceEventDetails.createAccountStatus.accountId', 'garbage');
    expect(parseEvent(event).kind).toBe('ignored');
  });
});

describe('events in detail', () => {
  it('LeaveOrganization falls back to recipientAccountId when there is no caller account', () => {
    const event = eventFrom('organizations-leave-organization');
    setPath(event, 'detail.userIdentity.accountId', undefined);
    expect(parseEvent(event)).toMatchObject({ kind: 'accounts', accountIds: ['012345678901'] });
    setPath(event, 'detail.recipientAccountId', undefined);
    expect(parseEvent(event).kind).toBe('invalid');
  });

  it('AcceptHandshake looks at requestParameters, then ACCOUNT parties, then the caller', () => {
    const event = eventFrom('organizations-accept-handshake');
    setPath(event, 'detail.userIdentity.accountId', '111111111111');
    expect(parseEvent(event)).toMatchObject({ kind: 'accounts', accountIds: ['890123456789'] });
    setPath(event, 'detail.requestParameters.accountId', '222222222222');
    expect(parseEvent(event)).toMatchObject({ kind: 'accounts', accountIds: ['222222222222'] });
    setPath(event, 'detail.serviceEventDetails.accountJoinedOrganization.accountId', '333333333333');
    expect(parseEvent(event)).toMatchObject({ kind: 'accounts', accountIds: ['333333333333'] });
  });

  it('AcceptHandshake with no account anywhere asks for a reconcile', () => {
    const event = eventFrom('organizations-accept-handshake');
    setPath(event, 'detail.responseElements', null);
    setPath(event, 'detail.userIdentity', { invokedBy: 'AWS Internal' });
    expect(parseEvent(event)).toMatchObject({ kind: 'reconcile', eventName: 'AcceptHandshake' });
  });

  it('AccountJoinedOrganization does not take the caller for the account that joined', () => {
    // The caller of a service event is the management account, not the one that joined.
    const outcome = parseEvent(fixture('organizations-account-joined-organization-no-account'));
    expect(outcome.kind).toBe('reconcile');
  });

  it('handshake parties that are not an array are passed over', () => {
    const event = eventFrom('organizations-accept-handshake');
    setPath(event, 'detail.responseElements.handshake.parties', 'garbage');
    expect(parseEvent(event)).toMatchObject({ kind: 'accounts', accountIds: ['890123456789'] }); // from userIdentity
  });

  it('a failed API call is ignored and the reason names the errorCode, whatever the event', () => {
    const apiCalls = Object.keys(TABLE).filter((name) => {
      const event = fixture(name) as { 'detail-type'?: string };
      return !name.startsWith('unknown-') && !name.startsWith('malformed-') && event['detail-type'] === 'AWS API Call via CloudTrail';
    });
    expect(apiCalls.length).toBeGreaterThanOrEqual(8);
    for (const name of apiCalls) {
      const event = eventFrom(name);
      setPath(event, 'detail.errorCode', 'ThrottlingException');
      setPath(event, 'detail.errorMessage', 'Rate exceeded');
      const outcome = parseEvent(event);
      expect(outcome.kind).toBe('ignored');
      expect(outcome.reason).toContain('ThrottlingException');
    }
  });

  it('an empty errorCode is not an error', () => {
    const event = setPath(eventFrom('organizations-close-account'), 'detail.errorCode', '');
    expect(parseEvent(event).kind).toBe('accounts');
  });

  it('a state other than SUCCEEDED, FAILED or IN_PROGRESS changes nothing yet', () => {
    const event = setPath(eventFrom('organizations-close-account-result-succeeded'), 'detail.serviceEventDetails.closeAccountStatus.state', 'PENDING');
    expect(parseEvent(event)).toMatchObject({ kind: 'ignored' });
    expect(parseEvent(event).reason).toContain('PENDING');
  });

  it('a missing state is invalid and names the field', () => {
    const event = setPath(eventFrom('controltower-update-managed-account-succeeded'), 'detail.serviceEventDetails.updateManagedAccountStatus.state', undefined);
    const outcome = parseEvent(event);
    expect(outcome.kind).toBe('invalid');
    expect(outcome.reason).toContain('detail.serviceEventDetails.updateManagedAccountStatus.state');
  });

  it('eventName falls back to detail-type, then to (none)', () => {
    const event = setPath(eventFrom('organizations-close-account'), 'detail.eventName', undefined);
    expect(parseEvent(event)).toMatchObject({ kind: 'unknown', source: ORGS, eventName: 'AWS API Call via CloudTrail' });
    delete event['detail-type'];
    expect(parseEvent(event)).toMatchObject({ kind: 'unknown', source: ORGS, eventName: '(none)' });
  });

  it('the same eventName from another source is unknown', () => {
    const event = eventFrom('organizations-create-account-result-succeeded');
    event.source = 'aws.controltower';
    expect(parseEvent(event)).toMatchObject({ kind: 'unknown', source: CT, eventName: 'CreateAccountResult' });
  });

  it('a non-string eventName, detail-type or source is invalid', () => {
    expect(parseEvent(setPath(eventFrom('organizations-close-account'), 'detail.eventName', 42)).kind).toBe('invalid');
    expect(parseEvent(setPath(eventFrom('organizations-close-account'), 'detail-type', {})).kind).toBe('invalid');
    expect(parseEvent(setPath(eventFrom('organizations-close-account'), 'source', ['aws.organizations'])).kind).toBe('invalid');
    expect(parseEvent(setPath(eventFrom('organizations-close-account'), 'source', '')).kind).toBe('invalid');
  });

  it('reads own properties only', () => {
    const inherited = Object.create({ accountId: '345678901234' }) as Record<string, unknown>;
    const event = setPath(eventFrom('organizations-close-account'), 'detail.requestParameters', inherited);
    expect(parseEvent(event)).toMatchObject({ kind: 'invalid' });
  });
});

describe('describeOutcome', () => {
  it('says in one line what happens, for every kind', () => {
    const lines = Object.keys(TABLE).map((name) => describeOutcome(parseEvent(fixture(name))));
    for (const line of lines) expect(line).not.toContain('\n');
    expect(describeOutcome(parseEvent(fixture('organizations-create-account-result-succeeded')))).toBe(
      'aws.organizations CreateAccountResult: converge 345678901234 (account created (CreateAccountResult SUCCEEDED))',
    );
    expect(describeOutcome(parseEvent(fixture('organizations-tag-resource-ou')))).toMatch(/^aws\.organizations TagResource: nothing to do \(/);
    expect(describeOutcome(parseEvent(fixture('organizations-account-joined-organization-no-account')))).toMatch(
      /^aws\.organizations AccountJoinedOrganization: reconcile the whole organization/,
    );
    expect(describeOutcome(parseEvent(fixture('unknown-ec2-run-instances')))).toMatch(/^aws\.ec2 RunInstances: not an event this handles/);
    expect(describeOutcome(parseEvent(fixture('malformed-null')))).toMatch(/^invalid event: /);
  });

  it('stays on one line whatever the event holds', () => {
    const event = eventFrom('unknown-ec2-run-instances');
    event.source = 'aws.ec2\nFORGED\u0000LOG\u0085LINE';
    setPath(event, 'detail.eventName', 'Run\r\nInstances\u2028');
    const outcome = parseEvent(event);
    expect(outcome.kind).toBe('unknown');
    expect(describeOutcome(outcome)).not.toMatch(/[\r\n\u2028\u0085\p{Cc}]/u);

    const failed = eventFrom('organizations-create-account-result-failed');
    setPath(failed, 'detail.serviceEventDetails.createAccountStatus.failureReason', `line one\nline two ${'x'.repeat(5000)}`);
    const ignored = parseEvent(failed);
    expect(ignored.reason).not.toContain('\n');
    expect(ignored.reason.length).toBeLessThan(300);
  });
});

// ---------------------------------------------------------------------------------------
// Property-style: garbage in, a well-formed outcome out, never an exception.

/** A small seeded PRNG (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING_STRINGS = [
  '', ' ', '345678901234', '12345', 'ou-7q2x-5ntk2w8d', 'r-7q2x', 'SUCCEEDED', 'FAILED', 'ACCOUNT',
  'aws.organizations', 'aws.controltower', 'CreateAccountResult', 'AcceptHandshake', 'TagResource', '__proto__',
  'constructor', 'toString', '\u0000\n\u2028', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', 'x'.repeat(1000),
];
const KEYS = [
  'source', 'detail', 'detail-type', 'eventName', 'serviceEventDetails', 'requestParameters', 'responseElements',
  'createAccountStatus', 'closeAccountStatus', 'createManagedAccountStatus', 'updateManagedAccountStatus',
  'accountJoinedOrganization', 'handshake', 'parties', 'userIdentity', 'accountId', 'resourceId', 'state',
  'account', 'type', 'id', 'errorCode', 'recipientAccountId', 'failureReason', '__proto__', 'constructor',
];

function garbage(next: () => number, depth = 0): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const roll = next();
  if (depth > 4 || roll < 0.35) {
    return pick<unknown>([
      null, undefined, true, false, 0, -1, 123456789012, Number.NaN, Infinity, 1e21,
      pick(INTERESTING_STRINGS), String(Math.floor(next() * 1e12)).padStart(12, '0'),
    ]);
  }
  if (roll < 0.55) return Array.from({ length: Math.floor(next() * 4) }, () => garbage(next, depth + 1));
  const object: Record<string, unknown> = {};
  const size = Math.floor(next() * 6);
  for (let i = 0; i < size; i++) {
    Object.defineProperty(object, pick(KEYS), { value: garbage(next, depth + 1), enumerable: true, configurable: true, writable: true });
  }
  return object;
}

/** A copy of the event with one value somewhere replaced by garbage. */
function mutate(event: unknown, next: () => number): unknown {
  if (typeof event !== 'object' || event === null || next() < 0.15) return garbage(next);
  const copy: Record<string, unknown> | unknown[] = Array.isArray(event) ? [...(event as unknown[])] : { ...(event as Record<string, unknown>) };
  const keys = Object.keys(copy);
  if (keys.length === 0) return garbage(next);
  const key = keys[Math.floor(next() * keys.length)]!;
  (copy as Record<string, unknown>)[key] = mutate((copy as Record<string, unknown>)[key], next);
  return copy;
}

describe('never throws', () => {
  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['NaN', Number.NaN],
    ['a bigint', BigInt(123456789012)],
    ['a string', 'CreateAccountResult'],
    ['JSON text', JSON.stringify({ source: 'aws.organizations', detail: {} })],
    ['a boolean', true],
    ['a symbol', Symbol('event')],
    ['a function', () => ({ source: 'aws.organizations' })],
    ['an empty array', []],
    ['an array of events', [fixture('organizations-close-account')]],
    ['an empty object', {}],
    ['detail null', { source: 'aws.organizations', detail: null }],
    ['detail an array', { source: 'aws.organizations', detail: [] }],
    ['detail a string', { source: 'aws.organizations', detail: 'CloseAccount' }],
    ['source a number', { source: 7, detail: {} }],
    ['a date', new Date(0)],
    ['a map', new Map([['source', 'aws.organizations']])],
    ['an object without prototype', Object.assign(Object.create(null) as object, { source: 'aws.organizations', detail: { eventName: 'CloseAccount' } })],
    ['parties with nulls', { source: 'aws.organizations', detail: { eventName: 'AcceptHandshake', responseElements: { handshake: { parties: [null, 1, 'ACCOUNT', { type: 'ACCOUNT' }] } } } }],
    ['a bigint account ID', { source: 'aws.organizations', detail: { eventName: 'CloseAccount', requestParameters: { accountId: BigInt(345678901234) } } }],
    ['a symbol errorCode', { source: 'aws.organizations', detail: { eventName: 'CloseAccount', errorCode: Symbol('x') } }],
  ])('%s', (_label, input) => {
    let outcome: EventOutcome | undefined;
    expect(() => {
      outcome = parseEvent(input);
    }).not.toThrow();
    expectWellFormed(outcome!);
  });

  it('survives a getter that throws', () => {
    const hostile = { source: 'aws.organizations' } as Record<string, unknown>;
    Object.defineProperty(hostile, 'detail', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    expect(parseEvent(hostile)).toEqual({ kind: 'invalid', reason: 'the event could not be read' });
  });

  it('survives deeply nested and circular input', () => {
    let deep: Record<string, unknown> = { accountId: '345678901234' };
    for (let i = 0; i < 10000; i++) deep = { requestParameters: deep };
    expectWellFormed(parseEvent({ source: 'aws.organizations', detail: { eventName: 'CloseAccount', ...deep } }));

    const circular: Record<string, unknown> = { source: 'aws.organizations', eventName: 'CloseAccount' };
    circular.detail = circular;
    circular.requestParameters = circular;
    circular.accountId = circular;
    expectWellFormed(parseEvent(circular));
  });

  it('survives 2,000 random values', () => {
    const next = random(0x5eed);
    for (let i = 0; i < 2000; i++) {
      const input = garbage(next);
      let outcome: EventOutcome | undefined;
      expect(() => {
        outcome = parseEvent(input);
      }).not.toThrow();
      expectWellFormed(outcome!);
    }
  });

  it('survives every fixture with parts replaced by garbage (100 mutants each)', () => {
    const next = random(0xc0ffee);
    for (const name of Object.keys(TABLE)) {
      const original = fixture(name);
      for (let i = 0; i < 100; i++) {
        let event = original;
        const rounds = 1 + Math.floor(next() * 3);
        for (let r = 0; r < rounds; r++) event = mutate(event, next);
        let outcome: EventOutcome | undefined;
        expect(() => {
          outcome = parseEvent(event);
        }).not.toThrow();
        expectWellFormed(outcome!);
      }
    }
  });
});
