import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

// A local stand-in for the AWS Parameters and Secrets Lambda Extension's HTTP API, as a function in Lambda sees it:
//   GET http://localhost:<port>/systemsmanager/parameters/get?name=<url-encoded name>&withDecryption=true
//   header X-Aws-Parameters-Secrets-Token: <the function's AWS_SESSION_TOKEN>
// 200 with `{Parameter: {Name, Type, Value, Version, ...}}`, 400 naming ParameterNotFound for a name that does not exist,
// 401 without the right token. The same store also answers SSM's own `GetParameters` (JSON 1.1, POST / with
// `X-Amz-Target: AmazonSSM.GetParameters`), so the benchmark can measure a revision that still read SSM through the SDK.

/** One request the fake saw: which name, whether decrypted, and the token header it carried. */
export interface SeenParameterRequest {
  api: "extension" | "ssm";
  names: string[];
  withDecryption: boolean;
  token: string | undefined;
}

/** What the fake answers instead of the stored value: a status, or a delay before answering. */
export type ParameterFault = { status: number; body?: string } | { delayMs: number };

export interface FakeParametersExtension {
  /** The port to give PARAMETERS_SECRETS_EXTENSION_HTTP_PORT. */
  port: number;
  /** `http://127.0.0.1:<port>`, for AWS_ENDPOINT_URL_SSM. */
  url: string;
  requests: SeenParameterRequest[];
  /** The most requests the fake was answering at once. */
  peakConcurrency(): number;
  /** Stores or replaces a SecureString. */
  put(name: string, value: string): void;
  delete(name: string): void;
  /** Makes every later request fail this way (undefined: answer normally again). */
  fail(fault: ParameterFault | undefined): void;
  close(): Promise<void>;
}

const GET_PATH = "/systemsmanager/parameters/get";

export async function startFakeParametersExtension(options: {
  token: string;
  parameters?: Record<string, string>;
}): Promise<FakeParametersExtension> {
  const stored = new Map(Object.entries(options.parameters ?? {}));
  const requests: SeenParameterRequest[] = [];
  let fault: ParameterFault | undefined;
  let active = 0;
  let peak = 0;

  const parameter = (name: string, decrypted: boolean) => ({
    ARN: `arn:aws:ssm:ap-northeast-1:000000000000:parameter${name.startsWith("/") ? "" : "/"}${name}`,
    DataType: "text",
    LastModifiedDate: "2026-11-22T00:00:00.000Z",
    Name: name,
    Selector: null,
    SourceResult: null,
    Type: "SecureString",
    // Without decryption SSM hands back the ciphertext; the fake makes it plainly not the value.
    Value: decrypted ? stored.get(name) : `AQICAH-encrypted-${Buffer.from(name).toString("base64url")}`,
    Version: 1,
  });

  const answer = (response: ServerResponse, status: number, body: unknown) => {
    response.statusCode = status;
    response.setHeader("Content-Type", typeof body === "string" ? "text/plain; charset=utf-8" : "application/json");
    response.end(typeof body === "string" ? body : JSON.stringify(body));
  };

  const extension = (request: IncomingMessage, response: ServerResponse, url: URL) => {
    const name = url.searchParams.get("name") ?? "";
    const withDecryption = url.searchParams.get("withDecryption") === "true";
    const token = request.headers["x-aws-parameters-secrets-token"] as string | undefined;
    requests.push({ api: "extension", names: [name], withDecryption, token });
    if (token !== options.token) return answer(response, 401, "401 Unauthorized: X-Aws-Parameters-Secrets-Token is missing or wrong");
    if (!stored.has(name)) return answer(response, 400, `400 Bad Request: ParameterNotFound: Parameter ${name} not found.`);
    answer(response, 200, { Parameter: parameter(name, withDecryption), ResultMetadata: {} });
  };

  const ssm = (request: IncomingMessage, response: ServerResponse, raw: string) => {
    const body = JSON.parse(raw || "{}") as { Names?: string[]; WithDecryption?: boolean };
    const names = body.Names ?? [];
    requests.push({
      api: "ssm",
      names,
      withDecryption: body.WithDecryption === true,
      token: request.headers["x-amz-security-token"] as string | undefined,
    });
    response.setHeader("Content-Type", "application/x-amz-json-1.1");
    answer(response, 200, {
      // SSM's JSON protocol carries timestamps as epoch seconds.
      Parameters: names
        .filter((name) => stored.has(name))
        .map((name) => ({
          ...parameter(name, body.WithDecryption === true),
          LastModifiedDate: 1795305600,
          Selector: undefined,
          SourceResult: undefined,
        })),
      InvalidParameters: names.filter((name) => !stored.has(name)),
    });
  };

  const server = createServer((request, response) => {
    active++;
    peak = Math.max(peak, active);
    response.on("close", () => active--);
    let raw = "";
    request.on("data", (chunk: Buffer) => (raw += chunk.toString()));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://localhost");
      const respond = () => {
        if (fault && "status" in fault) return answer(response, fault.status, fault.body ?? `${fault.status} fake failure`);
        if (request.method === "GET" && (url.pathname === GET_PATH || url.pathname === `${GET_PATH}/`))
          return extension(request, response, url);
        if (request.method === "POST" && request.headers["x-amz-target"] === "AmazonSSM.GetParameters") return ssm(request, response, raw);
        answer(response, 404, "not found in the fake parameters extension");
      };
      if (fault && "delayMs" in fault) {
        const timer = setTimeout(respond, fault.delayMs);
        response.on("close", () => clearTimeout(timer));
      } else {
        respond();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    requests,
    peakConcurrency: () => peak,
    put: (name, value) => void stored.set(name, value),
    delete: (name) => void stored.delete(name),
    fail: (next) => {
      fault = next;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
