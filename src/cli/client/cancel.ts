import { Option } from "clipanion";
import { EXIT } from "../common.ts";
import { ClientCommand } from "./http.ts";

/** `wfd cancel <runId>`: cancels a pending or running run. */
export class CancelCommand extends ClientCommand {
  static override paths = [["cancel"]];
  static override usage = ClientCommand.Usage({
    description: "Cancel a pending or running run",
    examples: [["Cancel", "wfd cancel run_01J..."]],
  });

  runId = Option.String({ name: "runId" });

  async run(): Promise<number> {
    const { data } = await this.api<{ id: string; status: string }>(
      "POST",
      `/runs/${encodeURIComponent(this.runId)}/cancel`,
    );
    this.print(this.json ? data : `${data.id} ${data.status}`);
    return EXIT.ok;
  }
}
