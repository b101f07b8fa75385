import { Option } from "clipanion";
import { CliError, EXIT, formatDetail, WfdCommand } from "../common.ts";

/** One invalid field of a VALIDATION_ERROR. */
interface ApiErrorDetail {
  path: (string | number)[];
  message: string;
}

interface Envelope {
  success: boolean;
  data?: unknown;
  error?: { code: string; message: string; details?: ApiErrorDetail[] };
  meta?: Record<string, unknown>;
}

/** Default of --timeout-ms: how long one request may take before the daemon counts as not answering. */
const DEFAULT_TIMEOUT_MS = 30_000;

/** An error answer of the daemon: its code, message and details, for commands that word it themselves. */
export class ApiError extends CliError {
  constructor(
    readonly code: string,
    readonly apiMessage: string,
    readonly details: ApiErrorDetail[],
  ) {
    super(`${code}: ${apiMessage}${detailsNotIn(apiMessage, details)}`, EXIT.failed);
    this.name = "ApiError";
  }
}

/** Base of the commands that talk to a running daemon over its HTTP API. */
export abstract class ClientCommand extends WfdCommand {
  url = Option.String("--url", { description: "Daemon URL (default: $WFD_URL, else http://127.0.0.1:3000)" });
  key = Option.String("--key", { description: "API key (default: $WFD_API_KEY)" });
  json = Option.Boolean("--json", false, { description: "Print the API's data as JSON" });
  timeoutMs = Option.String("--timeout-ms", String(DEFAULT_TIMEOUT_MS), {
    description: "How long to wait for each answer, in milliseconds (default: 30000)",
  });

  /**
   * Calls the API. A failed call becomes an ApiError naming the API's code and message; an answer
   * that is not wfd's envelope, no answer within --timeout-ms (plus `waitMs`, the time the daemon was
   * asked to wait) and an unreachable daemon become one-line CliErrors.
   */
  protected async api<T>(
    method: string,
    path: string,
    body?: unknown,
    waitMs = 0,
  ): Promise<{ data: T; meta: Record<string, unknown>; status: number }> {
    const base = (this.url ?? process.env.WFD_URL ?? "http://127.0.0.1:3000").replace(/\/+$/, "");
    const key = this.key ?? process.env.WFD_API_KEY;
    if (!key) throw new CliError("no API key: pass --key or set WFD_API_KEY", EXIT.usage);
    const timeoutMs = Number(this.timeoutMs);
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
      throw new CliError(
        `--timeout-ms: expected a positive whole number, got "${this.timeoutMs}"`,
        EXIT.usage,
      );
    }
    const url = `${base}/api/v1${path.replace(/\?.*/, "")}`;
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${base}/api/v1${path}`, {
        method,
        headers: { "x-api-key": key, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs + waitMs),
      });
      text = await response.text();
    } catch (error) {
      if ((error as Error).name === "TimeoutError") {
        throw new CliError(
          `${url} did not answer within ${(timeoutMs + waitMs) / 1000} s (see --timeout-ms)`,
        );
      }
      throw new CliError(`cannot reach wfd at ${base}: ${(error as Error).message}`);
    }
    const envelope = readEnvelope(text, response.ok);
    if (typeof envelope === "string") {
      throw new CliError(`${url} did not answer as a wfd daemon (HTTP ${response.status}, ${envelope})`);
    }
    if (envelope.error) {
      const { code, message, details } = envelope.error;
      throw new ApiError(code, message, details ?? []);
    }
    return { data: envelope.data as T, meta: envelope.meta ?? {}, status: response.status };
  }

  protected print(value: unknown): void {
    this.context.stdout.write(`${typeof value === "string" ? value : JSON.stringify(value, null, 2)}\n`);
  }
}

/**
 * The daemon's envelope: `{success: true, data}` on a 2xx, `{success: false, error: {code,
 * message}}` otherwise. Anything else (a proxy's HTML page, another service's JSON) is not wfd, and
 * the answer is what was wrong with it.
 */
function readEnvelope(text: string, ok: boolean): Envelope | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text.trim() === "" ? "empty body" : "not JSON";
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "not a wfd answer";
  const envelope = value as Envelope;
  if (ok && envelope.success === true && typeof envelope.data === "object" && envelope.data !== null) {
    return envelope;
  }
  const error = envelope.error as Partial<NonNullable<Envelope["error"]>> | undefined;
  const valid =
    !ok &&
    envelope.success === false &&
    typeof error?.code === "string" &&
    typeof error.message === "string" &&
    (error.details === undefined || (Array.isArray(error.details) && error.details.every(isDetail)));
  return valid ? envelope : "not a wfd answer";
}

function isDetail(detail: unknown): detail is ApiErrorDetail {
  const { path, message } = (detail ?? {}) as Partial<ApiErrorDetail>;
  return Array.isArray(path) && typeof message === "string";
}

/** The details the message does not already say, as ` (a: …; b: …)`; the daemon often repeats the first. */
function detailsNotIn(message: string, details: ApiErrorDetail[]): string {
  const extra = details.filter((detail) => !message.includes(detail.message)).map((d) => formatDetail(d));
  return extra.length ? ` (${extra.join("; ")})` : "";
}
