/**
 * Profiles and Datadog targets, end to end: the REAL intake, worker and reconcile handlers
 * against the AWS stand-in and TWO Datadog stand-ins (the top level's Datadog organization on
 * datadoghq.com and a profile's on ap1.datadoghq.com, whose keys live in their own Secrets
 * Manager secret). Accounts land in the target of their profile with its settings and only
 * there; a move between OUs moves the integration and the trust; nothing of anyone else in
 * either Datadog organization changes; and the faults of a move (a target down, a target's keys
 * wrong, a half-done move) converge with exactly the deletions a move calls for.
 */
import { API_KEY, APP_KEY, DEFAULT_TARGET, KEYS_SECRET, events, MOVED, OUT_OF_SCOPE, ROLE, ROLLED_BACK, type DeletionRecord, type E2EHarness, type Expectations, type HarnessOptions } from './harness';
import { AP1, AP1_KEYS, AP1_PRINCIPAL, AP1_SECRET, DEFAULT_PRINCIPAL, REGION_TAG, TARGET_AP1, startTwoTargets, type ApiVersion } from './two-targets';

/** The API version of the top level's target and of the profile's. */
const PAIRS: readonly [ApiVersion, ApiVersion][] = [
  ['v1', 'v1'],
  ['v2', 'v2'],
  ['v1', 'v2'],
  ['v2', 'v1'],
];

let h: E2EHarness | undefined;
let apac = '';
let apacTeams = '';
let emea = '';

afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function start(versions: readonly [ApiVersion, ApiVersion], options: Partial<HarnessOptions> = {}): Promise<E2EHarness> {
  ({ h, apac, apacTeams, emea } = await startTwoTargets(versions, options));
  return h;
}

/** An account onboarded in emea (the default target) by its event, and our integration as it stood then. */
async function onboardInEmea(name: string) {
  const id = h!.model.createAccount({ name, parentId: emea });
  await h!.deliverEvent(events.createAccountResult(id));
  await drain();
  return { id, old: structuredClone(h!.ours(id, DEFAULT_TARGET)[0]!) };
}

/** Moves the account to another OU, and EventBridge delivers the MoveAccount event. */
async function move(accountId: string, parentId: string): Promise<void> {
  h!.model.moveAccount(accountId, parentId);
  await h!.deliverEvent(events.moveAccount(accountId));
}

async function drain(): Promise<void> {
  const stats = await h!.runUntilIdle();
  expect(stats.idle).toBe(true);
}

/** The end state is right (each account in its target only, its role trusting that target) and nothing else changed. */
function converged(expectations: Expectations = {}): void {
  expect(h!.finalCheck(expectations).problems).toEqual([]);
}

/** The deletions each Datadog stand-in saw, as target/account: why. */
const deletions = () => h!.deletions.map((d: DeletionRecord) => `${d.target}/${d.accountId}: ${d.wrong ? 'WRONG ' : ''}${d.why}`);

/** The trust of the account's role: Datadog's principal and external ID. */
function trusts(accountId: string, principal: string, externalId: string | undefined): boolean {
  return Boolean(externalId) && h!.model.canAssume(accountId, ROLE, { principalAccount: principal, externalId });
}

const logsWith = (message: string) => h!.logs().filter((line) => line.message === message);

