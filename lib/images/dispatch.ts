import { InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { deadlineSignal } from "../abort.ts";
import type { ImageJobEvent } from "../schemas/images.ts";

/** Starts an image job somewhere else; resolves once the job is queued, not when it is done. */
export interface JobDispatcher {
  dispatch(event: ImageJobEvent): Promise<void>;
}

/**
 * A JobDispatcher that invokes the image worker function asynchronously (Lambda `Invoke`, `InvocationType: Event`),
 * each call ended at its deadline or sooner by `signal` (the request's).
 */
export function createLambdaDispatcher(client: LambdaClient, functionName: string, timeoutMs: number, signal?: AbortSignal): JobDispatcher {
  return {
    async dispatch(event) {
      const response = await client.send(
        new InvokeCommand({ FunctionName: functionName, InvocationType: "Event", Payload: Buffer.from(JSON.stringify(event)) }),
        { abortSignal: deadlineSignal(timeoutMs, signal) },
      );
      // Lambda answers 202 when it has queued the event; anything else means the worker will not run.
      if (response.StatusCode !== 202 || response.FunctionError) {
        throw new Error(`The image worker was not queued (status ${response.StatusCode ?? "none"})`);
      }
    },
  };
}
