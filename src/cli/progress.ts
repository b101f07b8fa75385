import type { RunObserver } from "../core/engine.ts";
import type { StepRecord } from "../core/run.ts";
import { formatDuration } from "../lib/duration.ts";
import { paint } from "./common.ts";

const STATUS_MARK: Record<string, string> = {
  completed: "✓",
  failed: "✗",
  skipped: "-",
  cancelled: "■",
};

/**
 * Prints each step as it starts and ends, with its duration, for people watching a terminal.
 * Shell output lines are shown indented under their step.
 */
export function createProgressPrinter(out: NodeJS.WriteStream): Pick<RunObserver, "log"> & {
  started(step: StepRecord): void;
  finished(step: StepRecord): void;
} {
  const colour = paint(out);
  const write = (line: string) => out.write(`${line}\n`);
  return {
    started(step) {
      const attempt = step.attempts > 1 ? colour.dim(` (attempt ${step.attempts})`) : "";
      write(`${colour.dim("→")} ${step.id} ${colour.dim(`[${step.type}]`)}${attempt}`);
    },
    finished(step) {
      const took =
        step.startedAt && step.completedAt
          ? colour.dim(` ${formatDuration(Date.parse(step.completedAt) - Date.parse(step.startedAt))}`)
          : "";
      const mark = STATUS_MARK[step.status] ?? "?";
      const painted =
        step.status === "completed"
          ? colour.green(mark)
          : step.status === "failed"
            ? colour.red(mark)
            : colour.yellow(mark);
      const error = step.error ? ` ${colour.red(step.error.message)}` : "";
      write(`${painted} ${step.id} ${step.status}${took}${error}`);
    },
    log(line) {
      if (line.stream === "system") write(colour.dim(`  ${line.line}`));
      else write(`  ${colour.dim("│")} ${line.line}`);
    },
  };
}
