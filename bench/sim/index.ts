/** The benchmark's simulation layer: virtual time, simulated AWS and Datadog, simulated organizations. */
export { DEFAULT_EPOCH_MS, VirtualClock, type VirtualClockOptions } from './clock';
export {
  SimulatedService,
  TokenBucket,
  type CallOptions,
  type OperationStats,
  type ServiceLimits,
  type ServiceStats,
} from './limits';
export {
  createSimulatedAws,
  DEFAULT_AWS_LIMITS,
  operationOf,
  SIMULATED_MANAGEMENT_KEY,
  SimulatedAwsClient,
  toQueryParams,
  toSdkError,
  type AwsCredentialsLike,
  type SdkCommand,
  type ServiceLimitOptions,
  type SimulatedAws,
  type SimulatedAwsOptions,
} from './aws';
export {
  DEFAULT_DATADOG_LIMITS,
  SIMULATED_NAMESPACES,
  SimulatedDatadog,
  SIMULATED_V2_NAMESPACES,
  withCredentials,
  type DatadogFault,
  type SeededIntegration,
  type SimulatedDatadogOptions,
} from './datadog';
export {
  buildOrganization,
  DRIFT_HOST_TAG,
  DRIFT_KINDS,
  DRIFT_TRUSTED_PRINCIPAL,
  fewestDatadogWrites,
  FIRST_MEMBER_ACCOUNT_ID,
  orgAccountOf,
  parentPathOf,
  seedState,
  type BuildOrganizationOptions,
  type DriftKind,
  type SeededState,
  type SeedStateOptions,
  type SimulatedOrganization,
} from './organization';
export { createRandom, type Random } from './random';
