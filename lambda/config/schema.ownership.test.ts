/** The configuration of ownership: the marker's key and what exclusion means, each refused with the field and the fix. */
import { InputError } from '../domain/errors';
import { makeConfig } from '../../test/support/plan-fixtures';

const problem = (raw: Record<string, unknown>): string => {
  try {
    makeConfig(raw);
  } catch (error) {
    if (error instanceof InputError) return error.message;
    throw error;
  }
  return '';
};

describe('integration.ownershipTagKey and scope.onExclusion', () => {
  it('default to datadog-aws-org-integration and "leave"', () => {
    const config = makeConfig({ datadog: { apiVersion: 'v1' } });
    expect(config.integration.ownershipTagKey).toBe('datadog-aws-org-integration');
    expect(config.scope.onExclusion).toBe('leave');
    expect(makeConfig({ integration: { ownershipTagKey: 'owned-by' }, scope: { onExclusion: 'offboard' } })).toMatchObject({
      integration: { ownershipTagKey: 'owned-by' },
      scope: { onExclusion: 'offboard' },
    });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a key that is not a tag key', { integration: { ownershipTagKey: '1 bad key' } }, /integration\.ownershipTagKey: "1 bad key": a tag key starts with a letter.*e\.g\. datadog-aws-org-integration/],
    ['a key with capitals (Datadog lowercases tags)', { integration: { ownershipTagKey: 'OwnedBy' } }, /integration\.ownershipTagKey: "OwnedBy": write it in lowercase \(ownedby\)/],
    ['a host tag forging the marker', { integration: { hostTags: ['datadog-aws-org-integration:o-someone1234'] } },
      /integration\.hostTags: "datadog-aws-org-integration:o-someone1234" uses the key of the ownership marker.*the product adds that tag itself/],
    ['a host tag with a configured marker key', { integration: { ownershipTagKey: 'owner', hostTags: ['Owner:me'] } }, /integration\.hostTags: "Owner:me" uses the key/],
    ['the account-name tag under the marker key', { integration: { accountNameTag: 'datadog-aws-org-integration' } }, /integration\.accountNameTag: .*is the key of the ownership marker/],
    ['an unknown exclusion effect', { scope: { onExclusion: 'delete' } }, /scope\.onExclusion: must be "leave" \(keep the integration of an excluded account\) or "offboard" \(delete it\)/],
  ])('%s: refused, naming the field and the fix', (_name, raw, message) => {
    expect(problem(raw)).toMatch(message);
  });
});
