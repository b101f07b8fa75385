import { Option } from "clipanion";
import { WfdError } from "../core/errors.ts";
import type { Run } from "../core/run.ts";
import { formatProblem } from "../core/workflow.ts";
import { loadConfig } from "../daemon/config.ts";
import { formatDuration } from "../lib/duration.ts";
import { createLogger } from "../lib/logger.ts";
import type { RunService } from "../runs/service.ts";
import { CliError, EXIT, ProjectCommand, paint } from "./common.ts";
import { applySets, readInputFile } from "./input.ts";
import { createProgressPrinter } from "./progress.ts";

const EXIT_BY_STATUS: Record<string, number> = {
  completed: EXIT.ok,
  failed: EXIT.failed,
  cancelled: EXIT.cancelled,
};

/** `wfd run <id>`: runs one workflow in this process and records it in the store (trigger `cli`). */
export class RunCommand extends ProjectCommand {
  static override paths = [["run"]];
  static override usage = ProjectCommand.Usage({
    description: "Run a workflow locally, in this process",
    details: `
      The run is recorded in the data directory like any other (trigger "cli"). Drafts can be run.
      Exit codes: 0 completed, 1 failed, 2 bad input or usage, 130 cancelled (Ctrl-C).
    `,
    examples: [
      ["Run with an input file", "wfd run order-created --input order.json"],
      ["Read the input from stdin", "cat order.json | wfd run order-created --input -"],
      ["Set fields on the command line", "wfd run health-check --set url=https://example.com --json"],
    ],
  });

  workflowId = Option.String({ name: "id" });
  input = Option.String("--input", { description: "JSON input file, or - for standard input" });
  sets = Option.Array("--set", [], {
    description: "key=value set on the input (dotted keys nest; JSON values typed)",
  });
  json = Option.Boolean("--json", false, { description: "Print only the run object as JSON" });

  async run(): Promise<number> {
    const config = loadConfig(this.overrides());
    const input = applySets(await readInputFile(this.input, this.context.stdin), this.sets);
    const { openServices } = await import("../daemon/services.ts");
    const services = openServices(config, { logger: createLogger({ level: "error", write: () => {} }) });
    try {
      const { problems } = await services.registry.loadAll();
      const version = services.registry.get(this.workflowId);
      if (!version) {
        const related = problems.filter((p) => p.file.replace(/\.ya?ml$/, "").endsWith(this.workflowId));
        for (const problem of related) this.context.stderr.write(`${formatProblem(problem)}\n`);
        throw new CliError(`workflow "${this.workflowId}" not found in ${config.workflowsDir}`, EXIT.usage);
      }
      for (const problem of version.errors) this.context.stderr.write(`warning: ${formatProblem(problem)}\n`);
      const run = await this.createRun(services.runs, input);
      const finished = await this.executeRun(services.runs, run);
      this.report(finished);
      return EXIT_BY_STATUS[finished.status] ?? EXIT.failed;
    } finally {
      await services.email.close();
      await services.store.close();
    }
  }

  private async createRun(runs: RunService, input: unknown): Promise<Run> {
    try {
      const { run } = await runs.create({
        workflowId: this.workflowId,
        input,
        trigger: { type: "cli" },
        allowInactive: true,
      });
      if (!run) throw new CliError("the run was not created");
      return run;
    } catch (error) {
      if (error instanceof WfdError && error.code === "VALIDATION_ERROR") {
        for (const detail of error.details ?? []) {
          this.context.stderr.write(
            `input${detail.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("")}: ${detail.message}\n`,
          );
        }
        throw new CliError("the input does not match the workflow's inputSchema", EXIT.usage);
      }
      throw error;
    }
  }

  private async executeRun(runs: RunService, run: Run): Promise<Run> {
    const controller = new AbortController();
    const onInterrupt = () => {
      if (controller.signal.aborted) process.exit(EXIT.cancelled);
      this.context.stderr.write("\ncancelling (Ctrl-C again to quit at once)\n");
      controller.abort();
    };
    process.on("SIGINT", onInterrupt);
    const showProgress = !this.json && Boolean(process.stderr.isTTY);
    const printer = createProgressPrinter(process.stderr);
    const observer = showProgress
      ? {
          stepStarted: async (step: Run["steps"][number]) => printer.started(step),
          stepFinished: async (step: Run["steps"][number]) => printer.finished(step),
          log: printer.log,
        }
      : {};
    try {
      return await runs.runInline(run.id, observer, controller.signal);
    } finally {
      process.off("SIGINT", onInterrupt);
    }
  }

  private report(run: Run): void {
    if (this.json) {
      this.context.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
      return;
    }
    const colour = paint(process.stdout);
    const took = run.durationMs !== null ? ` in ${formatDuration(run.durationMs)}` : "";
    const status = run.status === "completed" ? colour.green(run.status) : colour.red(run.status);
    this.context.stdout.write(`${colour.bold(run.id)} ${status}${took}\n`);
    if (run.error) this.context.stdout.write(`${colour.red(`${run.error.code}:`)} ${run.error.message}\n`);
    if (run.output !== null && run.output !== undefined) {
      this.context.stdout.write(`${JSON.stringify(run.output, null, 2)}\n`);
    }
  }
}
