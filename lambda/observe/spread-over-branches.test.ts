/** spreadOverBranches: the order a level's parents are listed in, so every branch's accounts come throughout the walk. */
import { spreadOverBranches } from './organization-walk';

/** A parent named by its places from the root down (e.g. "1.0.2": second top OU, its first child, that one's third). */
const parent = (name: string) => ({ name, places: name.split('.').map(Number).reverse() });
const order = (names: string[]) => spreadOverBranches(names.map(parent)).map((p) => p.name);

describe('spreadOverBranches', () => {
  it.each([
    { level: 'the roots', names: ['0'], expected: ['0'] },
    { level: 'top OUs: as listed', names: ['0', '1', '2'], expected: ['0', '1', '2'] },
    { level: 'second level: the first child of each top OU, then the second ones', names: ['0.0', '0.1', '1.0', '1.1', '2.0', '2.1'], expected: ['0.0', '1.0', '2.0', '0.1', '1.1', '2.1'] },
    {
      level: 'third level: alternating over the top OUs at every step, then over their children',
      names: ['0.0.0', '0.0.1', '0.1.0', '0.1.1', '1.0.0', '1.0.1', '1.1.0', '1.1.1'],
      expected: ['0.0.0', '1.0.0', '0.1.0', '1.1.0', '0.0.1', '1.0.1', '0.1.1', '1.1.1'],
    },
    { level: 'uneven branches: the longer one goes on alone', names: ['0.0', '0.1', '0.2', '1.0'], expected: ['0.0', '1.0', '0.1', '0.2'] },
  ])('$level', ({ names, expected }) => {
    expect(order(names)).toEqual(expected);
  });

  it('keeps every parent once and leaves its input as it was', () => {
    const level = ['0.0', '0.1', '1.0'].map(parent);
    const before = level.map((p) => p.name);
    expect(spreadOverBranches(level).map((p) => p.name).sort()).toEqual(before.sort());
    expect(level.map((p) => p.name)).toEqual(['0.0', '0.1', '1.0']);
  });
});
