import { isAbsolute, join, relative } from "node:path";
import { Option } from "clipanion";
import { formatProblem } from "../core/workflow.ts";
import { loadConfig } from "../daemon/config.ts";
import { CliError, EXIT, ProjectCommand, paint } from "./common.ts";

/** `wfd validate`: checks every workflow file and prints every problem as file:line:col. */
export class ValidateCommand extends ProjectCommand {
  static override paths = [["validate"]];
  static override usage = ProjectCommand.Usage({
    description: "Check every workflow file and print every problem as file:line:col: message",
    details: "Exits 0 when all files are valid, 1 when any problem was found.",
    examples: [
      ["Validate ./workflows", "wfd validate"],
      ["Validate another directory", "wfd validate --dir ./flows"],
    ],
  });

  json = Option.Boolean("--json", false, { description: "Print the result as JSON" });

  async run(): Promise<number> {
    const config = loadConfig(this.overrides());
    const { loadWorkflowDir } = await import("../workflows/loader.ts");
    let result: Awaited<ReturnType<typeof loadWorkflowDir>>;
    try {
      result = await loadWorkflowDir(config.workflowsDir);
    } catch (error) {
      throw new CliError((error as Error).message, EXIT.usage);
    }
    const problems = result.problems.map((problem) => ({
      ...problem,
      file: displayPath(join(config.workflowsDir, problem.file)),
    }));
    if (this.json) {
      const workflows = result.versions.map((v) => ({
        id: v.workflowId,
        file: v.definition.file,
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
}

/** A path relative to the working directory when it lies below it, so editors can jump to it. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}
