import { createLocalImageProvider } from "./local-provider.ts";
import { imageProviderTraits, type ImageProvider } from "./provider.ts";

export interface ImageProviderChoice {
  provider: "local" | "gemini";
  model: string;
  apiKey: string | undefined;
  baseUrl: string | undefined;
}

/** The ImageProvider chosen by configuration; the Gemini SDK is loaded only on its first generation. */
export function selectImageProvider(choice: ImageProviderChoice): ImageProvider {
  if (choice.provider === "local") return createLocalImageProvider();
  // The SDK (an external package, not in the bundle) is read and evaluated at the first generation, not at start-up.
  let loaded: Promise<ImageProvider> | undefined;
  const load = () =>
    (loaded ??= import("./gemini-provider.ts").then(({ createGeminiImageProvider }) =>
      createGeminiImageProvider({
        apiKey: choice.apiKey ?? "",
        model: choice.model,
        ...(choice.baseUrl ? { baseUrl: choice.baseUrl } : {}),
      }),
    ));
  return {
    ...imageProviderTraits(choice),
    generate: async (input, signal, options) => (await load()).generate(input, signal, options),
  };
}
