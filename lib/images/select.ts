import { createLocalImageProvider } from "./local-provider.ts";
import { geminiImageTraits, type ImageProvider } from "./provider.ts";

export interface ImageProviderChoice {
  provider: "local" | "gemini";
  model: string;
  apiKey: string | undefined;
  baseUrl: string | undefined;
}

/** The ImageProvider chosen by configuration; the Gemini SDK is loaded only on its first generation. */
export function selectImageProvider(choice: ImageProviderChoice): ImageProvider {
  if (choice.provider === "local") return createLocalImageProvider();
  // Evaluated lazily so that functions which only need the traits (the request side) never load the SDK.
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
    ...geminiImageTraits(choice.model),
    generate: async (input, signal, options) => (await load()).generate(input, signal, options),
  };
}
