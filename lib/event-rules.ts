import type { EventPattern } from 'aws-cdk-lib/aws-events';
import { API_CALL, HANDLED_EVENTS, SERVICE_EVENT } from '../lambda/event/parse';

/**
 * EventBridge patterns for every event the intake understands, derived from the parser's own
 * list so the two never disagree. Result events match only their SUCCEEDED state, and API
 * calls only when they did not fail (no errorCode).
 */
export interface NamedPattern {
  readonly id: string;
  readonly description: string;
  readonly pattern: EventPattern;
  /** Its rule also starts the org-wide reconcile: the event may not name the account it is about. */
  readonly reconcilesOrganization: boolean;
}

/** No verified sample names the joining account: the organization is reconciled as well, so it is found now, not at the next schedule. */
const NAMES_NO_ACCOUNT: ReadonlySet<string> = new Set(['AccountJoinedOrganization']);

const SUCCEEDED_STATE: Record<string, Record<string, unknown>> = {
  CreateAccountResult: { createAccountStatus: { state: ['SUCCEEDED'] } },
  CloseAccountResult: { closeAccountStatus: { state: ['SUCCEEDED'] } },
  CreateManagedAccount: { createManagedAccountStatus: { state: ['SUCCEEDED'] } },
  UpdateManagedAccount: { updateManagedAccountStatus: { state: ['SUCCEEDED'] } },
};

function namesOf(source: string, detailType: string): string[] {
  return HANDLED_EVENTS.filter((e) => e.source === source && e.detailType === detailType).map((e) => e.eventName);
}

function patternsFor(source: string, prefix: string): NamedPattern[] {
  const patterns: NamedPattern[] = [];
  for (const eventName of namesOf(source, SERVICE_EVENT)) {
    const state = SUCCEEDED_STATE[eventName];
    patterns.push({
      id: `${prefix}${eventName}`,
      description: `${source} ${eventName}${state ? ' (SUCCEEDED)' : ''}`,
      pattern: {
        source: [source],
        detailType: [SERVICE_EVENT],
        detail: { eventName: [eventName], ...(state && { serviceEventDetails: state }) },
      },
      reconcilesOrganization: NAMES_NO_ACCOUNT.has(eventName),
    });
  }
  const apiCalls = namesOf(source, API_CALL);
  if (apiCalls.length > 0) {
    patterns.push({
      id: `${prefix}ApiCalls`,
      description: `${source} API calls that succeeded: ${apiCalls.join(', ')}`,
      pattern: {
        source: [source],
        detailType: [API_CALL],
        detail: { eventName: apiCalls, errorCode: [{ exists: false }] },
      },
      reconcilesOrganization: apiCalls.some((name) => NAMES_NO_ACCOUNT.has(name)),
    });
  }
  return patterns;
}

export function organizationsPatterns(): NamedPattern[] {
  return patternsFor('aws.organizations', 'Organizations');
}

export function controlTowerPatterns(): NamedPattern[] {
  return patternsFor('aws.controltower', 'ControlTower');
}
