import { DatadogV2Integrations } from '../../lambda/datadog/v2/adapter';
import { DatadogAwsV2Client } from '../../lambda/datadog/v2/client';
import { planAccount } from '../../lambda/plan/plan-account';
import { desiredSettings } from '../../lambda/plan/desired-settings';
import { DatadogV2Standin } from '@datadog-aws-org-integration/standins/datadog-v2';
import { API_KEY, APP_KEY, makeHttp } from '../support/datadog-http';
import { ACCOUNT_ID, ORGANIZATION_ID, inSyncObservation, makeConfig, withIntegrations } from '../support/plan-fixtures';

/**
 * The planner compares with the settings as the port reads them back: the v2 adapter's region
 * universe (V2AdapterOptions.regions) is the one the comparison uses, or an account whose
 * configured exclusion lies outside it would be "drifted" on every run.
 */
const standin = new DatadogV2Standin({ apiKey: API_KEY, appKey: APP_KEY });
beforeAll(() => standin.start());
afterAll(() => standin.stop());
beforeEach(() => standin.reset());

it('an integration written through a v2 adapter with its own region list reads back in sync', async () => {
  const config = makeConfig({ datadog: { apiVersion: 'v2' }, integration: { excludedRegions: ['ap-south-1'] } });
  const port = new DatadogV2Integrations(new DatadogAwsV2Client(makeHttp(standin.url).http), { regions: ['us-east-1', 'eu-west-1'] });
  const ref = { accountId: ACCOUNT_ID, roleName: config.role.name };
  const settings = desiredSettings(config, inSyncObservation({ config }).organization, ORGANIZATION_ID);
  const { externalId } = await port.createIntegration(ref, settings);
  const observation = inSyncObservation({ config, externalId });
  const listed = await port.listIntegrations({ accountId: ACCOUNT_ID });
  const plan = planAccount(withIntegrations(observation, listed), config, port.capabilities);
  expect(plan.actions.map((a) => a.type)).toEqual(['none']);
});
