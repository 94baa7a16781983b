/**
 * The package's library entry (`main` / `types` / `exports["."]`): the construct, the stacks
 * this repository deploys, the configuration and its parser, and the EventBridge patterns.
 * What is not exported here is internal and may change in any release.
 */
export { DatadogOrgIntegration, CREATED_SECRET_NAME_PREFIX, ORGANIZATIONS_EVENTS_REGION, type DatadogOrgIntegrationProps } from './datadog-org-integration';
export { DatadogOrgIntegrationStack, type DatadogOrgIntegrationStackProps } from './datadog-org-integration-stack';
export { ControlTowerForwarderStack } from './control-tower-forwarder-stack';
export { CONFIG_CONTEXT_KEY, configFromContext } from './config';
export { organizationsPatterns, controlTowerPatterns, type NamedPattern } from './event-rules';
export {
  parseConfig,
  configSchema,
  type Config,
  type DatadogConfig,
  type RoleConfig,
  type IntegrationConfig,
  type ScopeConfig,
  type DeploymentConfig,
  type ReconcileConfig,
} from '../lambda/config/schema';
export { InputError } from '../lambda/domain/errors';
export { DATADOG_SITES, type DatadogSite } from '../lambda/datadog/sites';
export { HANDLED_EVENTS, SERVICE_EVENT, API_CALL, parseEvent, type HandledEvent, type EventOutcome } from '../lambda/event/parse';
