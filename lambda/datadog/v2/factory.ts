import type { DatadogConfig } from '../../config/schema';
import { createDatadogHttp, type DatadogDependencies } from '../factory';
import { DatadogV2Integrations, type V2AdapterOptions } from './adapter';
import { DatadogAwsV2Client } from './client';

/**
 * v2 counterparts of ../factory's createV1Client / createIntegrationPort, over the same
 * DatadogHttp (base URL, keys, timeout, retries). ../factory.ts is not changed here; wiring
 * `datadog.apiVersion: 'v2'` into createIntegrationPort is a separate step.
 */
export function createV2Client(config: DatadogConfig, deps: DatadogDependencies): DatadogAwsV2Client {
  return new DatadogAwsV2Client(createDatadogHttp(config, deps));
}

export function createV2IntegrationPort(config: DatadogConfig, deps: DatadogDependencies, options: V2AdapterOptions = {}): DatadogV2Integrations {
  return new DatadogV2Integrations(createV2Client(config, deps), options);
}