describe.each(PAIRS)('profiles and Datadog targets end to end: default target on %s, profile target on %s', (top, profile) => {
  const versions = [top, profile] as const;

  it('CreateAccountResult events: each account lands in its profile\'s target with its settings, and only there', async () => {
    await start(versions);
    const nested = h!.model.createAccount({ name: 'apac-nested', parentId: apacTeams });
    const asia = h!.model.createAccount({ name: 'apac-direct', parentId: apac });
    const europe = h!.model.createAccount({ name: 'emea', parentId: emea });
    const plain = h!.model.createAccount({ name: 'root' });
    for (const id of [nested, asia, europe, plain]) await h!.deliverEvent(events.createAccountResult(id));
    await drain();
    for (const id of [nested, asia]) {
      expect(h!.ours(id, AP1)).toEqual([expect.objectContaining({ metrics_collection_enabled: false, host_tags: expect.arrayContaining([h!.marker]) })]);
      expect(h!.ours(id, DEFAULT_TARGET)).toEqual([]);
      expect(trusts(id, AP1_PRINCIPAL, h!.ours(id, AP1)[0]!.external_id)).toBe(true);
    }
    expect(h!.ours(europe, DEFAULT_TARGET)).toEqual([expect.objectContaining({ extended_resource_collection_enabled: true })]);
    expect(h!.ours(plain, DEFAULT_TARGET)).toEqual([expect.objectContaining({ extended_resource_collection_enabled: false })]);
    for (const id of [europe, plain]) {
      expect(h!.ours(id, DEFAULT_TARGET)[0]!.metrics_collection_enabled).not.toBe(false);
      expect(h!.ours(id, AP1)).toEqual([]);
      expect(trusts(id, DEFAULT_PRINCIPAL, h!.ours(id, DEFAULT_TARGET)[0]!.external_id)).toBe(true);
    }
    // The ap1 keys were read from their own secret; each stand-in only ever saw its own keys.
    expect(h!.model.callsTo('secretsmanager', 'GetSecretValue').length).toBeGreaterThanOrEqual(2);
    for (const target of h!.targets.values()) expect(target.datadog.requests.every((r) => r.authorized)).toBe(true);
    // Log lines name the profile and the target.
    const asiaLines = h!.logs().filter((l) => l.accountId === asia && l.profile === 'asia');
    expect(asiaLines.length).toBeGreaterThan(0);
    expect(asiaLines.every((l) => l.target === 'ap1.datadoghq.com')).toBe(true);
    expect(deletions()).toEqual([]);
    converged();
  });

  it('the scheduled reconcile: each account lands in its profile\'s target (one listing per target), and only there', async () => {
    await start(versions);
    const asia = [1, 2].map((i) => h!.model.createAccount({ name: `apac-${i}`, parentId: i === 1 ? apac : apacTeams }));
    const others = [h!.model.createAccount({ name: 'emea', parentId: emea }), h!.model.createAccount({ name: 'root' })];
    const summary = await h!.reconcile();
    expect(summary.toCreate).toBe(4);
    await drain();
    for (const id of asia) {
      expect(h!.ours(id, AP1)).toEqual([expect.objectContaining({ metrics_collection_enabled: false })]);
      expect(h!.ours(id, DEFAULT_TARGET)).toEqual([]);
    }
    for (const id of others) expect(h!.ours(id, AP1)).toEqual([]);
    // One listing of each Datadog organization for the whole organization, not one per account.
    const listings = (label: string) =>
      h!.target(label).datadog.requests.filter((r) => r.method === 'GET' && /^\/api\/v[12]\/integration\/aws(\/accounts)?$/.test(r.path) && !r.query.account_id && !r.query.aws_account_id);
    expect(listings(DEFAULT_TARGET)).toHaveLength(1);
    expect(listings(AP1)).toHaveLength(1);
    // A second run finds nothing to do.
    const again = await h!.reconcile();
    expect(again).toMatchObject({ toCreate: 0, toDelete: 0 });
    await drain();
    expect(deletions()).toEqual([]);
    converged();
  });

  it('MoveAccount events: the integration and the trust move to the new target; the old target keeps none of ours', async () => {
    await start(versions);
    const toAsia = h!.model.createAccount({ name: 'to-asia', parentId: emea });
    const toEurope = h!.model.createAccount({ name: 'to-europe', parentId: apacTeams });
    // Other teams' integrations of the moving accounts, in both Datadog organizations: another role, access keys.
    for (const [index, id] of [toAsia, toEurope].entries()) {
      for (const label of [DEFAULT_TARGET, AP1]) {
        h!.seedOtherTeam({ account_id: id, role_name: 'SecurityTeamRole', host_tags: ['team:security'] }, label);
        h!.seedOtherTeam({ access_key_id: `AKIAOTHERTEAM${index}${label === AP1 ? 1 : 0}EXAMPL`, secret_access_key: 'other-team-secret' }, label);
      }
    }
    for (const id of [toAsia, toEurope]) await h!.deliverEvent(events.createAccountResult(id));
    await drain();
    const before = { asia: h!.ours(toAsia, DEFAULT_TARGET)[0]!.external_id, europe: h!.ours(toEurope, AP1)[0]!.external_id };
    h!.model.moveAccount(toAsia, apac);
    h!.model.moveAccount(toEurope, emea);
    for (const id of [toAsia, toEurope]) await h!.deliverEvent(events.moveAccount(id));
    await drain();
    const after = { asia: h!.ours(toAsia, AP1)[0]?.external_id, europe: h!.ours(toEurope, DEFAULT_TARGET)[0]?.external_id };
    expect(h!.ours(toAsia, AP1)).toEqual([expect.objectContaining({ metrics_collection_enabled: false })]);
    expect(h!.ours(toEurope, DEFAULT_TARGET)).toEqual([expect.objectContaining({ extended_resource_collection_enabled: true })]);
    // The role trusts the new target's principal with its external ID, and no longer the old one's.
    expect(trusts(toAsia, AP1_PRINCIPAL, after.asia)).toBe(true);
    expect(trusts(toAsia, DEFAULT_PRINCIPAL, before.asia)).toBe(false);
    expect(trusts(toEurope, DEFAULT_PRINCIPAL, after.europe)).toBe(true);
    expect(trusts(toEurope, AP1_PRINCIPAL, before.europe)).toBe(false);
    // Exactly one deletion per move, in the old target.
    expect(deletions()).toEqual([`${DEFAULT_TARGET}/${toAsia}: ${MOVED}`, `${AP1}/${toEurope}: ${MOVED}`]);
    converged();
  });

  it('a move the scheduled reconcile finds (no event): the integration and the trust move', async () => {
    await start(versions);
    const moved = h!.model.createAccount({ name: 'moved', parentId: emea });
    const stays = h!.model.createAccount({ name: 'stays', parentId: apac });
    await h!.reconcile();
    await drain();
    h!.model.moveAccount(moved, apacTeams);
    await h!.reconcile();
    await drain();
    expect(h!.ours(moved, AP1)).toHaveLength(1);
    expect(h!.ours(moved, DEFAULT_TARGET)).toEqual([]);
    expect(trusts(moved, AP1_PRINCIPAL, h!.ours(moved, AP1)[0]!.external_id)).toBe(true);
    expect(h!.ours(stays, AP1)).toHaveLength(1);
    expect(deletions()).toEqual([`${DEFAULT_TARGET}/${moved}: ${MOVED}`]);
    converged();
  });

  it('a tag change (TagResource event) moves the account to the tagged profile\'s target, and back when the tag goes', async () => {
    await start(versions);
    const id = h!.model.createAccount({ name: 'tagged-later' });
    await h!.deliverEvent(events.createAccountResult(id));
    await drain();
    h!.model.tagAccount(id, { [REGION_TAG]: 'apac' });
    await h!.deliverEvent(events.tagAccount(id));
    await drain();
    // The apac-tagged profile: ap1, with the top level's settings (metrics on).
    expect(h!.ours(id, AP1)).toEqual([expect.objectContaining({ metrics_collection_enabled: true })]);
    expect(h!.ours(id, DEFAULT_TARGET)).toEqual([]);
    converged();
    h!.model.untagAccount(id, [REGION_TAG]);
    await h!.reconcile();
    await drain();
    expect(h!.ours(id, DEFAULT_TARGET)).toHaveLength(1);
    expect(deletions()).toEqual([`${DEFAULT_TARGET}/${id}: ${MOVED}`, `${AP1}/${id}: ${MOVED}`]);
    converged();
  });

  it('a configuration change (the asia profile now reports to the default target): held whole by the deletion guard, moved once the limit allows', async () => {
    await start(versions);
    const asia = [h!.model.createAccount({ name: 'asia-1', parentId: apac }), h!.model.createAccount({ name: 'asia-2', parentId: apacTeams })];
    const tagged = h!.model.createAccount({ name: 'tagged', tags: { [REGION_TAG]: 'apac' } });
    await h!.reconcile();
    await drain();
    for (const id of [...asia, tagged]) expect(h!.ours(id, AP1)).toHaveLength(1);
    const before = new Map(asia.map((id) => [id, h!.ours(id, AP1)[0]!.external_id]));
    // Redeployed: asia keeps its settings but reports to the top level's Datadog organization (the tagged profile still uses ap1).
    h!.reconfigure({ profiles: h!.profileList.map((p) => (p.name === 'asia' ? { ...p, target: undefined, datadog: { apiVersion: top } } : p)) });
    h!.build(API_KEY, APP_KEY);
    // Two moves are two deletions in ap1, over the guard's limit (10% of 4 accounts: 1): the moves are held whole,
    // the accounts keep working where they are.
    expect(await h!.reconcile()).toMatchObject({ deletionGuardTripped: true });
    await drain();
    for (const id of asia) {
      expect(h!.ours(id, AP1)).toHaveLength(1);
      expect(h!.ours(id, DEFAULT_TARGET)).toEqual([]);
      expect(trusts(id, AP1_PRINCIPAL, before.get(id))).toBe(true);
    }
    expect(logsWith('deletion guard tripped: no deletion enqueued')).toHaveLength(1);
    // The operator allows the deletions: the next run moves them.
    h!.reconfigure({ config: { reconcile: { maxDeletionsPercent: 50 } } });
    h!.build(API_KEY, APP_KEY);
    expect(await h!.reconcile()).toMatchObject({ deletionGuardTripped: false });
    await drain();
    for (const id of asia) expect(h!.ours(id, DEFAULT_TARGET)).toEqual([expect.objectContaining({ metrics_collection_enabled: false })]);
    expect(h!.ours(tagged, AP1)).toHaveLength(1);
    expect(deletions().sort()).toEqual(asia.map((id) => `${AP1}/${id}: ${MOVED}`).sort());
    converged();
  });

  it('a closed account is offboarded from its target, and from the old one where a move left ours behind', async () => {
    await start(versions);
    const asia = h!.model.createAccount({ name: 'closing-asia', parentId: apac });
    await h!.deliverEvent(events.createAccountResult(asia));
    await drain();
    // A move whose leftover stayed behind: the old target was down when the account moved.
    const { id: moved } = await onboardInEmea('closing-moved');
    h!.datadog.outage = 503;
    await move(moved, apac);
    await h!.invokeWorker(h!.queue.receive(10));
    h!.datadog.outage = undefined;
    expect(h!.ours(moved, DEFAULT_TARGET)).toHaveLength(1);
    expect(h!.ours(moved, AP1)).toHaveLength(1);
    for (const id of [asia, moved]) {
      h!.model.closeAccount(id, { immediate: true });
      await h!.deliverEvent(events.closeAccountResult(id));
    }
    await drain();
    for (const id of [asia, moved]) for (const target of [DEFAULT_TARGET, AP1]) expect(h!.ours(id, target)).toEqual([]);
    expect(deletions().sort()).toEqual([`${AP1}/${asia}: ${OUT_OF_SCOPE}`, `${AP1}/${moved}: ${OUT_OF_SCOPE}`, `${DEFAULT_TARGET}/${moved}: ${OUT_OF_SCOPE}`].sort());
    converged();
  });

  it('an unmarked integration with our role name in the other target (another deployment\'s) is left alone by a move', async () => {
    await start(versions);
    const id = h!.model.createAccount({ name: 'shared-role-name', parentId: emea });
    // Someone else's integration of this account in ap1, with our role name but not our marker.
    h!.seedOtherTeam({ account_id: id, role_name: ROLE, host_tags: ['team:someone-else'] }, AP1);
    await h!.deliverEvent(events.createAccountResult(id));
    await drain();
    expect(h!.ours(id, DEFAULT_TARGET)).toHaveLength(1);
    // No deletion anywhere: ap1's integration is not provably ours, the default target's is the account's own.
    expect(deletions()).toEqual([]);
    converged();
  });
});

