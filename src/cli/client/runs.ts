import { Option } from "clipanion";
import type { Run } from "../../core/run.ts";
import { EXIT } from "../common.ts";
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
    const query = new URLSearchParams({ limit: this.limit });
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
