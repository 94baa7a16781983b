import { CONFIG_ENVIRONMENT_VARIABLE, lambdaConfig } from '../../lambda/handlers/environment';
import { InputError } from '../../lambda/domain/errors';

describe('lambdaConfig: the configuration the stack wrote into the function', () => {
  it('is read from DD_AWS_ORG_CONFIG', () => {
    expect(lambdaConfig({ [CONFIG_ENVIRONMENT_VARIABLE]: JSON.stringify({ role: { name: 'OurRole' } }) }).role.name).toBe('OurRole');
  });

  it.each([
    ['missing', {}],
    ['empty', { [CONFIG_ENVIRONMENT_VARIABLE]: '' }],
  ])('%s: fails at cold start naming the variable, never falls back to the defaults', (_name, env) => {
    expect(() => lambdaConfig(env)).toThrow(InputError);
    expect(() => lambdaConfig(env)).toThrow(/DD_AWS_ORG_CONFIG is not set: redeploy the stack/);
  });

  it('not JSON: names the variable', () => {
    expect(() => lambdaConfig({ [CONFIG_ENVIRONMENT_VARIABLE]: '{' })).toThrow(/DD_AWS_ORG_CONFIG is not JSON/);
  });
});
