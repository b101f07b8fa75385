import { Option } from "clipanion";
import type { Run } from "../../core/run.ts";
import { EXIT } from "../common.ts";
import { readInputFile } from "../input.ts";
import { ClientCommand } from "./http.ts";

/** `wfd trigger <id>`: starts a run on a daemon; with --wait, waits for its end (up to 60 s). */
export class TriggerCommand extends ClientCommand {
  static override paths = [["trigger"]];
  static override usage = ClientCommand.Usage({
    description: "Start a run of a workflow on a running daemon",
    details: "Exit codes: 0 accepted (or completed with --wait), 1 failed or error, 2 usage.",
    examples: [["Trigger and wait", "wfd trigger order-created --input order.json --wait"]],
  });

  workflowId = Option.String({ name: "id" });
  input = Option.String("--input", { description: "JSON input file, or - for standard input" });
  wait = Option.Boolean("--wait", false, { description: "Wait up to 60 s for the run to finish" });
  idempotencyKey = Option.String("--idempotency-key", { description: "Idempotency key of the request" });

  async run(): Promise<number> {
    const input = await readInputFile(this.input, this.context.stdin);
    const { data } = await this.api<Run & { runId?: string }>(
      "POST",
      `/workflows/${encodeURIComponent(this.workflowId)}/run`,
      {
        input,
        ...(this.wait ? { wait: 60 } : {}),
        ...(this.idempotencyKey ? { idempotencyKey: this.idempotencyKey } : {}),
      },
    );
    if (this.json) this.print(data);
    else this.print(`${data.id} ${data.status}`);
    if (!this.wait || data.status === "completed") return EXIT.ok;
    if (!this.json && data.error) this.print(`${data.error.code}: ${data.error.message}`);
    return data.status === "pending" || data.status === "running" ? EXIT.ok : EXIT.failed;
  }
}
