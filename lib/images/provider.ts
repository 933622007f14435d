import type { ChildGender, Gender } from "../interview/profile.ts";
import { PNG_SIGNATURE } from "../photos/inspect.ts";
import { ProviderError } from "../provider-error.ts";
import type { ImageFailureCode } from "../schemas/images.ts";

/** An image handed to a provider: its bytes and their media type. */
export interface SourceImage {
  bytes: Buffer;
  contentType: string;
}

/** What the partner picture is made from. */
export interface PartnerImageInput {
  kind: "partner";
  /** The user's own gender, as context; the partner's look comes from `partner.appearance`. */
  gender: Gender | undefined;
  partner: { name: string; temperament: string; appearance: string };
  /** Present only when the provider uses the user photo for the partner and the photo is ready. */
  userPhoto?: SourceImage;
}

/** What the child picture is made from: both parents' pictures and the first wished-for child. */
export interface ChildImageInput {
  kind: "child";
  child: { name: string; gender: ChildGender };
  userPhoto: SourceImage;
  partnerImage: SourceImage;
}

export type ImageInput = PartnerImageInput | ChildImageInput;

/** What the request side needs to know of a provider, without loading it (no SDK, no native module). */
export interface ImageProviderTraits {
  /** Names the generator in the inputs hash, so switching provider or model makes a new image. */
  readonly id: string;
  /** Whether the partner picture is made from the user photo too (then the photo is one of its inputs). */
  readonly partnerUsesUserPhoto: boolean;
}

/** How long a generation may take. */
export interface GenerateOptions {
  /** Epoch ms of the job's deadline: a provider retries a transient failure only while another attempt fits. */
  deadline?: number;
}

/** Makes one picture; every failure is an `ImageProviderError`. */
export interface ImageProvider extends ImageProviderTraits {
  /** PNG bytes of the picture; rejects with `generation_timeout` once `signal` aborts. */
  generate(input: ImageInput, signal: AbortSignal, options?: GenerateOptions): Promise<Buffer>;
}

/**
 * Stable failure codes of an image job, shown to the client as `images.{kind}.error`:
 * - `generation_timeout`: the provider did not finish before the deadline;
 * - `provider_unavailable`: the provider could not be reached or kept failing (5xx, network) through its retries;
 * - `provider_rate_limited`: its quota or rate limit (429) outlasted the retries that fit the deadline;
 * - `provider_rejected_request`: it refused the request itself (400/401/403: a bad key, billing, a parameter);
 * - `model_unavailable`: the configured model is gone (404): IMAGE_MODEL must change;
 * - `provider_bad_response`: it answered, but with something unusable (garbage, bytes that are no image);
 * - `provider_refused`: it declined (a block reason, a safety finish reason, no image, or only text saying why).
 *   A picture of a child made from a photo of a real adult is the request most often declined. A refusal still
 *   counts against the session's daily allowance: the allowance is spent when the job is requested (lib/limits,
 *   fail-closed), and the declined call is billed for its input (the prompt and both pictures);
 * - `inputs_missing`: a picture or profile field the job needs is gone;
 * - `input_not_decodable`: a source picture (the checked photo, the partner picture) did not decode, or is not the
 *   type it was stored as; it was checked when stored, so this is a damaged object, never the user's upload as such;
 * - `storage_unavailable`: the image could not be written;
 * - `dispatch_failed`: the worker could not be started;
 * - `internal_error`: anything else.
 */
export type { ImageFailureCode };

/** A provider failure with a stable code; its message never holds prompts, profile values or model output. */
export class ImageProviderError extends ProviderError<ImageFailureCode> {
  override readonly name = "ImageProviderError";
}

export { PNG_SIGNATURE };

/** Whether bytes start like a PNG file. */
export function isPng(bytes: Uint8Array): boolean {
  return bytes.length > PNG_SIGNATURE.length && PNG_SIGNATURE.every((byte, i) => bytes[i] === byte);
}

/** The traits of the `local` provider. */
export const LOCAL_IMAGE_TRAITS: ImageProviderTraits = { id: "local/v1", partnerUsesUserPhoto: true };

// The partner is drawn from the profile alone: a photo of the user would pull the partner towards their face.
/** The traits of the `gemini` provider with a given model. */
export function geminiImageTraits(model: string): ImageProviderTraits {
  return { id: `gemini/${model}`, partnerUsesUserPhoto: false };
}

/**
 * The traits of the provider a configuration selects, without the provider itself: what the request side of a job
 * needs, so that requestImage's bundle holds neither sharp nor the Gemini SDK (lib/images/select.ts makes the provider).
 */
export function imageProviderTraits(choice: { provider: "local" | "gemini"; model: string }): ImageProviderTraits {
  return choice.provider === "local" ? LOCAL_IMAGE_TRAITS : geminiImageTraits(choice.model);
}
