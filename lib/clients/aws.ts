
/** Static credentials for local emulators (s3rver, dynalite); in AWS the default provider chain is used. */
export function localCredentials(endpoint: string | undefined): { accessKeyId: string; secretAccessKey: string } | undefined {
  if (!endpoint) return undefined;
  return {
    accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? "S3RVER",
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? "S3RVER",
  };
}

