/**
 * Every event, as handle-event receives it, in a Datadog organization shared with another AWS
 * organization, on v1 and v2 (set explicitly): RemoveAccountFromOrganization and
 * LeaveOrganization offboard an account only when its integration carries our marker; theirs,
 * with the default role name, stay whatever the event says, and the plan says why.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_OWNERSHIP_TAG_KEY, ownershipMarker } from '../../lambda/domain/ownership';
import { runCliCollect, tempFiles } from '../cli/harness';
import { FakeAwsOrganization, pointProcessAt, startAwsStandin, type AwsStandin } from '@datadog-aws-org-integration/standins/aws';
import { DatadogStandin } from '@datadog-aws-org-integration/standins/datadog';

const API_KEY = 'own-flow-api-key-1234';
const APP_KEY = 'own-flow-app-key-5678';
const ROLE = 'DatadogIntegrationRole';
const FIXTURES = join(__dirname, '..', 'support', 'events');
/** The account each fixture names, replaced by the one under test. */
const EVENTS: readonly [string, string][] = [
  ['organizations-create-account-result-succeeded.json', '345678901234'],
  ['organizations-close-account-result-succeeded.json', '456789012345'],
  ['organizations-close-account.json', '456789012345'],
  ['organizations-remove-account-from-organization.json', '678901234567'],
  ['organizations-move-account.json', '789012345678'],
  ['organizations-leave-organization.json', '012345678901'],
];

describe.each(['v1', 'v2'] as const)('ownership on every event, datadog.apiVersion %s', (apiVersion) => {
  const datadog = new DatadogStandin({ apiKey: API_KEY, appKey: APP_KEY });
  const files = tempFiles();
  let model: FakeAwsOrganization;
  let aws: AwsStandin;
  let restoreEnv: () => void;

  beforeAll(async () => {
    await datadog.start();
  });

  beforeEach(async () => {
    model = new FakeAwsOrganization({ managementAccountId: '111111111111' });
    aws = await startAwsStandin(model);
    restoreEnv = pointProcessAt(aws);
    datadog.reset();
  });

  afterEach(async () => {
    await aws.stop();
    restoreEnv();
  });

  afterAll(async () => {
    await datadog.stop();
    files.cleanup();
  });

  const config = () => files.write(`ownership-${apiVersion}.json`, { datadog: { apiVersion } });
  const cli = (...args: string[]) =>
    runCliCollect(['--config', config(), ...args], { env: { ...process.env, DD_API_URL: datadog.url, DD_API_KEY: API_KEY, DD_APP_KEY: APP_KEY } });
  const eventFile = (fixture: string, placeholder: string, accountId: string) =>
    files.write(`${accountId}-${fixture}`, readFileSync(join(FIXTURES, fixture), 'utf8').split(placeholder).join(accountId));
  const integrationOf = (accountId: string) => datadog.stored().find((a) => a.account_id === accountId && a.role_name === ROLE);

  it.each([
    ['without a marker (made by Datadog\'s own template)', [] as string[]],
    ["with another organization's marker", [`${DEFAULT_OWNERSHIP_TAG_KEY}:o-theirorg987`]],
  ])('another organization\'s integration %s, with the default role name, stays through every event', async (_name, markers) => {
    const theirs = '999988887777';
    datadog.seed({ account_id: theirs, role_name: ROLE, host_tags: ['team:them', ...markers] });
    const before = integrationOf(theirs);
    for (const [fixture, placeholder] of EVENTS) {
      const run = await cli('handle-event', eventFile(fixture, placeholder, theirs));
      expect(run.code).toBe(0);
      // The event named their account, and it was converged.
      expect(run.stdout).toContain(theirs);
      if (fixture.includes('remove-account')) expect(run.stdout).toContain('left alone');
    }
    expect(integrationOf(theirs)).toEqual(before);
    expect(datadog.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(model.iamWrites()).toEqual([]);
  });

  it.each([
    ['RemoveAccountFromOrganization', 'organizations-remove-account-from-organization.json', '678901234567'],
    ['LeaveOrganization', 'organizations-leave-organization.json', '012345678901'],
  ])('%s offboards an account of ours (its integration carries our marker)', async (_name, fixture, placeholder) => {
    const ours = model.createAccount({ name: 'leaving' });
    expect((await cli('converge', ours)).code).toBe(0);
    expect(integrationOf(ours)?.host_tags).toContain(ownershipMarker({ markerKey: DEFAULT_OWNERSHIP_TAG_KEY, organizationId: model.organizationId }));
    model.removeAccount(ours);
    const run = await cli('handle-event', eventFile(fixture, placeholder, ours), '--json');
    expect(run.code).toBe(0);
    expect(integrationOf(ours)).toBeUndefined();
  });

  it('an account that left with an integration of our role name but no marker (made before markers, or by hand) is left alone, saying why', async () => {
    const leaver = model.createAccount({ name: 'unmarked' });
    datadog.seed({ account_id: leaver, role_name: ROLE, host_tags: ['team:by-hand'] });
    model.removeAccount(leaver);
    const run = await cli('handle-event', eventFile('organizations-remove-account-from-organization.json', '678901234567', leaver));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`does not carry ${ownershipMarker({ markerKey: DEFAULT_OWNERSHIP_TAG_KEY, organizationId: model.organizationId })}`);
    expect(integrationOf(leaver)).toBeDefined();
  });
});
