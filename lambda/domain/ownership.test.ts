/**
 * The ownership rule (lambda/domain/ownership.ts) as a table, and planAccount applying it for
 * every way an account can stand: in or out of our organization, our marker / another
 * organization's / none, the configured role name or another, each exclusion setting.
 */
import { capabilitiesOf } from '../datadog/capabilities';
import type { Integration } from '../datadog/port';
import {
  carriesOurMarker,
  isMarkedOurs,
  isTaggedOurs,
  markedOrganizations,
  mayDeleteIntegration,
  ownershipMarker,
  type Ownership,
} from './ownership';
import type { OrgAccount } from '../observe/model';
import { desiredSettings } from '../plan/desired-settings';
import { planAccount, type ActionType } from '../plan/plan-account';
import {
  MARKER,
  ORGANIZATION_ID,
  OTHER_ORGANIZATION_ID,
  OTHER_ROLE_NAME,
  inSyncObservation,
  makeConfig,
  orgAccount,
  ourIntegration,
  typesOf,
  withIntegrations,
} from '../../test/support/plan-fixtures';

const ROLE = 'DatadogIntegrationRole';
const OWNERSHIP: Ownership = { roleName: ROLE, markerKey: 'datadog-aws-org-integration', organizationId: ORGANIZATION_ID };
const THEIR_MARKER = `datadog-aws-org-integration:${OTHER_ORGANIZATION_ID}`;

type Marker = 'ours' | 'theirs' | 'none';
const MARKERS: readonly Marker[] = ['ours', 'theirs', 'none'];
function integration(roleName: string | undefined, marker: Marker, config = makeConfig({ datadog: { apiVersion: 'v1' } })): Integration {
  const base = ourIntegration(config);
  const tagsFor = (which: Marker): string[] => [
    ...base.settings.hostTags.filter((tag) => tag !== MARKER),
    ...(which === 'ours' ? [MARKER] : which === 'theirs' ? [THEIR_MARKER] : []),
  ];
  return {
    ...base,
    auth: roleName === undefined ? { kind: 'access-key', accessKeyId: 'AKIAOTHERTEAM0000000' } : { kind: 'role', roleName },
    settings: { ...base.settings, hostTags: tagsFor(marker) },
  };
}

describe('ownershipMarker and the marker readers', () => {
  it('names our organization under the key, lowercase as Datadog stores tags', () => {
    expect(ownershipMarker(OWNERSHIP)).toBe(MARKER);
    expect(ownershipMarker({ markerKey: 'owner', organizationId: 'o-ABC1234567' })).toBe('owner:o-abc1234567');
  });

  it.each<[string, string[], boolean, string[]]>([
    ['ours', [MARKER], true, [ORGANIZATION_ID]],
    ['ours in upper case (as typed by hand)', [MARKER.toUpperCase()], true, [ORGANIZATION_ID]],
    ["another organization's", [THEIR_MARKER], false, [OTHER_ORGANIZATION_ID]],
    ['both', [THEIR_MARKER, MARKER], true, [OTHER_ORGANIZATION_ID, ORGANIZATION_ID]],
    ['none', ['team:payments'], false, []],
    ['the key without our ID as a prefix of another tag', ['datadog-aws-org-integration-x:o-ourorg1234'], false, []],
  ])('%s', (_name, hostTags, ours, organizations) => {
    const subject = { ...integration(ROLE, 'none'), settings: { ...integration(ROLE, 'none').settings, hostTags } };
    expect(carriesOurMarker(subject, OWNERSHIP)).toBe(ours);
    expect(isMarkedOurs(subject, OWNERSHIP)).toBe(ours);
    expect(markedOrganizations(subject, OWNERSHIP.markerKey)).toEqual(organizations);
  });

  it('an access-key integration is never ours, marker or not', () => {
    expect(isMarkedOurs(integration(undefined, 'ours'), OWNERSHIP)).toBe(false);
  });
});

