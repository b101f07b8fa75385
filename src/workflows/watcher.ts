import type { Stats } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { type FSWatcher, watch } from "chokidar";
import { type Logger, silentLogger } from "../lib/logger.ts";
import { isSkippedName, isWorkflowPath, listWorkflowFiles } from "./files.ts";
import type { WorkflowRegistry } from "./registry.ts";

export interface WatcherOptions {
  registry: WorkflowRegistry;
  dir: string;
  logger?: Logger;
  /** Quiet time per file before it is re-read; default 50 ms. */
  debounceMs?: number;
}

/**
 * Keeps a WorkflowRegistry in step with the workflows directory. Every event on a file (add, change,
 * unlink) only marks the file dirty; after `debounceMs` of quiet the registry re-reads it and acts on
 * what is there then. So editors' atomic saves (temp file renamed over, or delete and re-create)
 * become one refresh of the final content, and `awaitWriteFinish` (2 s of latency) is not needed.
 * Refreshes run one at a time in event order; a failing refresh is logged and the watcher goes on.
 */
export class WorkflowWatcher {
  private readonly registry: WorkflowRegistry;
  private readonly dir: string;
  private readonly logger: Logger;
  private readonly debounceMs: number;
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private watcher: FSWatcher | null = null;
  private queue: Promise<void> = Promise.resolve();

  constructor(options: WatcherOptions) {
    this.registry = options.registry;
    this.dir = resolve(options.dir);
    this.logger = options.logger ?? silentLogger;
    this.debounceMs = options.debounceMs ?? 50;
  }

  /** Starts watching; resolves once chokidar has finished its initial scan. */
  async start(): Promise<void> {
    if (this.watcher) return;
    const watcher = watch(this.dir, {
      ignoreInitial: true,
      ignored: (path: string, stats?: Stats) => this.ignores(path, stats),
    });
    this.watcher = watcher;
    watcher
      .on("add", (path) => this.markDirty(path))
      .on("change", (path) => this.markDirty(path))
      .on("unlink", (path) => this.markDirty(path))
      .on("addDir", (path) => void this.folderAppeared(path))
      .on("unlinkDir", (path) => this.folderVanished(path))
      .on("error", (error) => this.logger.error("workflow watcher error", { error: describe(error) }));
    await new Promise<void>((ready) => watcher.once("ready", ready));
    this.logger.info("watching workflows", { dir: this.dir });
  }

  /** Stops watching and releases chokidar; waits for a refresh already running, drops pending ones. */
  async stop(): Promise<void> {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    const watcher = this.watcher;
    this.watcher = null;
    await watcher?.close();
    await this.queue;
  }

  private toRelative(path: string): string {
    return relative(this.dir, resolve(this.dir, path)).split(sep).join("/");
  }

  /** chokidar calls this without stats first, then with them, so only files are filtered by extension. */
  private ignores(path: string, stats?: Stats): boolean {
    const file = this.toRelative(path);
    if (file === "" || file.startsWith("../")) return false;
    return stats?.isFile() ? !isWorkflowPath(file) : file.split("/").some(isSkippedName);
  }

  private markDirty(path: string): void {
    const file = this.toRelative(path);
    if (!this.watcher || !isWorkflowPath(file)) return;
    clearTimeout(this.timers.get(file));
    const timer = setTimeout(() => {
      this.timers.delete(file);
      this.enqueue(file);
    }, this.debounceMs);
    this.timers.set(file, timer);
  }

  private enqueue(file: string): void {
    this.queue = this.queue
      .then(() => this.registry.refreshFile(file))
      .catch((error) => this.logger.error("workflow reload failed", { file, error: describe(error) }));
  }

  /** A folder created or moved in: chokidar reports its files too, but a moved-in tree is rescanned to be sure. */
  private async folderAppeared(path: string): Promise<void> {
    try {
      const files = await listWorkflowFiles(path);
      for (const file of files) this.markDirty(join(path, file));
    } catch (error) {
      this.logger.warn("cannot scan new workflow folder", { dir: path, error: describe(error) });
    }
  }

  /** A folder deleted or moved out: every file the registry knows under it is re-checked (and found gone). */
  private folderVanished(path: string): void {
    const prefix = `${this.toRelative(path)}/`;
    const known = [
      ...this.registry.list().map((entry) => entry.file),
      ...this.registry.orphanProblems().map((problem) => problem.file),
    ];
    for (const file of new Set(known)) {
      if (file.startsWith(prefix)) this.markDirty(join(this.dir, file));
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
