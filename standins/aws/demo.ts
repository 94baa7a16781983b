import { FakeAwsOrganization } from './index';

/**
 * A small organization to try things on: management account, three OUs, five members. Asia is
 * for profiles (README "Profiles and Datadog targets"): one of its accounts carries the tag
 * region-group=apac, the other does not.
 */
export function createDemoOrganization(): { model: FakeAwsOrganization; ous: { workloads: string; sandbox: string; asia: string } } {
  const model = new FakeAwsOrganization({ managementAccountId: '111111111111', managementAccountName: 'Management' });
  const workloads = model.createOu('Workloads');
  const sandbox = model.createOu('Sandbox');
  model.createAccount({ name: 'workload-prod', id: '222222222222', parentId: workloads, tags: { env: 'prod' } });
  model.createAccount({ name: 'workload-dev', id: '333333333333', parentId: workloads, tags: { env: 'dev' } });
  model.createAccount({ name: 'sandbox-alice', id: '444444444444', parentId: sandbox, assumableAfterAttempts: 1 });
  const asia = model.createOu('Asia');
  model.createAccount({ name: 'asia-prod', id: '555555555555', parentId: asia, tags: { 'region-group': 'apac' } });
  model.createAccount({ name: 'asia-tools', id: '666666666666', parentId: asia });
  return { model, ous: { workloads, sandbox, asia } };
}

/** Lines describing the demo organization, for the scripts that print it. */
export function describeDemoOrganization(model: FakeAwsOrganization, ous: Record<string, string>): string[] {
  const lines = [`# organization ${model.organizationId}, root ${model.rootId}`, `#   ${'Management'.padEnd(17)} 111111111111`];
  for (const ou of Object.values(ous)) {
    lines.push(`#   ${model.getOu(ou)?.name} (${ou})`);
    for (const account of model.listAccounts().filter((a) => a.parentId === ou)) {
      const tags = Object.entries(account.tags).map(([key, value]) => `${key}=${value}`);
      lines.push(`#     ${account.name.padEnd(15)} ${account.id}${tags.length ? `  tags ${tags.join(', ')}` : ''}`);
    }
  }
  lines.push('# sandbox-alice denies the first AssumeRole (like a freshly created account).');
  return lines;
}
