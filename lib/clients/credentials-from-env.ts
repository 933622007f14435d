import { fromEnv } from "@aws-sdk/credential-provider-env";

// Bundled in place of @aws-sdk/credential-provider-node (serverless.yml, custom.esbuild.alias). In Lambda a
// function's role credentials are in its environment, which is the first place the SDK's default chain looks; the
// rest of that chain (shared ini files, SSO, web identity, the container and instance metadata services, with their
// nested STS and SSO clients) is never reached there and only weighs on each bundle and its cold start. The local
// stack and the tests give the clients static credentials, so they never ask a provider either.

/** The SDK's default credential provider, reduced to the environment (AWS_ACCESS_KEY_ID, …, AWS_SESSION_TOKEN). */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]): ReturnType<typeof fromEnv> => fromEnv(init);
