// zod/mini, not zod: the same validation through functions instead of methods, which esbuild can leave out when
// unused (about 25 KB in a bundle instead of 90 KB, and half the import time). Every runtime schema imports it from
// here, as a namespace (`import * as z from "./zod.ts"`), so that what is unused stays out. zod/mini carries no
// messages of its own, and no locale is configured globally (a side effect a bundle drops): every parse whose issues
// a person reads passes lib/schemas/issue-messages.ts's error map itself.
// Schemas are built at module load; `/* @__PURE__ */` on an exported one lets esbuild drop it from a bundle that
// never uses it (zod's constructors have no side effects).
export * from "zod/mini";
