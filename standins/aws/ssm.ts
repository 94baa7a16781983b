/** SSM (JSON 1.1): the one operation this product calls, GetParameter (the CLI's --from-stack). */
import { AwsApiError, type Caller, type FakeAwsOrganization } from './model';

export const SSM_TARGET_PREFIX = 'AmazonSSM';

// Parameter names: letters, digits and _.-/ (a leading slash for a hierarchy), at most 2048 characters.
const PARAMETER_NAME = /^[a-zA-Z0-9_.\-/]{1,2048}$/;

export function ssmCall(model: FakeAwsOrganization, caller: Caller, operation: string, input: Record<string, unknown>, region: string): Record<string, unknown> {
  if (operation !== 'GetParameter') {
    throw new AwsApiError('UnknownOperationException', `The AWS stand-in does not emulate SSM ${operation}.`, 400);
  }
  const name = input.Name;
  if (typeof name !== 'string' || !PARAMETER_NAME.test(name)) {
    throw new AwsApiError('ValidationException', `1 validation error detected: Value '${String(name)}' at 'name' failed to satisfy constraint.`, 400);
  }
  const parameter = model.findParameter(caller.accountId, name);
  // SSM's own answer for a missing parameter: the code only, no message.
  if (!parameter) throw new AwsApiError('ParameterNotFound', '', 400);
  return {
    Parameter: {
      Name: parameter.name,
      Type: 'String',
      Value: parameter.value,
      Version: parameter.version,
      LastModifiedDate: parameter.lastModifiedDate.getTime() / 1000,
      ARN: `arn:${model.partition}:ssm:${region}:${caller.accountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`,
      DataType: 'text',
    },
  };
}
