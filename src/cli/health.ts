import { Option } from "clipanion";
import { CliError, EXIT, WfdCommand } from "./common.ts";

/** `wfd health`: exits 0 when a daemon answers its health check; the Docker HEALTHCHECK uses it. */
export class HealthCommand extends WfdCommand {
  static override paths = [["health"]];
  static override usage = WfdCommand.Usage({
    description: "Check that a daemon answers GET /healthz (exit 0 healthy, 1 not)",
    examples: [["Check the local daemon", "wfd health --url http://127.0.0.1:3000/healthz"]],
  });

  url = Option.String("--url", "http://127.0.0.1:3000/healthz", { description: "Health URL to check" });
  timeout = Option.String("--timeout-ms", "3000", { description: "How long to wait for the answer" });

  async run(): Promise<number> {
    const timeoutMs = Number(this.timeout);
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
      throw new CliError(`--timeout-ms: expected a positive whole number, got "${this.timeout}"`, EXIT.usage);
    }
    let response: Response;
    try {
      response = await fetch(this.url, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new CliError(`${this.url}: ${(error as Error).message}`);
    }
    if (!response.ok) throw new CliError(`${this.url}: HTTP ${response.status}`);
    this.context.stdout.write("ok\n");
    return EXIT.ok;
  }
}
