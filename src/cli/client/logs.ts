import { Option } from "clipanion";
import type { LogLine, Run } from "../../core/run.ts";
import { FINISHED_RUN_STATUSES } from "../../core/run.ts";
import { EXIT } from "../common.ts";
import { ClientCommand } from "./http.ts";

const POLL_MS = 1000;

/** `wfd logs <runId>`: a run's log lines; --follow keeps printing until the run finishes. */
export class LogsCommand extends ClientCommand {
  static override paths = [["logs"]];
  static override usage = ClientCommand.Usage({
    description: "Print a run's log lines",
    examples: [["Follow a run", "wfd logs run_01J... --follow"]],
  });

  runId = Option.String({ name: "runId" });
  follow = Option.Boolean("--follow,-f", false, { description: "Keep printing until the run finishes" });

  async run(): Promise<number> {
    const id = encodeURIComponent(this.runId);
    let after = 0;
    for (;;) {
      // Read the status first: lines written before a run finishes are all there once it has.
      const finished = this.follow ? await this.isFinished(id) : true;
      after = await this.printFrom(id, after);
      if (finished) return EXIT.ok;
      await Bun.sleep(POLL_MS);
    }
  }

  private async isFinished(id: string): Promise<boolean> {
    const { data } = await this.api<Run>("GET", `/runs/${id}`);
    return FINISHED_RUN_STATUSES.includes(data.status);
  }

  /** Prints every line after the cursor; returns the new cursor. */
  private async printFrom(id: string, after: number): Promise<number> {
    let cursor = after;
    for (;;) {
      const { data, meta } = await this.api<LogLine[]>("GET", `/runs/${id}/logs?after=${cursor}`);
      for (const line of data) {
        if (this.json) this.print(JSON.stringify(line));
        else
          this.print(`${line.ts} ${line.stepId ?? "-"} ${line.stream === "stderr" ? "!" : " "} ${line.line}`);
      }
      cursor = Number(meta.nextCursor ?? cursor);
      if (!meta.hasMore) return cursor;
    }
  }
}
