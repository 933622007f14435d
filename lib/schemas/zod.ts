import { config } from "zod/mini";
import en from "zod/v4/locales/en.js";

// zod/mini, not zod: the same validation through functions instead of methods, which esbuild can leave out when
// unused (about 25 KB in a bundle instead of 90 KB, and half the import time). Every runtime schema imports it from
// here, as a namespace (`import * as z from "./zod.ts"`), so that what is unused stays out. zod/mini carries no
// messages of its own: full zod's English ones keep the 400 details and the configuration errors readable.
// Schemas are built at module load; `/* @__PURE__ */` on an exported one lets esbuild drop it from a bundle that
// never uses it (zod's constructors have no side effects).
config(en());

export * from "zod/mini";
