import type { GoogleGenAI } from "@google/genai";
import type { GeminiLogger, RetryPolicy } from "../providers/gemini-call.ts";

type GenaiModule = typeof import("@google/genai");

/** How a Gemini-backed provider is configured: the key, the model, and an endpoint override (a local fake in tests). */
export interface GeminiOptions {
  apiKey: string;
  /** Defaults to the provider's own default model. */
  model?: string;
  /** Overrides the Gemini API endpoint (tests point it at a local fake). */
  baseUrl?: string;
  /** Where each call's outcome is logged; the function's logger unless a test captures it. */
  logger?: GeminiLogger;
  /** Changes to the provider's retry policy (tests shorten the waits). */
  retry?: Partial<RetryPolicy>;
}

let sdk: Promise<GenaiModule> | undefined;

/**
 * Loads the Gemini SDK on first use. It is external to the bundles (see serverless.yml) and imported
 * only when a provider is configured as `gemini`, so the local default never parses its ~0.5 MB.
 */
export function loadGenai(): Promise<GenaiModule> {
  sdk ??= import("@google/genai");
  return sdk;
}

/** A Gemini client for the key and optional base URL (a local fake in tests). */
export async function createGeminiClient(options: { apiKey: string; baseUrl?: string | undefined }): Promise<GoogleGenAI> {
  const { GoogleGenAI } = await loadGenai();
  return new GoogleGenAI({
    // The Gemini Developer API with this key, whatever GOOGLE_GENAI_USE_VERTEXAI a shell may hold.
    vertexai: false,
    apiKey: options.apiKey,
    ...(options.baseUrl === undefined ? {} : { httpOptions: { baseUrl: options.baseUrl } }),
  });
}

/** The SDK's schema type names as plain values, so that declaring a response schema needs no SDK at load time. */
export const SchemaType = {
  OBJECT: "OBJECT",
  ARRAY: "ARRAY",
  STRING: "STRING",
  NUMBER: "NUMBER",
  INTEGER: "INTEGER",
  BOOLEAN: "BOOLEAN",
} as unknown as GenaiModule["Type"];

/** The SDK's thinking levels as plain values, for the same reason. */
export const ThinkingLevelName = {
  MINIMAL: "MINIMAL",
  LOW: "LOW",
} as unknown as Pick<GenaiModule["ThinkingLevel"], "MINIMAL" | "LOW">;
