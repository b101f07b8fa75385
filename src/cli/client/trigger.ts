import { Option } from "clipanion";
import type { Run } from "../../core/run.ts";
import { CliError, EXIT, formatDetail } from "../common.ts";
import { readInputFile } from "../input.ts";
import { ApiError, ClientCommand } from "./http.ts";

/** How long --wait asks the daemon to wait for the run to finish, in seconds. */
const WAIT_SECONDS = 60;

/** `wfd trigger <id>`: starts a run on a daemon; with --wait, waits for its end (up to 60 s). */
export class TriggerCommand extends ClientCommand {
  static override paths = [["trigger"]];
  static override usage = ClientCommand.Usage({
    description: "Start a run of a workflow on a running daemon",
    details: "Exit codes: 0 accepted (or completed with --wait), 1 failed or error, 2 bad input or usage.",
    examples: [["Trigger and wait", "wfd trigger order-created --input order.json --wait"]],
  });

  workflowId = Option.String({ name: "id" });
  input = Option.String("--input", { description: "JSON input file, or - for standard input" });
  wait = Option.Boolean("--wait", false, { description: "Wait up to 60 s for the run to finish" });
  idempotencyKey = Option.String("--idempotency-key", { description: "Idempotency key of the request" });

  async run(): Promise<number> {
    const input = await readInputFile(this.input, this.context.stdin);
    const data = await this.start(input);
    if (this.json) this.print(data);
    else this.print(`${data.id} ${data.status}`);
    if (!this.wait || data.status === "completed") return EXIT.ok;
    if (!this.json && data.error) this.print(`${data.error.code}: ${data.error.message}`);
    return data.status === "pending" || data.status === "running" ? EXIT.ok : EXIT.failed;
  }

  /** Starts the run; input the workflow refuses is bad input, printed like `wfd run` prints it. */
  private async start(input: unknown): Promise<Run> {
    try {
      const { data } = await this.api<Run>(
        "POST",
        `/workflows/${encodeURIComponent(this.workflowId)}/run`,
        {
          input,
          ...(this.wait ? { wait: WAIT_SECONDS } : {}),
          ...(this.idempotencyKey ? { idempotencyKey: this.idempotencyKey } : {}),
        },
        this.wait ? WAIT_SECONDS * 1000 : 0,
      );
      return data;
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== "VALIDATION_ERROR") throw error;
      // The body is built here from --input and --idempotency-key, so a refused one is the user's input.
      // Only inputSchema problems have paths inside the input; the others name a field of the body.
      if (!/inputSchema/.test(error.apiMessage)) throw new CliError(error.message, EXIT.usage);
      for (const detail of error.details) this.context.stderr.write(`${formatDetail(detail, "input")}\n`);
      throw new CliError("the input does not match the workflow's inputSchema", EXIT.usage);
    }
  }
}
