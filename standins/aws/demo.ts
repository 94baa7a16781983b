import { FakeAwsOrganization } from './index';

/** A small organization to try things on: management account, two OUs, three members. */
export function createDemoOrganization(): { model: FakeAwsOrganization; ous: { workloads: string; sandbox: string } } {
  const model = new FakeAwsOrganization({ managementAccountId: '111111111111', managementAccountName: 'Management' });
  const workloads = model.createOu('Workloads');
  const sandbox = model.createOu('Sandbox');
  model.createAccount({ name: 'workload-prod', id: '222222222222', parentId: workloads, tags: { env: 'prod' } });
  model.createAccount({ name: 'workload-dev', id: '333333333333', parentId: workloads, tags: { env: 'dev' } });
  model.createAccount({ name: 'sandbox-alice', id: '444444444444', parentId: sandbox, assumableAfterAttempts: 1 });
  return { model, ous: { workloads, sandbox } };
}

/** Lines describing the demo organization, for the scripts that print it. */
export function describeDemoOrganization(model: FakeAwsOrganization, ous: Record<string, string>): string[] {
  const lines = [`# organization ${model.organizationId}, root ${model.rootId}`, `#   ${'Management'.padEnd(17)} 111111111111`];
  for (const ou of Object.values(ous)) {
    lines.push(`#   ${model.getOu(ou)?.name} (${ou})`);
    for (const account of model.listAccounts().filter((a) => a.parentId === ou)) lines.push(`#     ${account.name.padEnd(15)} ${account.id}`);
  }
  lines.push('# sandbox-alice denies the first AssumeRole (like a freshly created account).');
  return lines;
}