describe('mayDeleteIntegration: every combination', () => {
  // [in our organization, role name, marker, allowed]
  const rows: [boolean, string | undefined, Marker, boolean][] = [];
  for (const inOrganization of [true, false]) {
    for (const roleName of [ROLE, OTHER_ROLE_NAME, undefined]) {
      for (const marker of MARKERS) {
        const allowed = roleName === ROLE && (inOrganization || marker === 'ours');
        rows.push([inOrganization, roleName, marker, allowed]);
      }
    }
  }

  it.each(rows)('in our organization %s, role %s, marker %s: allowed %s', (inOrganization, roleName, marker, allowed) => {
    const verdict = mayDeleteIntegration(integration(roleName, marker), inOrganization, OWNERSHIP);
    expect(verdict.allowed).toBe(allowed);
    if (!verdict.allowed && roleName === ROLE && marker === 'theirs') expect(verdict.why).toContain(OTHER_ORGANIZATION_ID);
    if (!verdict.allowed && roleName === undefined) expect(verdict.why).toContain('access-key');
  });
});

describe('isTaggedOurs: roles and policies', () => {
  it.each<[string, Parameters<typeof isTaggedOurs>[0], boolean]>([
    ['a role tagged managed-by=datadog-aws-org-integration', { 'managed-by': 'datadog-aws-org-integration' }, true],
    ['a role tagged by someone else', { 'managed-by': 'someone-else' }, false],
    ['an untagged role', {}, false],
    ["a policy's tag list with ours", [{ Key: 'owner', Value: 'x' }, { Key: 'managed-by', Value: 'datadog-aws-org-integration' }], true],
    ["a policy's tag list without", [{ Key: 'managed-by', Value: 'other' }], false],
    ['no tags at all', undefined, false],
  ])('%s: %s', (_name, tags, ours) => expect(isTaggedOurs(tags)).toBe(ours));
});

type Where = [name: string, account: Partial<OrgAccount>, scope: Record<string, unknown>];

/** Every way an account can stand, and what planAccount does with an integration with the configured role name there. */
const WHERE: readonly [...Where, Record<Marker, ActionType>][] = [
  ['in scope', {}, {}, { ours: 'none', theirs: 'adopt-integration', none: 'adopt-integration' }],
  ['closed, in our organization', { state: 'CLOSED' }, {}, { ours: 'delete-integration', theirs: 'delete-integration', none: 'delete-integration' }],
  ['suspended, in our organization', { state: 'SUSPENDED' }, {}, { ours: 'delete-integration', theirs: 'delete-integration', none: 'delete-integration' }],
  ['opted out by tag', { tags: { monitoring: 'off' } }, { optOutTag: { key: 'monitoring', value: 'off' } },
    { ours: 'delete-integration', theirs: 'delete-integration', none: 'delete-integration' }],
  ['excluded by excludeAccounts (default: leave)', {}, { excludeAccounts: ['123456789012'] }, { ours: 'none', theirs: 'none', none: 'none' }],
  ['excluded by excludeAccounts, onExclusion "offboard"', {}, { excludeAccounts: ['123456789012'], onExclusion: 'offboard' },
    { ours: 'delete-integration', theirs: 'delete-integration', none: 'delete-integration' }],
  ['excluded by excludeOus (default: leave)', {}, { excludeOus: ['ou-ab12-22222222'] }, { ours: 'none', theirs: 'none', none: 'none' }],
  ['outside includeOus, onExclusion "offboard"', {}, { includeOus: ['ou-ab12-33333333'], onExclusion: 'offboard' },
    { ours: 'delete-integration', theirs: 'delete-integration', none: 'delete-integration' }],
  ['the management account (default: leave)', { isManagementAccount: true }, {}, { ours: 'none', theirs: 'none', none: 'none' }],
  ['not in our organization', { state: 'NOT_IN_ORGANIZATION' }, {}, { ours: 'delete-integration', theirs: 'none', none: 'none' }],
  ['not in our organization, onExclusion "offboard"', { state: 'NOT_IN_ORGANIZATION' }, { onExclusion: 'offboard' },
    { ours: 'delete-integration', theirs: 'none', none: 'none' }],
];

