import { Option } from "clipanion";
import { CliError, EXIT, WfdCommand } from "../common.ts";

interface Envelope {
  success: boolean;
  data?: unknown;
  error?: { code: string; message: string; details?: { path: (string | number)[]; message: string }[] };
  meta?: Record<string, unknown>;
}

/** Base of the commands that talk to a running daemon over its HTTP API. */
export abstract class ClientCommand extends WfdCommand {
  url = Option.String("--url", { description: "Daemon URL (default: $WFD_URL, else http://127.0.0.1:3000)" });
  key = Option.String("--key", { description: "API key (default: $WFD_API_KEY)" });
  json = Option.Boolean("--json", false, { description: "Print the API's data as JSON" });

  /** Calls the API; a failed call becomes a one-line CliError naming the API's code and message. */
  protected async api<T>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ data: T; meta: Record<string, unknown>; status: number }> {
    const base = (this.url ?? process.env.WFD_URL ?? "http://127.0.0.1:3000").replace(/\/+$/, "");
    const key = this.key ?? process.env.WFD_API_KEY;
    if (!key) throw new CliError("no API key: pass --key or set WFD_API_KEY", EXIT.usage);
    let response: Response;
    try {
      response = await fetch(`${base}/api/v1${path}`, {
        method,
        headers: { "x-api-key": key, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new CliError(`cannot reach wfd at ${base}: ${(error as Error).message}`);
    }
    const envelope = (await response.json().catch(() => ({ success: false }))) as Envelope;
    if (!response.ok || !envelope.success) {
      const error = envelope.error ?? { code: `HTTP_${response.status}`, message: response.statusText };
      const detail = error.details?.[0];
      const where = detail ? ` (${detail.path.join(".") || "body"}: ${detail.message})` : "";
      throw new CliError(`${error.code}: ${error.message}${where}`);
    }
    return { data: envelope.data as T, meta: envelope.meta ?? {}, status: response.status };
  }

  protected print(value: unknown): void {
    this.context.stdout.write(`${typeof value === "string" ? value : JSON.stringify(value, null, 2)}\n`);
  }
}
