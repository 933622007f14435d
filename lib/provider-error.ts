/**
 * A failure of an external model provider (chat or image) with a stable code and, when the provider answered, its
 * HTTP status. Messages never hold user text, profile values, prompts or model output, so the error is safe to log.
 */
export class ProviderError<Code extends string> extends Error {
  readonly code: Code;
  /** Upstream HTTP status when the provider answered with one. */
  readonly status: number | undefined;

  constructor(code: Code, message: string, options?: { status?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options?.status;
  }
}
