import { StateError } from '../domain/errors';
import type { AwsIntegrationPort } from './port';

/**
 * The Datadog port of every target (lambda/config/profiles.ts), by target name. Each target is
 * its own Datadog organization: its own HTTP client and keys, and its own writes.
 */
export interface DatadogTargets {
  readonly names: readonly string[];
  port(target: string): AwsIntegrationPort;
}

export function datadogTargets(ports: ReadonlyMap<string, AwsIntegrationPort>): DatadogTargets {
  return {
    names: [...ports.keys()],
    port(target) {
      const port = ports.get(target);
      if (!port) throw new StateError(`no Datadog port for target ${target}`, false);
      return port;
    },
  };
}

/** The same targets, each port wrapped (e.g. its writes serialized: conflicts are per Datadog organization). */
export function mapTargets(targets: DatadogTargets, wrap: (port: AwsIntegrationPort) => AwsIntegrationPort): DatadogTargets {
  return datadogTargets(new Map(targets.names.map((name) => [name, wrap(targets.port(name))])));
}

/** A target's port: from the targets when there are several, else the one port. */
export function portOf(deps: { readonly datadog: AwsIntegrationPort; readonly targets?: DatadogTargets }, target: string): AwsIntegrationPort {
  return deps.targets && deps.targets.names.length > 1 ? deps.targets.port(target) : deps.datadog;
}
