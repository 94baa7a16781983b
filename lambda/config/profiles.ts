import type { OrgAccount } from '../domain/account';
import { InputError, StateError } from '../domain/errors';
import { firstMatchingProfile } from '../domain/profile-match';
import { datadogTargetKey, profileSettings, type Config, type DatadogConfig } from './schema';

/**
 * Profiles and Datadog targets, resolved from one configuration: which settings and which
 * Datadog organization each account gets. A target is a distinct site + API URL + credentials;
 * the top level's is the default target, and profiles may share one.
 */

export interface DatadogTarget {
  /** For operators: the site, told apart by the secret (or API URL) when two targets share it. */
  readonly name: string;
  readonly datadog: DatadogConfig;
  /** The top level's target (the keys of DD_API_KEY / DD_APP_KEY or the stack's secret). */
  readonly isDefault: boolean;
  /** A configuration that reports here: the first profile's that does, else the top level's. */
  readonly config: Config;
  /** The profiles whose accounts report here. */
  readonly profiles: readonly string[];
}

export interface Route {
  /** The profile whose settings apply; undefined for the top level's. */
  readonly profile?: string;
  readonly target: DatadogTarget;
  /** The settings for the account: the profile's datadog and integration keys over the top level's. */
  readonly config: Config;
}

/** A route as it is written down (an observation, a result, a log line): the profile's name, the target's. */
export function placeOf(route: Route): { readonly profile?: string; readonly target: string } {
  return { ...(route.profile !== undefined && { profile: route.profile }), target: route.target.name };
}

export interface Routing {
  readonly targets: readonly DatadogTarget[];
  readonly defaultTarget: DatadogTarget;
  /** More than one target: each account's other targets are looked at too (an account that moved). */
  readonly multiTarget: boolean;
  routeOf(account: Pick<OrgAccount, 'accountId' | 'parentPath' | 'tags'>): Route;
  target(name: string): DatadogTarget;
}

const cache = new WeakMap<Config, Routing>();

/** The routing of a configuration, resolved once per configuration object. */
export function routingOf(config: Config): Routing {
  let routing = cache.get(config);
  if (!routing) {
    routing = resolveRouting(config);
    cache.set(config, routing);
  }
  return routing;
}

function resolveRouting(config: Config): Routing {
  const topLevel: Config = { ...config, profiles: [] };
  const byKey = new Map<string, { datadog: DatadogConfig; isDefault: boolean; config: Config; profiles: string[] }>();
  byKey.set(datadogTargetKey(config.datadog), { datadog: config.datadog, isDefault: true, config: topLevel, profiles: [] });
  const profiles = config.profiles.map((profile) => {
    const result = profileSettings(config, profile);
    // parseConfig checked every profile; a configuration built by hand may not have been.
    if (!result.success) throw new InputError(`profiles: ${profile.name} has invalid settings; parse the configuration with parseConfig, which names them`);
    const settings: Config = { ...result.data, profiles: [] };
    const key = datadogTargetKey(settings.datadog);
    const entry = byKey.get(key) ?? { datadog: settings.datadog, isDefault: false, config: settings, profiles: [] };
    entry.profiles.push(profile.name);
    byKey.set(key, entry);
    return { name: profile.name, match: profile.match, settings, key };
  });
  const names = targetNames([...byKey.values()]);
  const targets = new Map<string, DatadogTarget>();
  [...byKey.entries()].forEach(([key, entry], index) => targets.set(key, { ...entry, name: names[index]! }));
  const defaultTarget = targets.get(datadogTargetKey(config.datadog))!;
  const byName = new Map([...targets.values()].map((t) => [t.name, t]));
  return {
    targets: [...targets.values()],
    defaultTarget,
    multiTarget: targets.size > 1,
    routeOf(account) {
      const profile = firstMatchingProfile(profiles, account);
      return profile ? { profile: profile.name, target: targets.get(profile.key)!, config: profile.settings } : { target: defaultTarget, config: topLevel };
    },
    target(name) {
      const target = byName.get(name);
      if (!target) throw new StateError(`no Datadog target named ${name}`, false);
      return target;
    },
  };
}

/**
 * The site, unless two targets share it: then the site with the secret, else with the API URL.
 * The default target is "default keys" whatever secret holds them (the stack names its own).
 */
function targetNames(targets: readonly { datadog: DatadogConfig; isDefault: boolean }[]): string[] {
  const keys = (t: { datadog: DatadogConfig; isDefault: boolean }) => (t.isDefault ? 'default keys' : (t.datadog.credentialsSecretId ?? 'default keys'));
  const candidates = targets.map((t) => [t.datadog.site, `${t.datadog.site} (${keys(t)})`, `${t.datadog.site} (${keys(t)}, ${t.datadog.apiUrl ?? 'site URL'})`]);
  return candidates.map((names, index) => {
    const unique = names.find((name, level) => candidates.filter((other) => other[level] === name).length === 1);
    return unique ?? `${names[2]} #${index + 1}`;
  });
}
