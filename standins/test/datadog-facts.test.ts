/**
 * The facts the Datadog stand-in holds of its own (it imports none of the product's): the
 * standard permission list it serves without ../shared, checked against Datadog's dated snapshot
 * when that is beside the repository, and the region table behind v1 <-> v2 region translation.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DATADOG_STANDARD_SNAPSHOT, DATADOG_V2_SPEC, SHARED_DATADOG_DIR, V2_STANDIN_IAM_STANDARD } from '../datadog-v2';
import { STANDIN_STANDARD_PERMISSIONS } from '../datadog-standard-permissions';
import { STANDIN_REGIONS } from '../regions';

const withSnapshot = existsSync(DATADOG_STANDARD_SNAPSHOT) ? it : it.skip;

describe("where the stand-in looks for Datadog's documents", () => {
  it('is ../shared/datadog beside the repository that holds this package', () => {
    const repository = resolve(__dirname, '..', '..');
    expect(SHARED_DATADOG_DIR).toBe(resolve(repository, '..', 'shared', 'datadog'));
    expect(DATADOG_V2_SPEC.startsWith(SHARED_DATADOG_DIR)).toBe(true);
    expect(DATADOG_STANDARD_SNAPSHOT.startsWith(SHARED_DATADOG_DIR)).toBe(true);
  });
});

describe("the stand-in's standard permission list", () => {
  withSnapshot("is Datadog's snapshot (../shared/datadog/iam-permissions-standard.txt), action for action", () => {
    const snapshot = readFileSync(DATADOG_STANDARD_SNAPSHOT, 'utf8')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    expect([...STANDIN_STANDARD_PERMISSIONS]).toEqual([...snapshot].sort());
  });

  it('holds 110 distinct IAM actions, sorted', () => {
    expect(STANDIN_STANDARD_PERMISSIONS).toHaveLength(110);
    expect(new Set(STANDIN_STANDARD_PERMISSIONS).size).toBe(110);
    expect([...STANDIN_STANDARD_PERMISSIONS]).toEqual([...STANDIN_STANDARD_PERMISSIONS].sort());
    for (const action of STANDIN_STANDARD_PERMISSIONS) expect(action).toMatch(/^[a-z0-9-]+:[A-Za-z0-9]+\*?$/);
  });

  it('is what iam_permissions/standard serves, with or without ../shared', () => {
    expect(V2_STANDIN_IAM_STANDARD).toEqual([...STANDIN_STANDARD_PERMISSIONS]);
  });
});

describe("the stand-in's region table", () => {
  it.each<[keyof typeof STANDIN_REGIONS, RegExp, number]>([
    ['aws', /^(af|ap|ca|eu|il|me|mx|sa|us)-[a-z]+-\d$/, 34],
    ['aws-us-gov', /^us-gov-(east|west)-1$/, 2],
    ['aws-cn', /^cn-north(west)?-1$/, 2],
  ])('%s: region names of that partition only, each once, sorted', (partition, form, count) => {
    const regions = STANDIN_REGIONS[partition];
    expect(regions).toHaveLength(count);
    expect(new Set(regions).size).toBe(count);
    expect([...regions]).toEqual([...regions].sort());
    for (const region of regions) expect(region).toMatch(form);
  });

  it('keeps the commercial partition free of GovCloud and China regions', () => {
    expect(STANDIN_REGIONS.aws.filter((region) => region.startsWith('us-gov-') || region.startsWith('cn-'))).toEqual([]);
  });
});
