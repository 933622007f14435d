import type { AwsHttpClient } from "../clients/aws-http.ts";
import type { ImageJobEvent } from "../schemas/images.ts";

/** Starts an image job somewhere else; resolves once the job is queued, not when it is done. */
export interface JobDispatcher {
  dispatch(event: ImageJobEvent): Promise<void>;
}

/** A JobDispatcher that invokes the image worker function asynchronously (Lambda `Invoke`, `InvocationType: Event`). */
export function createLambdaDispatcher(client: AwsHttpClient, functionName: string, timeoutMs: number): JobDispatcher {
  return {
    async dispatch(event) {
      const response = await client.send(
        {
          method: "POST",
          path: `/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`,
          headers: { "content-type": "application/json", "x-amz-invocation-type": "Event" },
          body: JSON.stringify(event),
        },
        AbortSignal.timeout(timeoutMs),
      );
      await response.body?.cancel();
      // Lambda answers 202 when it has queued the event; anything else means the worker will not run.
      if (response.status !== 202 || response.headers.has("x-amz-function-error")) {
        throw new Error(`The image worker was not queued (status ${response.status})`);
      }
    },
  };
}
