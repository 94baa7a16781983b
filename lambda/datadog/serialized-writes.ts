import type { AwsIntegrationPort } from './port';

/**
 * The port with its writes one at a time (reads stay concurrent): Datadog answers 409 to AWS
 * integration writes made concurrently for one Datadog organization, so the accounts a worker
 * converges side by side queue here for their writes instead of conflicting.
 */
export function serializeWrites(port: AwsIntegrationPort): AwsIntegrationPort {
  let last: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(write: () => Promise<T>): Promise<T> => {
    const run = last.then(write, write);
    last = run.catch(() => undefined);
    return run;
  };
  return {
    apiVersion: port.apiVersion,
    capabilities: port.capabilities,
    listIntegrations: (filter) => port.listIntegrations(filter),
    listNamespaces: () => port.listNamespaces(),
    createIntegration: (ref, settings, options) => oneAtATime(() => port.createIntegration(ref, settings, options)),
    updateIntegration: (ref, settings) => oneAtATime(() => port.updateIntegration(ref, settings)),
    deleteIntegration: (ref) => oneAtATime(() => port.deleteIntegration(ref)),
    rotateExternalId: (ref, given) => oneAtATime(() => port.rotateExternalId(ref, given)),
    mintExternalId: () => oneAtATime(() => port.mintExternalId()),
  };
}
