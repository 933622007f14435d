import { readFileSync } from "node:fs";
import { parse } from "yaml";

interface FunctionConfig {
  handler: string;
  events?: Array<Record<string, unknown>>;
}

/** One `httpApi` route of serverless.yml: `METHOD /path` and the function serving it. */
export interface HttpRoute {
  method: string;
  path: string;
  functionName: string;
}

/** The functions of serverless.yml, as written (variables unresolved; YAML anchors and merges applied). */
export function serverlessFunctions(file = "serverless.yml"): Record<string, FunctionConfig> {
  const config = parse(readFileSync(file, "utf8"), { merge: true }) as { functions: Record<string, FunctionConfig> };
  return config.functions;
}

/** Every `httpApi` event of serverless.yml. */
export function httpApiRoutes(file = "serverless.yml"): HttpRoute[] {
  return Object.entries(serverlessFunctions(file)).flatMap(([functionName, definition]) =>
    (definition.events ?? []).flatMap((event) => {
      const httpApi = event.httpApi as { method: string; path: string } | undefined;
      return httpApi ? [{ method: httpApi.method.toUpperCase(), path: httpApi.path, functionName }] : [];
    }),
  );
}

/** A stage's params as serverless.yml writes them: `params.default` under `params.<stage>` (variables unresolved). */
export function stageParams(stage: string, file = "serverless.yml"): Record<string, unknown> {
  const config = parse(readFileSync(file, "utf8"), { merge: true }) as { params: Record<string, Record<string, unknown> | undefined> };
  return { ...config.params.default, ...config.params[stage] };
}
