import { appendFileSync, lstatSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { Option } from "clipanion";
import { CliError, EXIT, paint, WfdCommand } from "./common.ts";
import { displayPath } from "./display-path.ts";
import { CONFIG_FILE, DATA_DIR_IGNORE, HELLO_WORKFLOW } from "./init-files.ts";

/** One change `wfd init` makes, planned before anything is written. */
interface Change {
  path: string;
  /** `create` writes a new file; `append` adds to an existing .gitignore. */
  kind: "create" | "append";
  text: string;
  what: string;
}

/** `wfd init [DIR]`: a commented wfd.yaml and a first workflow, never overwriting anything. */
export class InitCommand extends WfdCommand {
  static override paths = [["init"]];
  static override usage = WfdCommand.Usage({
    description: "Create a wfd.yaml and a first workflow (workflows/hello.yaml)",
    details: `
      DIR (default: the current directory) is created if needed. wfd.yaml spells out every
      default and holds no secrets or keys; the data directory .wfd/ is added to .gitignore.
      Nothing is ever overwritten: when wfd.yaml or workflows/hello.yaml exists, it exits 2 and
      writes nothing.
    `,
    examples: [
      ["Here", "wfd init"],
      ["In a new directory", "wfd init my-workflows"],
    ],
  });

  dir = Option.String({ name: "dir", required: false });

  async run(): Promise<number> {
    const root = resolve(process.cwd(), this.dir ?? ".");
    const workflows = join(root, "workflows");
    for (const dir of [root, workflows]) {
      const stats = statSync(dir, { throwIfNoEntry: false });
      if (stats && !stats.isDirectory()) {
        throw new CliError(`${displayPath(dir)} exists and is not a directory`, EXIT.usage);
      }
    }
    const changes: Change[] = [
      {
        path: join(root, "wfd.yaml"),
        kind: "create",
        text: CONFIG_FILE,
        what: "configuration, every default spelled out",
      },
      { path: join(workflows, "hello.yaml"), kind: "create", text: HELLO_WORKFLOW, what: "a first workflow" },
    ];
    for (const { path } of changes) {
      if (exists(path)) {
        throw new CliError(
          `${displayPath(path)} already exists; wfd init never overwrites, nothing was written`,
          EXIT.usage,
        );
      }
    }
    // Last: an append is not undone, so nothing may fail after it.
    const ignore = gitignoreChange(join(root, ".gitignore"));
    if (ignore) changes.push(ignore);
    applyAll(changes, [root, workflows]);
    this.context.stdout.write(nextSteps(root, changes, paint(process.stdout)));
    return EXIT.ok;
  }
}

/** Whether anything, even a dangling link, is at the path: such a name is taken as well. */
function exists(path: string): boolean {
  return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
}

/**
 * Keeps the data directory (a database that changes on every run) out of git: a new .gitignore,
 * one line appended to an existing one, or nothing when it already ignores it.
 */
function gitignoreChange(path: string): Change | null {
  const entry = `# wfd's data directory: runs, logs and the generated API key's hash\n${DATA_DIR_IGNORE}\n`;
  if (!exists(path)) return { path, kind: "create", text: entry, what: `ignores ${DATA_DIR_IGNORE}` };
  const current = readFileSync(path, "utf8");
  const name = DATA_DIR_IGNORE.replace(/\/$/, "");
  const ignored = current
    .split(/\r?\n/)
    .some((line) => new Set([name, `${name}/`, `/${name}`, `/${name}/`]).has(line.trim()));
  if (ignored) return null;
  const separator = current === "" || current.endsWith("\n") ? "" : "\n";
  return { path, kind: "append", text: `${separator}${entry}`, what: `now ignores ${DATA_DIR_IGNORE}` };
}

/**
 * Makes every change or none: files are created exclusively (`wx`, so a file that appeared since
 * the check is not overwritten) and, when one step fails, what was created is removed again.
 */
function applyAll(changes: Change[], dirs: string[]): void {
  const undo: (() => void)[] = [];
  let current = "";
  try {
    for (const dir of dirs) {
      current = dir;
      // The first directory mkdir made (parents included); removing it removes the rest.
      const made = mkdirSync(dir, { recursive: true });
      if (made) undo.push(() => rmSync(made, { recursive: true, force: true }));
    }
    for (const change of changes) {
      current = change.path;
      if (change.kind === "append") {
        appendFileSync(change.path, change.text);
      } else {
        writeFileSync(change.path, change.text, { flag: "wx" });
        undo.push(() => rmSync(change.path, { force: true }));
      }
    }
  } catch (error) {
    for (const step of undo.reverse()) step();
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new CliError(`cannot write ${displayPath(current)} (${reason}); nothing was written`, EXIT.failed);
  }
}

function nextSteps(root: string, changes: Change[], colour: ReturnType<typeof paint>): string {
  const rel = (path: string) => relative(root, path);
  const width = Math.max(...changes.map((change) => rel(change.path).length));
  const lines = [`Created a wfd project in ${displayPath(root)}:`];
  for (const change of changes) lines.push(`  ${rel(change.path).padEnd(width)}  ${change.what}`);
  lines.push("", colour.bold("Next steps:"));
  if (root !== process.cwd()) lines.push(`  cd ${shellWord(displayPath(root))}`);
  lines.push(
    "  wfd validate                 check every workflow file",
    "  wfd run hello                run hello here, in this process",
    "  wfd serve                    start the daemon (it prints an API key at its first start)",
    "  wfd code hello --lang curl   a program that runs hello over the daemon's HTTP API",
    "",
  );
  return lines.join("\n");
}

/** The path as the shell reads it back: quoted only when it holds something special. */
function shellWord(path: string): string {
  return /^[\w./-]+$/.test(path) ? path : `'${path.replaceAll("'", `'\\''`)}'`;
}
