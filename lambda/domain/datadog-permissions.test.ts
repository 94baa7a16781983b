import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DATADOG_STANDARD_PERMISSIONS } from './datadog-permissions';

const SNAPSHOT = path.resolve(__dirname, '../../../shared/datadog/iam-permissions-standard.txt');

describe('DATADOG_STANDARD_PERMISSIONS', () => {
  it('has 110 unique actions', () => {
    expect(DATADOG_STANDARD_PERMISSIONS).toHaveLength(110);
    expect(new Set(DATADOG_STANDARD_PERMISSIONS).size).toBe(110);
  });

  it('every entry looks like an IAM action (service:Action)', () => {
    for (const action of DATADOG_STANDARD_PERMISSIONS) expect(action).toMatch(/^[a-z0-9-]+:[A-Za-z0-9*]+$/);
  });

  const present = existsSync(SNAPSHOT);
  (present ? it : it.skip)(
    present ? 'equals the snapshot ../shared/datadog/iam-permissions-standard.txt' : 'equals the snapshot (skipped: ../shared is absent)',
    () => {
      const lines = readFileSync(SNAPSHOT, 'utf8')
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== '' && !line.startsWith('#'));
      expect([...DATADOG_STANDARD_PERMISSIONS]).toEqual(lines);
    },
  );
});
