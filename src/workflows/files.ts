import type { Dirent } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";

/*
 * Which files of the workflows directory are workflows, and how to read many of them. Shared by
 * the loader (`wfd validate`, `wfd run`), the registry and the watcher, so that every entry point
 * sees the same set of files.
 */

const WORKFLOW_EXTENSION = /\.ya?ml$/i;

/** True for a path segment that is never a workflow: dot-files and dot-folders, node_modules, `~` backups. */
export function isSkippedName(name: string): boolean {
  return name.startsWith(".") || name === "node_modules" || name.endsWith("~");
}

/** True when a path relative to the workflows dir (with `/`) is a workflow file. */
export function isWorkflowPath(file: string): boolean {
  const segments = file.split("/");
  return !segments.some(isSkippedName) && WORKFLOW_EXTENSION.test(file);
}

/**
 * Every workflow file under `dir` as sorted relative paths with `/`. Symlinked folders are not
 * followed, so a link cannot make the walk loop; symlinked files are listed. Throws a one-line
 * error naming `dir` when it cannot be read.
 */
export async function listWorkflowFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (folder: string, prefix: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      // A subfolder deleted while we walk (a git checkout in progress) simply has no files.
      if (prefix && isGone(error)) return;
      // ENOTDIR counts as gone for a subfolder, but the directory itself being a file is not "missing".
      const code = (error as NodeJS.ErrnoException).code;
      const problem =
        code === "ENOTDIR"
          ? "is not a directory"
          : isGone(error)
            ? "does not exist"
            : `cannot be read: ${readErrorReason(error)}`;
      throw new Error(`workflows directory ${folder} ${problem}`);
    }
    for (const entry of entries) {
      const path = prefix + entry.name;
      if (isSkippedName(entry.name)) continue;
      if (entry.isDirectory()) await walk(join(folder, entry.name), `${path}/`);
      else if (isWorkflowPath(path)) found.push(path);
    }
  };
  await walk(dir, "");
  return found.sort();
}

/** Maps items with at most `limit` promises in flight; results keep the order of `items`. */
export async function mapConcurrently<T, R>(
  items: T[],
  limit: number,
  map: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** True for the errors of a path that is not there (anymore). */
export function isGone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR";
}

const READ_ERRORS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "permission denied",
  ENOENT: "file not found (a broken symlink?)",
  EISDIR: "it is a directory",
  ELOOP: "too many levels of symbolic links",
};

/** A short human reason for a file-system error. */
export function readErrorReason(error: unknown): string {
  const reason = READ_ERRORS[(error as NodeJS.ErrnoException).code ?? ""];
  return reason ?? (error instanceof Error ? error.message : String(error));
}