describe.each(PAIRS)('profiles and Datadog targets, faults: default target on %s, profile target on %s', (top, profile) => {
  const versions = [top, profile] as const;

  it('the new target is down during a move: nothing changes, the old integration keeps working; retried, it converges once it is back', async () => {
    await start(versions);
    const { id, old } = await onboardInEmea('moving');
    const oldTrust = h!.model.getRole(id, ROLE)!.assumeRolePolicyDocument;
    h!.target(AP1).datadog.outage = 503;
    await move(id, apac);
    // A few attempts while ap1 is down: each is sent back to the queue.
    for (let attempt = 1; attempt <= 3; attempt++) {
      const messages = h!.queue.receive(10);
      if (messages.length === 0) h!.advance(h!.queue.nextVisibleAt()! - h!.queue.now);
      expect(await h!.invokeWorker(messages.length ? messages : h!.queue.receive(10))).toBe(1);
    }
    // Nothing changed: the old integration and the role's trust are as they were, and still work together.
    expect(h!.ours(id, DEFAULT_TARGET)).toEqual([old]);
    expect(h!.model.getRole(id, ROLE)!.assumeRolePolicyDocument).toBe(oldTrust);
    expect(trusts(id, DEFAULT_PRINCIPAL, old.external_id)).toBe(true);
    expect(h!.ours(id, AP1)).toEqual([]);
    expect(logsWith('account to retry later').map((l) => String(l.error)).every((e) => e.includes('503'))).toBe(true);
    // Counted for the alarms, and by profile and target (the line names them too): the operator sees which Datadog organization is down.
    expect(h!.metricsWith({})).toMatchObject({ AccountRetry: 3 });
    expect(h!.metricsWith({ Profile: 'asia', Target: 'ap1.datadoghq.com' })).toMatchObject({ AccountRetry: 3 });
    expect(logsWith('account to retry later').every((l) => l.profile === 'asia' && l.target === 'ap1.datadoghq.com')).toBe(true);
    // The scheduled reconcile meanwhile: ap1 cannot be listed; its accounts wait, the default target's are served.
    const newcomer = h!.model.createAccount({ name: 'newcomer', parentId: emea });
    await h!.reconcile();
    expect(h!.ours(id, DEFAULT_TARGET)).toEqual([old]);
    // The run says which Datadog organization it could not list, and what that holds back.
    expect(logsWith('Datadog target could not be listed')).toEqual([
      expect.objectContaining({ level: 'WARN', target: 'ap1.datadoghq.com', profiles: ['asia', 'apac-tagged'], reason: expect.stringContaining('503') }),
    ]);
    h!.target(AP1).datadog.outage = undefined;
    await drain();
    expect(h!.ours(newcomer, DEFAULT_TARGET)).toHaveLength(1);
    expect(h!.ours(id, AP1)).toHaveLength(1);
    expect(trusts(id, AP1_PRINCIPAL, h!.ours(id, AP1)[0]!.external_id)).toBe(true);
    expect(deletions()).toEqual([`${DEFAULT_TARGET}/${id}: ${MOVED}`]);
    converged();
  });

  it("a target that cannot be listed holds back only its own deletions: the other target's go ahead", async () => {
    await start(versions);
    const { id: europe } = await onboardInEmea('closing-europe');
    const asia = h!.model.createAccount({ name: 'closing-asia', parentId: apac });
    await h!.deliverEvent(events.createAccountResult(asia));
    await drain();
    h!.target(AP1).datadog.outage = 503;
    for (const id of [europe, asia]) h!.model.closeAccount(id, { immediate: true });
    await h!.reconcile();
    // One pass of the workers while ap1 is down: the default target's account is offboarded, ap1's waits.
    await h!.invokeWorker(h!.queue.receive(10));
    expect(h!.ours(europe, DEFAULT_TARGET)).toEqual([]);
    expect(h!.ours(asia, AP1)).toHaveLength(1);
    expect(deletions()).toEqual([`${DEFAULT_TARGET}/${europe}: ${OUT_OF_SCOPE}`]);
    h!.target(AP1).datadog.outage = undefined;
    await drain();
    expect(h!.ours(asia, AP1)).toEqual([]);
    expect(deletions()).toEqual([`${DEFAULT_TARGET}/${europe}: ${OUT_OF_SCOPE}`, `${AP1}/${asia}: ${OUT_OF_SCOPE}`]);
    converged();
  });

  it('the old target is down during a move: the new side is done; the leftover is deleted by a later run', async () => {
    await start(versions);
    const { id, old } = await onboardInEmea('moving');
    h!.datadog.outage = 503;
    await move(id, apacTeams);
    await h!.invokeWorker(h!.queue.receive(10));
    // The new side is done: ap1 has the integration and the role trusts it (and only it).
    expect(h!.ours(id, AP1)).toHaveLength(1);
    const externalId = h!.ours(id, AP1)[0]!.external_id;
    expect(trusts(id, AP1_PRINCIPAL, externalId)).toBe(true);
    expect(trusts(id, DEFAULT_PRINCIPAL, old.external_id)).toBe(false);
    // The leftover could not be removed (the default target is down): it is still there, unchanged.
    expect(h!.ours(id, DEFAULT_TARGET)).toEqual([old]);
    expect(deletions()).toEqual([]);
    h!.datadog.outage = undefined;
    // A later run (whatever is still queued, then the scheduled reconcile) removes the leftover.
    await drain();
    await h!.reconcile();
    await drain();
    expect(h!.ours(id, DEFAULT_TARGET)).toEqual([]);
    // Where external IDs are read back (v2) the ID stays; on v1 the role's one ID cannot be told
    // from the old target's, so a new one is rotated into the trust before the leftover goes.
    const now = h!.ours(id, AP1)[0]!.external_id;
    if (versions[1] === 'v2') expect(now).toBe(externalId);
    else expect(trusts(id, AP1_PRINCIPAL, now)).toBe(true);
    expect(deletions()).toEqual([`${DEFAULT_TARGET}/${id}: ${MOVED}`]);
    converged();
  });

  it('a move that fails half way (the trust cannot be rewritten) is finished by the next attempt, never trusting nothing that works', async () => {
    await start(versions);
    const { id, old } = await onboardInEmea('half-way');
    h!.model.failNext({ service: 'iam', operation: 'UpdateAssumeRolePolicy', code: 'AccessDenied', times: 1 });
    await move(id, apac);
    expect(await h!.invokeWorker(h!.queue.receive(10))).toBe(1);
    // Half way: the role still trusts the old target's integration, which is still there.
    expect(h!.ours(id, DEFAULT_TARGET)).toEqual([old]);
    expect(trusts(id, DEFAULT_PRINCIPAL, old.external_id)).toBe(true);
    await drain();
    expect(h!.ours(id, DEFAULT_TARGET)).toEqual([]);
    expect(h!.ours(id, AP1)).toHaveLength(1);
    // v1 cannot read an external ID back: the integration that run created in ap1 was deleted again (the next run starts over).
    const undone = profile === 'v1' ? [`${AP1}/${id}: ${ROLLED_BACK}`] : [];
    expect(deletions()).toEqual([...undone, `${DEFAULT_TARGET}/${id}: ${MOVED}`]);
    converged();
  });

  /** Whose keys are wrong: the accounts it serves fail, naming its secret; the other target's converge. */
  const WRONG_KEYS = [
    { wrong: AP1, target: 'ap1.datadoghq.com', secret: AP1_SECRET },
    { wrong: DEFAULT_TARGET, target: 'datadoghq.com', secret: KEYS_SECRET },
  ] as const;

  it.each(WRONG_KEYS)("one target's keys are wrong ($wrong): its accounts fail naming $secret; the other target's converge; once fixed, all converge", async ({ wrong, target, secret }) => {
    const revoked = 'api-key-revoked-00000000000000000000';
    await start(versions, wrong === AP1 ? { targets: { [AP1]: { ...TARGET_AP1, storedKeys: { apiKey: revoked, appKey: AP1_KEYS.appKey } } } } : { apiKey: revoked });
    const asia = h!.model.createAccount({ name: 'asia', parentId: apac });
    const europe = h!.model.createAccount({ name: 'europe', parentId: emea });
    const plain = h!.model.createAccount({ name: 'root' });
    const [failing, healthy] = wrong === AP1 ? [[asia], [europe, plain]] : [[europe, plain], [asia]];
    const healthyTarget = wrong === AP1 ? DEFAULT_TARGET : AP1;
    for (const id of [asia, europe, plain]) await h!.deliverEvent(events.createAccountResult(id));
    await drain();
    for (const id of healthy) expect(h!.ours(id, healthyTarget)).toHaveLength(1);
    for (const id of failing) for (const label of [AP1, DEFAULT_TARGET]) expect(h!.ours(id, label)).toEqual([]);
    const failed = h!.logs().filter((l) => l.error !== undefined);
    expect(new Set(failed.map((l) => l.accountId))).toEqual(new Set(failing));
    expect(failed.every((l) => l.target === target)).toBe(true);
    for (const line of failed) expect(String(line.error)).toContain(`Secrets Manager secret "${secret}"`);
    // The scheduled reconcile: the listing with the wrong keys is refused; the other target's accounts are not held back.
    const later = h!.model.createAccount({ name: 'later', parentId: wrong === AP1 ? emea : apac });
    await h!.reconcile();
    await drain();
    expect(h!.ours(later, healthyTarget)).toHaveLength(1);
    // Retried until the redrive policy gave up: the dead-letter queue (its alarm) holds messages of the failing accounts,
    // and of no account of the other target (with the default target's keys wrong, also the management account's: out
    // of scope, but whether that target holds an integration of ours for it cannot be read either).
    const dead = h!.queue.deadLetters.map((m) => (JSON.parse(m.body) as { accountId: string }).accountId);
    expect(dead).toEqual(expect.arrayContaining(failing));
    expect(dead.filter((id) => h!.expectedTarget(id) !== wrong)).toEqual([]);
    // The keys fixed and the stack redeployed: everything converges (the dead-letter queue keeps only those messages).
    h!.storeTargetKeys(AP1, AP1_KEYS);
    h!.build(API_KEY, APP_KEY);
    await h!.reconcile();
    await drain();
    for (const id of failing) expect(h!.ours(id, h!.expectedTarget(id))).toHaveLength(1);
    expect(deletions()).toEqual([]);
    converged({ deadLetters: dead.length });
  });
});
