import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";

// serverless-offline prints its routes in a box (boxen) as wide as the terminal, wrapping each line hard at the
// border: in an 80-column terminal the routes broke mid-word. The dev stack runs it with a width that never wraps
// (COLUMNS) and prints the routes as one short line each, relative to the API's origin, without the box.

// biome-ignore lint/suspicious/noControlCharactersInRegex: an ANSI colour sequence starts with ESC
const ANSI = /\u001b\[[0-9;]*m/g;
const BOX_EDGE = /^\s*[┌└╭╰][─]+[┐┘╮╯]\s*$/;
const BOX_LINE = /^\s*│(.*)│\s*$/;
const ROUTE = /^\s*([A-Z]+)\s*\|\s*(https?:\/\/[^/\s]+)(\/\S*)\s*$/;

/**
 * Rewrites serverless-offline's output line by line: the route box becomes "Routes (origin):" and one `METHOD path`
 * line per HTTP route (the Lambda invoke paths, one per function, are left out: the banner names the Lambda endpoint);
 * every other line passes unchanged.
 */
export function routeBoxRewriter(): (line: string) => string[] {
  let origin: string | undefined;
  return (line) => {
    const plain = line.replace(ANSI, "");
    if (BOX_EDGE.test(plain)) {
      origin = undefined;
      return [];
    }
    const inside = BOX_LINE.exec(plain)?.[1];
    if (inside === undefined) return [line];
    const route = ROUTE.exec(inside);
    if (!route?.[1] || !route[2] || !route[3] || route[3].startsWith("/2015-03-31/functions/")) return [];
    const lines = origin === route[2] ? [] : [`Routes (${route[2]}):`];
    origin = route[2];
    return [...lines, `  ${route[1].padEnd(6)} ${route[3]}`];
  };
}

/** Copies a child's output to a stream, with the route box rewritten. */
export function pipeWithoutRouteBox(from: Readable, to: Writable): void {
  const rewrite = routeBoxRewriter();
  createInterface({ input: from, crlfDelay: Number.POSITIVE_INFINITY }).on("line", (line) => {
    for (const out of rewrite(line)) to.write(`${out}\n`);
  });
}
