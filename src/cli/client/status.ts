import { Option } from "clipanion";
import type { Run } from "../../core/run.ts";
import { EXIT } from "../common.ts";
import { ClientCommand } from "./http.ts";

/** `wfd status <runId>`: one run and its steps. Exit 1 when the run failed or was cancelled. */
export class StatusCommand extends ClientCommand {
  static override paths = [["status"]];
  static override usage = ClientCommand.Usage({
    description: "Show a run and its steps",
    examples: [["A run", "wfd status run_01J..."]],
  });

  runId = Option.String({ name: "runId" });

  async run(): Promise<number> {
    const { data: run } = await this.api<Run>("GET", `/runs/${encodeURIComponent(this.runId)}`);
    if (this.json) this.print(run);
    else {
      this.print(`${run.id} ${run.workflowId} ${run.status}`);
      for (const step of run.steps) this.print(`  ${step.id}  ${step.status}  attempts=${step.attempts}`);
      if (run.error) this.print(`${run.error.code}: ${run.error.message}`);
    }
    return run.status === "failed" || run.status === "cancelled" ? EXIT.failed : EXIT.ok;
  }
}