describe('planAccount applies the rule wherever the account stands', () => {
  const cases = WHERE.flatMap(([name, account, scope, expected]) => MARKERS.map((marker) => [name, marker, account, scope, expected[marker]] as const));

  it.each(cases)('%s, marker %s: the integration with the configured role name', (_name, marker, account, scope, expected) => {
    const config = makeConfig({ datadog: { apiVersion: 'v2' }, scope });
    const observation = withIntegrations(inSyncObservation({ config, account }), [integration(ROLE, marker, config)]);
    const plan = planAccount(observation, config, capabilitiesOf(config.datadog.apiVersion));
    const integrationActions = typesOf(plan).filter((t) => t === 'none' || t.endsWith('-integration'));
    expect(integrationActions[0]).toBe(expected);
    // What is left alone outside our organization says why, naming the marker it lacks.
    if (account.state === 'NOT_IN_ORGANIZATION' && marker !== 'ours') expect(plan.notes.join('\n')).toMatch(new RegExp(`does not carry ${MARKER}.*: left alone`));
  });

  it.each(WHERE.flatMap(([name, account, scope]) => MARKERS.map((marker) => [name, marker, account, scope] as const)))(
    '%s, marker %s: another role name or an access key is never changed or deleted, and is noted',
    (_name, marker, account, scope) => {
      const config = makeConfig({ datadog: { apiVersion: 'v1' }, scope });
      const observation = withIntegrations(inSyncObservation({ config, account }), [integration(OTHER_ROLE_NAME, marker), integration(undefined, marker)]);
      const plan = planAccount(observation, config, capabilitiesOf(config.datadog.apiVersion));
      expect(typesOf(plan)).not.toContain('delete-integration');
      expect(typesOf(plan)).not.toContain('update-integration');
      expect(typesOf(plan)).not.toContain('adopt-integration');
      expect(plan.notes).toEqual(expect.arrayContaining([expect.stringContaining(OTHER_ROLE_NAME), expect.stringContaining('AKIAOTHERTEAM0000000')]));
    },
  );

  it("adopting an integration of another organization's deployment replaces its marker with ours, and says so", () => {
    const config = makeConfig({ datadog: { apiVersion: 'v1' } });
    const plan = planAccount(withIntegrations(inSyncObservation({ config }), [integration(ROLE, 'theirs')]), config, capabilitiesOf(config.datadog.apiVersion));
    const adopt = plan.actions.find((a) => a.type === 'adopt-integration');
    expect(adopt?.reason).toMatch(new RegExp(`^adopt: .* gets the tag ${MARKER}, replacing the marker of ${OTHER_ORGANIZATION_ID}$`));
  });

  it('an integration that only lacks our marker is adopted without other drift named', () => {
    const config = makeConfig({ datadog: { apiVersion: 'v2' } });
    const synced = inSyncObservation({ config });
    const [ours] = synced.integrations;
    const unmarked = { ...ours!, settings: { ...ours!.settings, hostTags: ours!.settings.hostTags.filter((t) => t !== MARKER) } };
    const plan = planAccount(withIntegrations(synced, [unmarked]), config, capabilitiesOf(config.datadog.apiVersion));
    expect(plan.actions.map(({ type, reason }) => ({ type, reason }))).toEqual([{ type: 'adopt-integration', reason: `adopt: the integration with role ${ROLE} of this account of ${ORGANIZATION_ID} gets the tag ${MARKER}` }]);
  });

  it("an account tag copied as a host tag cannot forge a marker: only ours is written", () => {
    const config = makeConfig({ datadog: { apiVersion: 'v1' }, integration: { accountTagsAsHostTags: ['datadog-aws-org-integration'] } });
    const settings = desiredSettings(config, orgAccount({ tags: { 'datadog-aws-org-integration': OTHER_ORGANIZATION_ID } }), ORGANIZATION_ID);
    expect(settings.hostTags.filter((tag) => tag.startsWith('datadog-aws-org-integration:'))).toEqual([MARKER]);
  });

  it('a configured marker key is the one written and the one looked for', () => {
    const config = makeConfig({ datadog: { apiVersion: 'v1' }, integration: { ownershipTagKey: 'owned-by' } });
    const synced = inSyncObservation({ config });
    expect(synced.integrations[0]!.settings.hostTags).toContain(`owned-by:${ORGANIZATION_ID}`);
    expect(typesOf(planAccount(synced, config, capabilitiesOf(config.datadog.apiVersion)))).toEqual(['none']);
    // The default key proves nothing under another key.
    const gone = withIntegrations(inSyncObservation({ config, account: { state: 'NOT_IN_ORGANIZATION' } }), [integration(ROLE, 'ours')]);
    expect(typesOf(planAccount(gone, config, capabilitiesOf(config.datadog.apiVersion)))).toEqual(['none']);
  });
});
