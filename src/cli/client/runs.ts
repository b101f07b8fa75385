import { Option } from "clipanion";
import { RUN_STATUSES, type Run } from "../../core/run.ts";
import { CliError, EXIT } from "../common.ts";
import { ClientCommand } from "./http.ts";

/** `wfd runs`: the newest runs on a daemon. */
export class RunsCommand extends ClientCommand {
  static override paths = [["runs"]];
  static override usage = ClientCommand.Usage({
    description: "List runs on a running daemon, newest first",
    examples: [["Failed runs of one workflow", "wfd runs --workflow order-created --status failed"]],
  });

  workflow = Option.String("--workflow", { description: "Only runs of this workflow" });
  status = Option.String("--status", { description: "pending, running, completed, failed or cancelled" });
  limit = Option.String("--limit", "20", { description: "How many (at most 100)" });

  async run(): Promise<number> {
    // Checked here rather than by the daemon, whose answer names query fields in valibot's words.
    const limit = Number(this.limit);
    if (!/^\d+$/.test(this.limit) || limit < 1 || limit > 100) {
      throw new CliError(`--limit: expected a whole number from 1 to 100, got "${this.limit}"`, EXIT.usage);
    }
    if (this.status !== undefined && !(RUN_STATUSES as readonly string[]).includes(this.status)) {
      throw new CliError(
        `--status: expected one of ${RUN_STATUSES.join(", ")}, got "${this.status}"`,
        EXIT.usage,
      );
    }
    const query = new URLSearchParams({ limit: String(limit) });
    if (this.workflow) query.set("workflowId", this.workflow);
    if (this.status) query.set("status", this.status);
    const { data } = await this.api<Run[]>("GET", `/runs?${query}`);
    if (this.json) {
      this.print(data);
      return EXIT.ok;
    }
    for (const run of data) this.print(`${run.id}  ${run.workflowId}  ${run.status}  ${run.createdAt}`);
    return EXIT.ok;
  }
}
