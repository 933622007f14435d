import { parametersExtensionSource } from "../clients/parameters-extension.ts";
import { createRuntimeSwitch, type RuntimeSwitch } from "../switches.ts";
import { getConfig } from "./config.ts";

let images: RuntimeSwitch | undefined;
let geminiChat: RuntimeSwitch | undefined;

// The same path as the secrets (lib/wiring/secrets.ts): the extension, with the session token Lambda gives the function.
const extensionSource = () => {
  const config = getConfig();
  return parametersExtensionSource({
    port: config.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT,
    sessionToken: process.env.AWS_SESSION_TOKEN,
    timeoutMs: config.DEPENDENCY_TIMEOUT_MS,
  });
};

/** Whether this stage makes pictures now: IMAGES_ENABLED_PARAMETER in AWS, IMAGES_ENABLED locally. */
export function imagesSwitch(): RuntimeSwitch {
  const config = getConfig();
  images ??= createRuntimeSwitch({
    name: "images",
    parameter: config.IMAGES_ENABLED_PARAMETER,
    fixed: config.IMAGES_ENABLED,
    source: extensionSource,
  });
  return images;
}

/** Whether this stage's chat may call Gemini now: GEMINI_CHAT_ENABLED_PARAMETER in AWS, GEMINI_CHAT_ENABLED locally. */
export function geminiChatSwitch(): RuntimeSwitch {
  const config = getConfig();
  geminiChat ??= createRuntimeSwitch({
    name: "geminiChat",
    parameter: config.GEMINI_CHAT_ENABLED_PARAMETER,
    fixed: config.GEMINI_CHAT_ENABLED,
    source: extensionSource,
  });
  return geminiChat;
}
