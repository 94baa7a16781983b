import { InputError } from './errors';

const ACCOUNT_ID = /^\d{12}$/;

export function isAccountId(value: unknown): value is string {
  return typeof value === 'string' && ACCOUNT_ID.test(value);
}

/** Rejects anything but exactly 12 digits, before any call is made with it. */
export function assertAccountId(value: unknown, field = 'account ID'): string {
  if (isAccountId(value)) return value;
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  throw new InputError(
    `${field} ${shown} is not an AWS account ID: it must be exactly 12 digits (e.g. 123456789012), without dashes`,
  );
}
