/**
 * Datadog's operationId for a request the stand-ins recorded (the names of Datadog's own
 * documents, as the client's DatadogRequest.operation carries them), so that a narration can
 * say "CreateAWSAccount" where the wire only says "POST /api/v1/integration/aws".
 */
const V1 = '/api/v1/integration/aws';
const V2 = '/api/v2/integration/aws';

const OPERATIONS: Readonly<Record<string, string>> = {
  [`GET ${V1}`]: 'ListAWSAccounts',
  [`POST ${V1}`]: 'CreateAWSAccount',
  [`PUT ${V1}`]: 'UpdateAWSAccount',
  [`DELETE ${V1}`]: 'DeleteAWSAccount',
  [`GET ${V1}/available_namespace_rules`]: 'ListAvailableAWSNamespaces',
  [`PUT ${V1}/generate_new_external_id`]: 'CreateNewAWSExternalID',
  [`GET ${V2}/accounts`]: 'ListAWSAccounts',
  [`POST ${V2}/accounts`]: 'CreateAWSAccount',
  [`GET ${V2}/accounts/{id}`]: 'GetAWSAccount',
  [`PATCH ${V2}/accounts/{id}`]: 'UpdateAWSAccount',
  [`DELETE ${V2}/accounts/{id}`]: 'DeleteAWSAccount',
  [`GET ${V2}/available_namespaces`]: 'ListAWSNamespaces',
  [`POST ${V2}/generate_new_external_id`]: 'CreateNewAWSExternalID',
  [`GET ${V2}/iam_permissions`]: 'GetAWSIntegrationIAMPermissions',
  [`GET ${V2}/iam_permissions/standard`]: 'GetAWSIntegrationIAMPermissionsStandard',
  [`GET ${V2}/iam_permissions/resource_collection`]: 'GetAWSIntegrationIAMPermissionsResourceCollection',
};

/** e.g. CreateAWSAccount; a request outside both APIs keeps its method and path. */
export function datadogOperation(request: { method: string; path: string }): string {
  const path = request.path.replace(/^(\/api\/v2\/integration\/aws\/accounts)\/[^/]+$/, '$1/{id}');
  return OPERATIONS[`${request.method} ${path}`] ?? `${request.method} ${request.path}`;
}
