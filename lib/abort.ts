/**
 * Settles with `promise`, or rejects with `abortError(signal)` as soon as `signal` aborts, whichever comes first:
 * a call that ignores its signal still ends on time. A signal already aborted (an abort fires once: by a caller
 * before, or by the call itself while it started) rejects at once, and the late outcome of `promise` is dropped.
 */
export function untilAborted<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  abortError: (signal: AbortSignal) => Error,
): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(abortError(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** A signal that aborts after `timeoutMs`, or sooner when `signal` (a request's, a function's) aborts. */
export function deadlineSignal(timeoutMs: number, signal?: AbortSignal): AbortSignal {
  const deadline = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([deadline, signal]) : deadline;
}
