import { Option } from "clipanion";
import type { Workflow } from "../core/workflow.ts";
import { loadConfig } from "../daemon/config.ts";
import { CliError, EXIT, ProjectCommand, paint } from "./common.ts";

/** One schedule trigger as `wfd schedules` shows it. */
export interface ScheduleRow {
  workflowId: string;
  status: Workflow["status"];
  triggerIndex: number;
  cron: string;
  timezone: string;
  /** ISO UTC; null when the workflow is not active or the cron never fires again. */
  nextRunAt: string | null;
}

/** `wfd schedules`: every schedule trigger of the workflows directory and when it fires next. */
export class SchedulesCommand extends ProjectCommand {
  static override paths = [["schedules"]];
  static override usage = ProjectCommand.Usage({
    description: "List the schedule triggers of the workflows and their next fire time",
    details: `
      Reads the workflows directory (not a running daemon). Only active workflows fire; the next time
      of a draft or disabled workflow is shown as its status. Times are UTC, with the local time in
      the schedule's time zone.
    `,
    examples: [
      ["List the schedules of ./workflows", "wfd schedules"],
      ["As JSON", "wfd schedules --json"],
    ],
  });

  json = Option.Boolean("--json", false, { description: "Print the schedules as JSON" });

  async run(): Promise<number> {
    const config = loadConfig(this.overrides());
    const { loadWorkflowDir } = await import("../workflows/loader.ts");
    const { nextRunTimes } = await import("../scheduler/planner.ts");
    let result: Awaited<ReturnType<typeof loadWorkflowDir>>;
    try {
      result = await loadWorkflowDir(config.workflowsDir);
    } catch (error) {
      throw new CliError((error as Error).message, EXIT.usage);
    }
    const now = Date.now();
    const rows = result.versions
      .flatMap(({ definition }) =>
        nextRunTimes(definition, now).map((time) => ({
          workflowId: definition.id,
          status: definition.status,
          ...time,
        })),
      )
      .sort((a, b) => a.workflowId.localeCompare(b.workflowId) || a.triggerIndex - b.triggerIndex);
    if (this.json) {
      this.context.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    } else {
      this.context.stdout.write(
        rows.length ? formatScheduleTable(rows) : `no schedules in ${config.workflowsDir}\n`,
      );
    }
    if (result.problems.length) {
      const note = `${result.problems.length} problem(s) in workflow files; invalid files are not listed (see wfd validate)`;
      this.context.stderr.write(`${paint(process.stderr).yellow("warning:")} ${note}\n`);
    }
    return EXIT.ok;
  }
}

/** The rows as an aligned text table with a header line. */
export function formatScheduleTable(rows: readonly ScheduleRow[]): string {
  const header = ["WORKFLOW", "CRON", "TIMEZONE", "NEXT RUN (UTC)", "LOCAL TIME"];
  const cells = rows.map((row) => [
    row.workflowId,
    row.cron,
    row.timezone,
    row.nextRunAt ?? (row.status === "active" ? "never" : `- (${row.status})`),
    row.nextRunAt ? localTime(row.nextRunAt, row.timezone) : "",
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((c) => c[column]?.length ?? 0)),
  );
  const line = (values: string[]) =>
    values
      .map((value, column) => value.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd();
  return `${[header, ...cells].map(line).join("\n")}\n`;
}

/** `2026-03-30 09:00:00` in the given zone. */
function localTime(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat("sv-SE", { timeZone, dateStyle: "short", timeStyle: "medium" }).format(
    new Date(iso),
  );
}
