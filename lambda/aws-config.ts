/**
 * Options for every AWS SDK client. Endpoints come from the SDK's own chain, so
 * AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_<SERVICE>) points everything at an emulator.
 * Kept apart from the clients themselves so a handler loads only the SDK packages it uses.
 */
export function awsClientConfig(env: NodeJS.ProcessEnv): { region: string; maxAttempts: number } {
  // Organizations and IAM are global services homed in us-east-1; STS works from any region.
  return { region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1', maxAttempts: 6 };
}
