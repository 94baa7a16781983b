/**
 * Formats Datadog and AWS accept, checked before anything is sent so the user hears about a
 * typo from us, with the fix, rather than a 400 from Datadog.
 */

const MAX_TAG_LENGTH = 200;

/** A Datadog tag in the form key:value (the value may itself contain colons). */
export function tagProblem(tag: string): string | undefined {
  if (tag !== tag.trim()) return 'remove the spaces around it';
  const colon = tag.indexOf(':');
  if (colon <= 0 || colon === tag.length - 1) return 'write it as key:value, e.g. team:platform';
  if (tag.length > MAX_TAG_LENGTH) return `Datadog tags are at most ${MAX_TAG_LENGTH} characters`;
  return undefined;
}

// Datadog tag keys start with a letter; letters, digits, _ - . / are safe on both sides.
const TAG_KEY = /^[A-Za-z][\w.\-/]{0,99}$/;

export function tagKeyProblem(key: string): string | undefined {
  return TAG_KEY.test(key) ? undefined : 'a tag key starts with a letter and holds letters, digits and _ - . / only';
}

/** An EC2 filter tag: key:value, wildcards ? and * allowed, ! in front to exclude. */
export function filterTagProblem(tag: string): string | undefined {
  return tagProblem(tag.startsWith('!') ? tag.slice(1) : tag);
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

export function regionProblem(region: string): string | undefined {
  return REGION.test(region) ? undefined : 'it is not an AWS region name such as us-east-1 or eu-west-3';
}

// IAM role names: 1 to 64 characters of letters, digits and +=,.@_-
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

export function roleNameProblem(name: string): string | undefined {
  return ROLE_NAME.test(name) ? undefined : 'an IAM role name is 1 to 64 letters, digits or +=,.@_- characters';
}

/** A namespace rule written NAMESPACE=true|false. */
export function parseNamespaceRule(rule: string): { namespace: string; enabled: boolean } | string {
  const match = /^([A-Za-z0-9_./-]+)=(true|false)$/.exec(rule.trim());
  if (!match) return 'write it as NAMESPACE=true or NAMESPACE=false, e.g. auto_scaling=false';
  return { namespace: match[1]!, enabled: match[2] === 'true' };
}
