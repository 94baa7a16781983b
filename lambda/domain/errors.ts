/**
 * Errors that mean "the input or the configuration is wrong": nothing was sent anywhere,
 * and the message names the field and the fix. The CLI maps them to exit code 2.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
}
