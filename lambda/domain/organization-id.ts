/** An AWS Organizations organization ID: `o-` and 10 to 32 lowercase letters or digits. */
export const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;

export function isOrganizationId(value: string): boolean {
  return ORGANIZATION_ID.test(value);
}
