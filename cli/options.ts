import { InvalidArgumentError } from 'commander';
import { assertAccountId } from '../lambda/domain/account-id';
import { filterTagProblem, parseNamespaceRule, regionProblem, roleNameProblem, tagProblem } from '../lambda/domain/tags';

/** Option parsers: a bad value stops the command (exit 2) before anything is sent. */

export function accountIdArg(value: string): string {
  try {
    return assertAccountId(value.trim());
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function checked(problem: (value: string) => string | undefined) {
  return (value: string): string => {
    const reason = problem(value);
    if (reason) throw new InvalidArgumentError(`"${value}": ${reason}.`);
    return value;
  };
}

export const roleNameArg = checked(roleNameProblem);

/** Repeatable options collect their values in order. */
function repeatable(problem: (value: string) => string | undefined) {
  const check = checked(problem);
  return (value: string, previous: string[] = []): string[] => [...previous, check(value)];
}

export const hostTagArg = repeatable(tagProblem);
export const filterTagArg = repeatable(filterTagProblem);
export const regionArg = repeatable(regionProblem);

export function namespaceRuleArg(value: string, previous: Record<string, boolean> = {}): Record<string, boolean> {
  const rule = parseNamespaceRule(value);
  if (typeof rule === 'string') throw new InvalidArgumentError(`"${value}": ${rule}.`);
  return { ...previous, [rule.namespace]: rule.enabled };
}
