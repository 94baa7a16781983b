/**
 * What the stack writes into the secret it creates: the operator replaces it with the real
 * keys. Its own module, free of dependencies, so the CDK app reads it without loading the SDK.
 */
export const PLACEHOLDER_KEYS = { apiKey: '', appKey: '' } as const;
