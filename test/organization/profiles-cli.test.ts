/**
 * Profiles and Datadog targets as an operator meets them, through the real CLI in process: the
 * AWS stand-in (Organizations, IAM, STS, Secrets Manager) and TWO Datadog stand-ins. The top
 * level reports to the first (datadog.apiVersion v1, keys in DD_API_KEY / DD_APP_KEY); the
 * profile "asia" (the Apac OU) to the second, as ap1.datadoghq.com on v2, with its keys in a
 * Secrets Manager secret and metrics collection off. Each account lands in its profile's target
 * and only there; a move between OUs moves the integration and the trust; what is not ours (no
 * marker) is untouched in either; one target's keys wrong blocks only that target.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliPipeline } from '../../cli/context';
import { Output } from '../../cli/output';
import { parseConfig } from '../../lambda/config/schema';
import { DEFAULT_OWNERSHIP_TAG_KEY, ownershipMarker } from '../../lambda/domain/ownership';
import { runCliCollect, tempFiles } from '../cli/harness';
import { FakeAwsOrganization, pointProcessAt, startAwsStandin, type AwsStandin } from '@datadog-aws-org-integration/standins/aws';
import { DatadogStandin } from '@datadog-aws-org-integration/standins/datadog';

const API_KEY = 'prof-cli-api-key-1234';
const APP_KEY = 'prof-cli-app-key-5678';
const APAC_API_KEY = 'prof-apac-api-key-4321';
const APAC_APP_KEY = 'prof-apac-app-key-8765';
const APAC_SECRET = 'datadog/ap1-keys';
const ROLE = 'DatadogIntegrationRole';
const MANAGEMENT = '111111111111';
const FOREIGN = '333333333333';
const NOWHERE = '999999999999';
const US1 = 'datadoghq.com';
const AP1 = 'ap1.datadoghq.com';
const US1_PRINCIPAL = 'arn:aws:iam::464622532012:root';
const AP1_PRINCIPAL = 'arn:aws:iam::417141415827:root';
const MOVE_EVENT = join(__dirname, '..', 'support', 'events', 'organizations-move-account.json');

interface Placed {
  accountId: string;
  type: string;
  reason: string;
  profile: string | null;
  target: string;
}
interface PlanJson {
  summary: Record<string, number | boolean>;
  guard: { tripped: boolean; deletions: number };
  actions: Placed[];
  held: Placed[];
  blocked: (Omit<Placed, 'type'> & { retryable: boolean })[];
  targets: { target: string; profiles: string[]; accounts: number; failure?: string }[];
  unmatchedProfiles: string[];
  results?: { accountId: string; status: string; profile: string | null; target: string | null; actions: { type: string; target: string | null }[]; error?: string }[];
}

describe('profiles and Datadog targets through the CLI: two Datadog stand-ins (v1 and v2)', () => {
  const primary = new DatadogStandin({ apiKey: API_KEY, appKey: APP_KEY });
  const apac = new DatadogStandin({ apiKey: APAC_API_KEY, appKey: APAC_APP_KEY });
  const files = tempFiles();
  let restoreEnv: () => void;
  let model: FakeAwsOrganization;
  let aws: AwsStandin;
  let apacOu: string;
  let top: string[];
  let asia: string[];
  /** At the root (top level) until a test moves it into the Apac OU. */
  let mover: string;
  let marker: string;

  beforeAll(async () => {
    await Promise.all([primary.start(), apac.start()]);
  });

  afterAll(async () => {
    await Promise.all([primary.stop(), apac.stop()]);
    files.cleanup();
  });

  beforeEach(async () => {
    model = new FakeAwsOrganization({ managementAccountId: MANAGEMENT });
    apacOu = model.createOu('Apac');
    aws = await startAwsStandin(model);
    restoreEnv = pointProcessAt(aws);
    primary.reset();
    apac.reset();
    model.putSecret(APAC_SECRET, JSON.stringify({ apiKey: APAC_API_KEY, appKey: APAC_APP_KEY }));
    marker = ownershipMarker({ markerKey: DEFAULT_OWNERSHIP_TAG_KEY, organizationId: model.organizationId });
    top = [model.createAccount({ name: 'top-0' }), model.createAccount({ name: 'top-1' })];
    asia = [model.createAccount({ name: 'asia-0', parentId: apacOu }), model.createAccount({ name: 'asia-1', parentId: apacOu })];
    mover = model.createAccount({ name: 'mover' });
    // Not ours, in each Datadog organization: another team's, and one for an account of ours made by hand (no marker).
    primary.seed({ account_id: FOREIGN, role_name: 'OtherTeamRole', host_tags: ['team:other'] });
    apac.seed({ account_id: FOREIGN, role_name: 'OtherTeamRole', host_tags: ['team:other'] });
    apac.seed({ account_id: top[0]!, role_name: ROLE, host_tags: ['team:by-hand'], external_id: 'f'.repeat(32) });
  });

  afterEach(async () => {
    await aws.stop();
    restoreEnv();
  });

  const env = () => ({ ...process.env, DD_API_URL: primary.url, DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY });
  const apacDatadog = () => ({ site: AP1, apiUrl: apac.url, credentialsSecretId: APAC_SECRET, apiVersion: 'v2' });
  /** The configuration, with more profiles after the two (tried in order). */
  const config = (...more: object[]) =>
    files.write(`profiles-${more.length}.json`, {
      datadog: { apiVersion: 'v1' },
      profiles: [
        { name: 'asia', match: { ous: [apacOu] }, datadog: apacDatadog(), integration: { metricsCollection: false } },
        { name: 'nowhere', match: { accounts: [NOWHERE] }, integration: { metricsCollection: false } },
        ...more,
      ],
    });
  let configFile = () => config();
  const cli = async (...args: string[]) => {
    const run = await runCliCollect(['--config', configFile(), ...args], { env: env() });
    // Neither target's keys are ever printed.
    for (const key of [API_KEY, APP_KEY, APAC_API_KEY, APAC_APP_KEY]) expect(run.stdout + run.stderr).not.toContain(key);
    return run;
  };
  const planJson = async (...args: string[]): Promise<PlanJson & { code: number }> => {
    const run = await cli(...args, '--json');
    return { ...(JSON.parse(run.stdout) as PlanJson), code: run.code };
  };
  const ours = (datadog: DatadogStandin, accountId: string) => datadog.stored().find((a) => a.account_id === accountId && a.role_name === ROLE);
  const foreign = (datadog: DatadogStandin) => datadog.stored().filter((a) => !(a.host_tags ?? []).includes(marker));
  const deletes = (datadog: DatadogStandin) => datadog.requests.filter((r) => r.method === 'DELETE');
  const trustOf = (accountId: string) => JSON.parse(model.getRole(accountId, ROLE)!.assumeRolePolicyDocument) as {
    Statement: { Effect: string; Principal?: { AWS?: string }; Condition?: { StringEquals?: Record<string, string> } }[];
  };
  const trusted = (accountId: string) =>
    trustOf(accountId)
      .Statement.filter((s) => s.Effect === 'Allow')
      .map((s) => [s.Principal?.AWS, s.Condition?.StringEquals?.['sts:ExternalId']]);
  const applied = async () => {
    const run = await cli('apply', '--yes');
    expect(run.code).toBe(0);
    primary.requests.length = 0;
    apac.requests.length = 0;
    model.clearCalls();
  };

  it('plan: grouped by Datadog target, each action naming its profile; the profile that matches nothing is reported', async () => {
    const run = await cli('plan');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    // The other team's (an account outside the organization) counts, in sync: nothing of ours.
    expect(lines[0]).toBe('7 accounts: 2 in sync, 5 to create, 0 to repair, 0 to delete');
    const us1 = lines.indexOf(`== Datadog target ${US1}: top level, profile nowhere; 4 accounts ==`);
    const ap1 = lines.indexOf(`== Datadog target ${AP1}: profile asia; 2 accounts ==`);
    expect(us1).toBeGreaterThan(0);
    expect(ap1).toBeGreaterThan(us1);
    const accountsUnder = (from: number, to: number) => new Set(lines.slice(from, to).filter((l) => /^ {2}\d{12} /.test(l)).map((l) => l.trim().split(/\s+/)[0]));
    expect(accountsUnder(us1, ap1)).toEqual(new Set([...top, mover]));
    expect(accountsUnder(ap1, lines.length)).toEqual(new Set(asia));
    expect(run.stdout).toContain(`  ${top[0]}  top level  Datadog has no integration for this account with role ${ROLE}`);
    expect(run.stdout).toContain(`  ${asia[0]}  profile asia  Datadog has no integration for this account with role ${ROLE}`);
    expect(run.stdout).toContain('\nprofile nowhere matches no account of the organization\n');
    expect(run.stdout).toContain('\ndeletion guard: 0 deletions, within the limit of 1\n');
    expect(primary.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(apac.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it("integration --profile: Datadog's operations against the profile's organization, with the keys of its secret", async () => {
    await applied();
    const listed = await cli('integration', '--profile', 'asia', 'list', '--json');
    expect(listed.code).toBe(0);
    // v2's body: the profile's target is on v2 while the top level is on v1.
    const accounts = (JSON.parse(listed.stdout) as { data: { attributes: { aws_account_id: string } }[] }).data.map((d) => d.attributes.aws_account_id);
    // Ours for the Apac accounts, and what ap1 held before (another team's; one made by hand for top[0]).
    expect([...accounts].sort()).toEqual([...asia, FOREIGN, top[0]!].sort());
    expect(primary.requests).toEqual([]);
    const unknown = await cli('integration', '--profile', 'europe', 'list');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--profile europe: no such profile in the configuration; its profiles: asia, nowhere');
  });

  it('plan --json: profile and target on every action, the targets and the unmatched profiles', async () => {
    const plan = await planJson('plan');
    expect(plan.code).toBe(0);
    expect(plan.targets).toEqual([
      { target: US1, profiles: ['nowhere'], accounts: 4 },
      { target: AP1, profiles: ['asia'], accounts: 2 },
    ]);
    expect(plan.unmatchedProfiles).toEqual(['nowhere']);
    expect(plan.actions.length).toBeGreaterThan(0);
    for (const action of plan.actions) {
      const inAsia = asia.includes(action.accountId);
      expect(action).toMatchObject({ profile: inAsia ? 'asia' : null, target: inAsia ? AP1 : US1 });
    }
    // v1 creates the integration first; v2 mints the external ID and makes the role first.
    const typesOf = (id: string) => plan.actions.filter((a) => a.accountId === id).map((a) => a.type);
    expect(typesOf(top[1]!)).toEqual(['create-integration', 'create-role']);
    expect(typesOf(asia[0]!)).toEqual(['create-role', 'create-integration']);
    expect(plan.held).toEqual([]);
    expect(plan.blocked).toEqual([]);
  });

  it('apply: each account in its profile\'s target with its settings and nowhere else, its role trusting that target; what is not ours untouched', async () => {
    const foreignBefore = [foreign(primary), foreign(apac)];
    const run = await planJson('apply', '--yes');
    expect(run.code).toBe(0);
    for (const result of run.results!) {
      const inAsia = asia.includes(result.accountId);
      expect(result).toMatchObject({ status: 'ok', profile: inAsia ? 'asia' : null, target: inAsia ? AP1 : US1 });
      for (const action of result.actions) expect(action.target).toBe(inAsia ? AP1 : US1);
    }
    for (const id of asia) {
      expect(ours(primary, id)).toBeUndefined();
      expect(ours(apac, id)).toMatchObject({ metrics_collection_enabled: false });
      expect(ours(apac, id)?.host_tags).toContain(marker);
      expect(trusted(id)).toEqual([[AP1_PRINCIPAL, ours(apac, id)!.external_id]]);
    }
    for (const id of [...top, mover]) {
      expect(ours(primary, id)?.host_tags).toContain(marker);
      expect(ours(primary, id)?.metrics_collection_enabled).not.toBe(false);
      expect(trusted(id)).toEqual([[US1_PRINCIPAL, expect.any(String)]]);
    }
    // Only the one made by hand in the other Datadog organization (no marker) is there for a top-level account: left alone.
    expect([foreign(primary), foreign(apac)]).toEqual(foreignBefore);
    expect(deletes(primary)).toEqual([]);
    expect(deletes(apac)).toEqual([]);
    expect((await planJson('plan')).summary).toMatchObject({ toCreate: 0, toRepair: 0, toDelete: 0 });
  });

  it('converge and handle-event reach the account\'s own target', async () => {
    const run = await cli('converge', asia[0]!, top[1]!, '--json');
    expect(run.code).toBe(0);
    const { results } = JSON.parse(run.stdout) as Required<Pick<PlanJson, 'results'>>;
    expect(results.map((r) => [r.accountId, r.profile, r.target])).toEqual([
      [asia[0], 'asia', AP1],
      [top[1], null, US1],
    ]);
    expect(ours(apac, asia[0]!)).toBeDefined();
    expect(ours(primary, asia[0]!)).toBeUndefined();
    expect(ours(primary, top[1]!)).toBeDefined();
    const human = await cli('converge', asia[1]!);
    expect(human.stdout).toContain(`${asia[1]}  ok`);
    expect(human.stdout).toContain(`[profile asia, Datadog target ${AP1}]`);
    // An event naming an account of the Apac OU.
    const event = JSON.parse(readFileSync(MOVE_EVENT, 'utf8')) as { detail: { requestParameters: { accountId: string } } };
    event.detail.requestParameters.accountId = asia[1]!;
    const byEvent = await cli('handle-event', files.write('move-event.json', event), '--json');
    expect(byEvent.code).toBe(0);
    expect((JSON.parse(byEvent.stdout) as PlanJson).results).toMatchObject([{ accountId: asia[1], status: 'ok', profile: 'asia', target: AP1 }]);
    expect(ours(primary, asia[1]!)).toBeUndefined();
  });

  it('the CLI\'s pipeline has every target, each with its own keys, and its output masks each target\'s keys once read', async () => {
    const output = new Output(() => undefined, () => undefined);
    const parsed = parseConfig({ ...(JSON.parse(readFileSync(configFile(), 'utf8')) as object), datadog: { apiVersion: 'v1', apiUrl: primary.url } }, 'test');
    const pipeline = cliPipeline(parsed, { env: env(), stdout: () => undefined, stderr: () => undefined }, output, true);
    expect(pipeline.targets?.names).toEqual([US1, AP1]);
    expect(output.mask(APAC_API_KEY)).toBe(APAC_API_KEY);
    await pipeline.targets!.port(AP1).listIntegrations();
    expect(apac.requests.map((r) => r.path)).toEqual(['/api/v2/integration/aws/accounts']);
    expect(primary.requests).toEqual([]);
    expect(output.mask(`${APAC_API_KEY} ${APAC_APP_KEY} ${API_KEY}`)).toBe('[redacted] [redacted] [redacted]');
  });

  describe('an account moved between OUs', () => {
    beforeEach(async () => {
      await applied();
      model.moveAccount(mover, apacOu);
    });

    it('plan: created in the new target, the trust rewritten, then deleted in the old; human and --json', async () => {
      const plan = await planJson('plan');
      expect(plan.code).toBe(0);
      expect(plan.actions.filter((a) => a.accountId === mover).map((a) => [a.type, a.profile, a.target])).toEqual([
        ['create-integration', 'asia', AP1],
        ['update-role-trust', 'asia', AP1],
        ['delete-integration', 'asia', US1],
      ]);
      expect(plan.actions.filter((a) => a.accountId !== mover)).toEqual([]);
      expect(plan.targets.map((t) => [t.target, t.accounts])).toEqual([
        [US1, 3],
        [AP1, 3],
      ]);
      const human = (await cli('plan')).stdout.split('\n');
      const ap1 = human.indexOf(`== Datadog target ${AP1}: profile asia; 3 accounts ==`);
      const us1 = human.indexOf(`== Datadog target ${US1}: top level, profile nowhere; 3 accounts ==`);
      const section = (from: number, to: number) => human.slice(from, to > from ? to : human.length).join('\n');
      expect(section(us1, ap1)).toMatch(new RegExp(`delete-integration \\(1\\)\\n {2}${mover} {2}profile asia `));
      expect(section(ap1, us1)).toMatch(new RegExp(`create-integration \\(1\\)\\n {2}${mover} {2}profile asia `));
    });

    it('apply: the integration only in the new target, the role trusting its principal and external ID; theirs untouched', async () => {
      const foreignBefore = [foreign(primary), foreign(apac)];
      const run = await planJson('apply', '--yes');
      expect(run.code).toBe(0);
      expect(run.results).toMatchObject([{ accountId: mover, status: 'ok', profile: 'asia', target: AP1 }]);
      expect(run.results![0]!.actions.map((a) => [a.type, a.target])).toEqual([
        ['create-integration', AP1],
        ['update-role-trust', AP1],
        ['delete-integration', US1],
      ]);
      expect(ours(primary, mover)).toBeUndefined();
      expect(ours(apac, mover)).toMatchObject({ metrics_collection_enabled: false });
      expect(trusted(mover)).toEqual([[AP1_PRINCIPAL, ours(apac, mover)!.external_id]]);
      expect([foreign(primary), foreign(apac)]).toEqual(foreignBefore);
      expect(deletes(apac)).toEqual([]);
      expect(deletes(primary)).toHaveLength(1);
      expect((await planJson('plan')).summary).toMatchObject({ toCreate: 0, toRepair: 0, toDelete: 0 });

      // And back, from v2 to v1: the v1 target's create answers the external ID the trust is rewritten to.
      model.moveAccount(mover, model.rootId);
      const back = await planJson('apply', '--yes');
      expect(back.code).toBe(0);
      expect(back.results![0]!.actions.map((a) => [a.type, a.target])).toEqual([
        ['create-integration', US1],
        ['update-role-trust', US1],
        ['delete-integration', AP1],
      ]);
      expect(ours(apac, mover)).toBeUndefined();
      expect(ours(primary, mover)?.host_tags).toContain(marker);
      expect(trusted(mover)).toEqual([[US1_PRINCIPAL, ours(primary, mover)!.external_id]]);
      expect([foreign(primary), foreign(apac)]).toEqual(foreignBefore);
    });
  });

  it('handle-event for the MoveAccount: the account alone is moved, as apply would', async () => {
    await applied();
    model.moveAccount(mover, apacOu);
    const event = JSON.parse(readFileSync(MOVE_EVENT, 'utf8')) as { detail: { requestParameters: { accountId: string } } };
    event.detail.requestParameters.accountId = mover;
    const run = await cli('handle-event', files.write('mover-event.json', event));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${mover}  ok  (the account is active and in scope)  [profile asia, Datadog target ${AP1}]`);
    expect(run.stdout).toContain(`our integration in Datadog target ${US1} is removed`);
    expect(ours(primary, mover)).toBeUndefined();
    expect(trusted(mover)).toEqual([[AP1_PRINCIPAL, ours(apac, mover)!.external_id]]);
  });

  it('a tag change moves an account too: a profile matching a tag, reporting to the same target', async () => {
    configFile = () => config({ name: 'tagged', match: { tags: { 'region-group': 'apac' } }, datadog: apacDatadog() });
    try {
      await applied();
      model.tagAccount(top[1]!, { 'region-group': 'apac' });
      const plan = await planJson('plan');
      expect(plan.targets.find((t) => t.target === AP1)).toEqual({ target: AP1, profiles: ['asia', 'tagged'], accounts: 3 });
      expect(plan.actions.map((a) => [a.accountId, a.type, a.profile, a.target])).toEqual([
        [top[1], 'create-integration', 'tagged', AP1],
        [top[1], 'update-role-trust', 'tagged', AP1],
        [top[1], 'delete-integration', 'tagged', US1],
      ]);
      expect((await cli('apply', '--yes')).code).toBe(0);
      expect(ours(primary, top[1]!)).toBeUndefined();
      // Its own settings: metrics collection is asia's alone.
      expect(ours(apac, top[1]!)?.metrics_collection_enabled).not.toBe(false);
      expect(trusted(top[1]!)).toEqual([[AP1_PRINCIPAL, ours(apac, top[1]!)!.external_id]]);
    } finally {
      configFile = () => config();
    }
  });

  it('an account that leaves the organization or closes is offboarded in the target that holds its integration', async () => {
    await applied();
    model.removeAccount(asia[0]!);
    model.closeAccount(top[0]!, { immediate: true });
    // Two deletions trip the guard of this small organization: plan shows them held, each with its target.
    const plan = await planJson('plan');
    expect(plan.code).toBe(3);
    expect(plan.actions).toEqual([]);
    expect(plan.held.map((a) => [a.accountId, a.type, a.target]).sort()).toEqual(
      [
        [asia[0], 'delete-integration', AP1],
        [top[0], 'delete-integration', US1],
      ].sort(),
    );
    expect((await cli('apply', '--yes', '--max-deletions', '2')).code).toBe(0);
    expect(ours(apac, asia[0]!)).toBeUndefined();
    expect(ours(primary, top[0]!)).toBeUndefined();
    // The one made by hand for the closed account in the other Datadog organization has no marker: it stays.
    expect(apac.stored().filter((a) => a.account_id === top[0])).toHaveLength(1);
    expect(deletes(primary)).toHaveLength(1);
    expect(deletes(apac)).toHaveLength(1);
  });

  it('a profile\'s settings changed: an update in its own target only', async () => {
    await applied();
    configFile = () =>
      files.write('asia-metrics-on.json', {
        datadog: { apiVersion: 'v1' },
        profiles: [{ name: 'asia', match: { ous: [apacOu] }, datadog: apacDatadog(), integration: { metricsCollection: true } }],
      });
    try {
      const plan = await planJson('plan');
      expect(plan.actions.map((a) => [a.accountId, a.type, a.target]).sort()).toEqual(asia.map((id) => [id, 'update-integration', AP1]).sort());
      expect((await cli('apply', '--yes')).code).toBe(0);
      for (const id of asia) expect(ours(apac, id)?.metrics_collection_enabled).toBe(true);
      expect(primary.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    } finally {
      configFile = () => config();
    }
  });

  describe('one target\'s keys wrong', () => {
    beforeEach(async () => {
      await applied();
      model.putSecret(APAC_SECRET, JSON.stringify({ apiKey: 'wrong-apac-api-key', appKey: 'wrong-apac-app-key' }));
      // Work in both targets: one account moves out of Apac, one into it, one is new at the top level.
      model.moveAccount(asia[1]!, model.rootId);
      model.moveAccount(mover, apacOu);
      top.push(model.createAccount({ name: 'top-new' }));
    });

    it('plan: that target says its listing failed, its accounts are blocked; the other target is planned', async () => {
      const plan = await planJson('plan');
      expect(plan.code).toBe(0);
      expect(plan.targets.find((t) => t.target === AP1)?.failure).toMatch(/403/);
      expect(plan.targets.find((t) => t.target === US1)?.failure).toBeUndefined();
      expect(plan.blocked.map((b) => [b.accountId, b.profile, b.target]).sort()).toEqual(
        [
          [asia[0], 'asia', AP1],
          [mover, 'asia', AP1],
        ].sort(),
      );
      expect(plan.actions.some((a) => a.type.startsWith('delete'))).toBe(false);
      expect(plan.actions.map((a) => a.accountId).sort()).toEqual([asia[1], asia[1], top[2]!, top[2]!].sort());
      const human = await cli('plan');
      expect(human.stdout).toContain(`== Datadog target ${AP1}: profile asia; 2 accounts ==\nlisting failed: `);
      expect(human.stdout).toContain('its accounts are retried on their own, and nothing in this target is deleted in this run');
    });

    it('apply: the other target\'s accounts converge; that target\'s fail; nothing is deleted anywhere', async () => {
      const run = await planJson('apply', '--yes');
      expect(run.code).toBe(1);
      const status = Object.fromEntries(run.results!.map((r) => [r.accountId, r.status]));
      expect(status[top[2]!]).toBe('ok');
      expect(status[asia[1]!]).toBe('ok');
      expect(status[mover]).toBe('error');
      expect(status[asia[0]!]).toBe('error');
      expect(ours(primary, top[2]!)).toBeDefined();
      expect(ours(primary, asia[1]!)).toBeDefined();
      expect(trusted(asia[1]!)).toEqual([[US1_PRINCIPAL, expect.any(String)]]);
      // The mover keeps its integration in the old target until its new one can be made.
      expect(ours(primary, mover)).toBeDefined();
      expect(deletes(primary)).toEqual([]);
      expect(deletes(apac)).toEqual([]);

      // The keys fixed, the next run finishes both moves: the leftover in each old target is deleted.
      model.putSecret(APAC_SECRET, JSON.stringify({ apiKey: APAC_API_KEY, appKey: APAC_APP_KEY }));
      // Two deletions, across both targets: over the guard's 10 % of this small organization.
      expect((await planJson('plan')).guard).toMatchObject({ tripped: true, deletions: 2 });
      const next = await planJson('apply', '--yes', '--max-deletions', '2');
      expect(next.code).toBe(0);
      expect(next.actions.filter((a) => a.type === 'delete-integration').map((a) => [a.accountId, a.target]).sort()).toEqual(
        [
          [asia[1], AP1],
          [mover, US1],
        ].sort(),
      );
      expect(ours(apac, asia[1]!)).toBeUndefined();
      expect(ours(primary, mover)).toBeUndefined();
      expect(trusted(mover)).toEqual([[AP1_PRINCIPAL, ours(apac, mover)!.external_id]]);
      expect((await planJson('plan')).summary).toMatchObject({ toCreate: 0, toRepair: 0, toDelete: 0 });
    });
  });

  describe('offboard --all', () => {
    beforeEach(applied);

    it('removes ours from both targets, each where it is; what is not ours stays', async () => {
      const foreignBefore = [foreign(primary), foreign(apac)];
      const dry = await cli('offboard', '--all', '--dry-run', '--json');
      expect(dry.code).toBe(0);
      const report = JSON.parse(dry.stdout) as { items: { accountId: string; kind: string; target: string | null }[]; unlisted: unknown[] };
      expect(report.unlisted).toEqual([]);
      const integrations = report.items.filter((i) => i.kind === 'integration').map((i) => [i.accountId, i.target]);
      expect(integrations.sort()).toEqual([...top.map((id) => [id, US1]), [mover, US1], ...asia.map((id) => [id, AP1])].sort());
      expect(report.items.filter((i) => i.kind === 'role').every((i) => i.target === null)).toBe(true);
      expect((await cli('offboard', '--all', '--dry-run')).stdout).toMatch(new RegExp(`${asia[0]}\\s+integration\\s+${ROLE}\\s+${AP1.replace(/\./g, '\\.')}`));

      const run = await cli('offboard', '--all', '--yes', '--json');
      expect(run.code).toBe(0);
      expect(deletes(primary)).toHaveLength(3);
      expect(deletes(apac)).toHaveLength(2);
      expect(primary.stored().filter((a) => (a.host_tags ?? []).includes(marker))).toEqual([]);
      expect(apac.stored().filter((a) => (a.host_tags ?? []).includes(marker))).toEqual([]);
      expect([foreign(primary), foreign(apac)]).toEqual(foreignBefore);
      for (const id of [...top, ...asia, mover]) expect(model.getRole(id, ROLE)).toBeUndefined();
    });

    it('a target that cannot be listed is reported (exit 1) and keeps ours; the other target\'s are deleted', async () => {
      model.putSecret(APAC_SECRET, JSON.stringify({ apiKey: 'wrong-apac-api-key', appKey: 'wrong-apac-app-key' }));
      const run = await cli('offboard', '--all', '--yes', '--json');
      expect(run.code).toBe(1);
      const report = JSON.parse(run.stdout) as { unlisted: { target: string; reason: string }[]; items: { status: string; target: string | null }[] };
      expect(report.unlisted).toEqual([{ target: AP1, reason: expect.stringMatching(/403/) }]);
      expect(report.items.every((i) => i.status === 'deleted' && i.target !== AP1)).toBe(true);
      expect(primary.stored().filter((a) => (a.host_tags ?? []).includes(marker))).toEqual([]);
      expect(apac.stored().filter((a) => (a.host_tags ?? []).includes(marker))).toHaveLength(2);
      expect(deletes(apac)).toEqual([]);
      const human = await cli('offboard', '--all', '--dry-run');
      expect(human.code).toBe(1);
      expect(human.stdout).toContain('Not listed (1): our integrations in these Datadog targets stay');
    });
  });
});
