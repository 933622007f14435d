import { ERROR_CATALOGUE, type ErrorCode } from "../errors.ts";
import { ROUTES, routeErrorCodes } from "../schemas/routes.ts";

/** Where docs/api.md holds the error table that `npm run openapi` writes. */
export const ERROR_TABLE_MARKERS = { start: "<!-- error table: written by npm run openapi -->", end: "<!-- end of error table -->" };

/** docs/api.md's error table, from the error catalogue and the route table: status, code, when, details, routes. */
export function errorTableMarkdown(): string {
  const rows = (Object.keys(ERROR_CATALOGUE) as ErrorCode[])
    .map((code) => ({
      code,
      entry: ERROR_CATALOGUE[code] as (typeof ERROR_CATALOGUE)[ErrorCode] & { details?: string; retryAfterSeconds?: number },
    }))
    .sort((a, b) => a.entry.status - b.entry.status)
    .map(({ code, entry }) => {
      const retry = entry.retryAfterSeconds === undefined ? "" : ` (\`Retry-After: ${entry.retryAfterSeconds}\`)`;
      const details = `${entry.details ?? "—"}${retry}`;
      return `| ${entry.status} | \`${code}\` | ${entry.when} | ${details} | ${routesOf(code)} |`;
    });
  return ["| status | code | when | `details` | routes |", "| --- | --- | --- | --- | --- |", ...rows].join("\n");
}

/** The routes that answer with a code: "all", or their operation ids. */
function routesOf(code: ErrorCode): string {
  const answering = ROUTES.filter((route) => routeErrorCodes(route).includes(code));
  if (answering.length === ROUTES.length) return "all";
  return answering.map((route) => `\`${route.functionName}\``).join(", ");
}

/** `markdown` with its error table replaced by the current one. */
export function withErrorTable(markdown: string): string {
  const start = markdown.indexOf(ERROR_TABLE_MARKERS.start);
  const end = markdown.indexOf(ERROR_TABLE_MARKERS.end);
  if (start < 0 || end < start) throw new Error("docs/api.md has lost the markers of its error table");
  return `${markdown.slice(0, start + ERROR_TABLE_MARKERS.start.length)}\n${errorTableMarkdown()}\n${markdown.slice(end)}`;
}
