/**
 * The stand-ins' entry point: the AWS emulator (Organizations, STS, IAM, Secrets Manager, SSM on
 * the wire) and the Datadog AWS integration API (v1 and v2 over one store). Deeper modules are
 * reachable by path too (`@datadog-aws-org-integration/standins/aws/iam`, `/datadog-v2`...).
 */
export * from './aws';
export { DatadogStandin, STANDIN_NAMESPACES, type DatadogStandinOptions, type Fault, type RecordedRequest } from './datadog';
export { DatadogV2Standin, V2_STANDIN_NAMESPACES, type DatadogV2StandinOptions } from './datadog-v2';
export { datadogOperation } from './datadog-operations';
export { STANDIN_REGIONS } from './regions';
export { STANDIN_STANDARD_PERMISSIONS } from './datadog-standard-permissions';
export type * from './datadog-wire';
