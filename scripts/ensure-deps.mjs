// Runs before `npm run dev` and `npm test`: installs dependencies when node_modules is missing or
// older than package-lock.json, so both commands work as the first ones on a fresh clone.
import { execSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";

const marker = "node_modules/.package-lock.json";
const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync("package-lock.json").mtimeMs;
if (stale) {
  console.log("Installing dependencies (node_modules missing or stale)...");
  execSync(existsSync("node_modules") ? "npm install --no-audit --no-fund" : "npm ci --no-audit --no-fund", { stdio: "inherit" });
}
