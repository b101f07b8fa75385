import { isAbsolute, join, relative } from "node:path";
import { Option } from "clipanion";
import { formatProblem, type WorkflowProblem } from "../core/workflow.ts";
import { type Config, ConfigError, loadConfig } from "../daemon/config.ts";
import { EXIT, ProjectCommand, paint, readWorkflowsDir } from "./common.ts";

/** `wfd validate`: checks every workflow file and prints every problem as file:line:col. */
export class ValidateCommand extends ProjectCommand {
  static override paths = [["validate"]];
  static override usage = ProjectCommand.Usage({
    description: "Check every workflow file and print every problem as file:line:col: message",
    details:
      "Checks wfd.yaml first. Exits 0 when all files are valid, 1 when any problem was found (in wfd.yaml too), 2 when a file or directory cannot be read.",
    examples: [
      ["Validate ./workflows", "wfd validate"],
      ["Validate another directory", "wfd validate --dir ./flows"],
    ],
  });

  json = Option.Boolean("--json", false, { description: "Print the result as JSON" });

  async run(): Promise<number> {
    let config: Config;
    try {
      config = loadConfig(this.overrides());
    } catch (error) {
      // A config file that cannot be read stays bad usage (exit 2), like a missing --dir; one that
      // reads but has problems is what validate is for: it reports them like a workflow's (exit 1).
      if (!(error instanceof ConfigError) || !error.located.length) throw error;
      return this.reportConfig(error.located);
    }
    const result = await readWorkflowsDir(config.workflowsDir);
    const problems = result.problems.map((problem) => ({
      ...problem,
      file: displayPath(join(config.workflowsDir, problem.file)),
    }));
    if (this.json) {
      const workflows = result.versions.map((v) => ({
        id: v.workflowId,
        // The same base as problems[].file, so both can be matched and opened alike.
        file: displayPath(join(config.workflowsDir, v.definition.file)),
        versionId: v.versionId,
      }));
      this.context.stdout.write(
        `${JSON.stringify({ valid: problems.length === 0, workflows, problems }, null, 2)}\n`,
      );
      return problems.length ? EXIT.failed : EXIT.ok;
    }
    const colour = paint(process.stdout);
    for (const problem of problems) this.context.stdout.write(`${formatProblem(problem)}\n`);
    const summary = `${result.versions.length} valid workflow(s), ${problems.length} problem(s) in ${result.files} file(s)`;
    this.context.stdout.write(`${problems.length ? colour.red(summary) : colour.green(summary)}\n`);
    return problems.length ? EXIT.failed : EXIT.ok;
  }

  /** Prints the config file's problems; its workflows are checked once it is fixed. */
  private reportConfig(located: WorkflowProblem[]): number {
    const problems = located.map((problem) => ({ ...problem, file: displayPath(problem.file) }));
    if (this.json) {
      this.context.stdout.write(`${JSON.stringify({ valid: false, workflows: [], problems }, null, 2)}\n`);
      return EXIT.failed;
    }
    for (const problem of problems) this.context.stdout.write(`${formatProblem(problem)}\n`);
    const summary = `${problems.length} problem(s) in ${problems[0]?.file}; workflows are checked once it is fixed`;
    this.context.stdout.write(`${paint(process.stdout).red(summary)}\n`);
    return EXIT.failed;
  }
}

/** A path relative to the working directory when it lies below it, so editors can jump to it. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}
