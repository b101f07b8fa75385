import { isAbsolute, posix, relative, resolve, sep } from "node:path";
import { isoTime } from "../core/run.ts";
import type { RunStore, StoredVersion } from "../core/store.ts";
import { formatProblem, type WorkflowProblem, type WorkflowVersion } from "../core/workflow.ts";
import { type Clock, systemClock } from "../lib/clock.ts";
import { TypedEmitter } from "../lib/emitter.ts";
import { type Logger, silentLogger } from "../lib/logger.ts";
import { type FileRead, WorkflowFileReader } from "./file-reader.ts";
import { listWorkflowFiles, mapConcurrently } from "./files.ts";
import { type ParseResult, VALIDATOR } from "./parse.ts";

/** A workflow that accepts new runs: the last good version of the file that defines it. */
export interface RegistryEntry {
  id: string;
  /** Relative path (with `/`) of the file that defines it now. */
  file: string;
  /** The last good version, numbered per workflow by the store. */
  version: StoredVersion;
  /** Problems of a newer, invalid content of its file ([] when the file is good). */
  errors: WorkflowProblem[];
  /** When the current version became current (ISO). */
  updatedAt: string;
}

export type RegistryEvents = {
  "workflow:updated": { id: string; version: StoredVersion; previousVersionId: string | null };
  "workflow:removed": { id: string; file: string };
  /** `id` names the workflow that keeps its last good version; null when the file provides none. */
  "workflow:invalid": { file: string; id: string | null; problems: WorkflowProblem[] };
};

export type RegistryOptions = {
  dir: string;
  store: RunStore;
  clock?: Clock;
  logger?: Logger;
  /** Names the checks files pass (default VALIDATOR); a file is re-validated when it differs. */
  validator?: string;
};

/** What the registry knows about one file it has seen. */
interface FileState {
  /** The workflow id this file provides now (it is the entry's `file`). */
  ownedId: string | null;
  /** A valid version whose id another file already owns; it takes over when that file goes. */
  waiting: WorkflowVersion | null;
  /** Problems of the current content ([] when the file is good and loaded). */
  problems: WorkflowProblem[];
}

/** Files read at once by loadAll: fast on large directories without running out of file handles. */
const READ_BATCH = 64;

/**
 * The current workflows, kept in step with the files of the workflows directory. Each distinct content
 * of a file is saved as a version in the store (DESIGN §1.3); an invalid edit keeps the last good
 * version and records its problems; when two files define the same id, the one loaded first keeps it
 * and the other waits, taking over if the first is deleted or changes its id. Operations run one at a
 * time, in call order, so a burst of edits always ends with the last content.
 */
export class WorkflowRegistry {
  readonly events = new TypedEmitter<RegistryEvents>();
  private readonly dir: string;
  private readonly store: RunStore;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly reader: WorkflowFileReader;
  private readonly entries = new Map<string, RegistryEntry>();
  private readonly files = new Map<string, FileState>();
  private tail: Promise<unknown> = Promise.resolve();
  /** During loadAll: versions known to be stored, by versionKey, so `install` need not save them. */
  private readonly known = new Map<string, StoredVersion>();
  private loaded = false;
  /** True once the first loadAll began reading: a refresh queued before it has nothing to add. */
  private loading = false;

  constructor(options: RegistryOptions) {
    this.dir = resolve(options.dir);
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.reader = new WorkflowFileReader(this.dir, this.store, options.validator ?? VALIDATOR, this.logger);
  }

  /**
   * Loads every workflow file of the directory (in sorted path order, which decides who keeps a
   * duplicated id) and saves every valid version in the store. Called again, it resynchronises:
   * files that disappeared are removed. Throws when the directory cannot be read.
   *
   * A file whose exact bytes the same validator passed before (recorded in the store) takes its
   * stored version without being parsed and checked again: a restart validates only changed files.
   */
  loadAll(): Promise<{ problems: WorkflowProblem[] }> {
    return this.serial(async () => {
      this.loading = true;
      const present = await listWorkflowFiles(this.dir);
      const checked = await this.reader.checkedFiles();
      const reads = await mapConcurrently(present, READ_BATCH, (file) =>
        this.reader.read(file, checked.get(file)),
      );
      try {
        for (const { version } of this.entries.values()) this.known.set(versionKey(version), version);
        for (const read of reads) if (read?.stored) this.known.set(versionKey(read.stored), read.stored);
        if (this.files.size === 0) await this.saveFirstVersions(reads);
        const presentSet = new Set(present);
        const gone = [...this.files.keys()].filter((file) => !presentSet.has(file));
        for (const file of gone) await this.forget(file);
        for (const [index, file] of present.entries()) await this.apply(file, reads[index] ?? null);
      } finally {
        this.known.clear();
      }
      await this.reader.recordCheckedFiles(present, reads, checked);
      this.loaded = true;
      const problems = [...this.files.entries()].sort(byKey).flatMap(([, state]) => state.problems);
      return { problems };
    });
  }

  /**
   * Re-reads one file (added or changed); a file that no longer exists is handled as removed.
   * Before the first loadAll it does nothing: that load reads every file as it is then (the daemon
   * starts its watcher first, so that no edit made during the load is missed).
   */
  async refreshFile(file: string): Promise<void> {
    const relativeFile = this.toRelative(file);
    return this.serial(async () => {
      if (this.loading) await this.apply(relativeFile, await this.reader.read(relativeFile));
    });
  }

  /** A file was deleted (or renamed away): its workflow accepts no new runs; stored versions stay. */
  async removeFile(file: string): Promise<void> {
    const relativeFile = this.toRelative(file);
    return this.serial(async () => {
      if (this.loading) await this.forget(relativeFile);
    });
  }

  /** The current entry of a workflow; undefined for unknown and deleted workflows. */
  get(id: string): RegistryEntry | undefined {
    return this.entries.get(id);
  }

  /** Every current workflow, sorted by id. */
  list(): RegistryEntry[] {
    return [...this.entries.entries()].sort(byKey).map(([, entry]) => entry);
  }

  /** Problems of files that provide no workflow (broken new files, duplicated ids), sorted by file. */
  orphanProblems(): WorkflowProblem[] {
    return [...this.files.entries()]
      .filter(([, state]) => state.ownedId === null)
      .sort(byKey)
      .flatMap(([, state]) => state.problems);
  }

  /** Any stored version, including versions of deleted workflows (runs pinned to them resume with it). */
  getVersion(workflowId: string, versionId: string): Promise<StoredVersion | null> {
    // Nearly every run executes the current version: answer it from memory, not the store
    // (a read and a JSON parse of the definition per run otherwise).
    const current = this.entries.get(workflowId)?.version;
    if (current?.versionId === versionId) return Promise.resolve(current);
    return this.store.getVersion(workflowId, versionId);
  }

  /** True once the first `loadAll` has finished. */
  get ready(): boolean {
    return this.loaded;
  }

  private serial<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.tail.then(operation);
    // A failed operation is reported to its caller; it must not block the ones queued after it.
    this.tail = result.catch(() => undefined);
    return result;
  }

  private toRelative(file: string): string {
    const relativeFile = isAbsolute(file) ? relative(this.dir, file).split(sep).join("/") : file;
    const normalized = posix.normalize(relativeFile.replaceAll("\\", "/"));
    if (normalized === ".." || normalized.startsWith("../") || normalized === ".") {
      throw new Error(`"${file}" is not a file inside the workflows directory ${this.dir}`);
    }
    return normalized;
  }

  /**
   * On a first load, saves the version every id will get (the first valid file by path) all at once,
   * so the store commits them as a group rather than one disk sync per file; `install` then finds them.
   */
  private async saveFirstVersions(reads: (FileRead | null)[]): Promise<void> {
    const firsts = new Map<string, WorkflowVersion>();
    for (const version of reads.map((read) => read?.version)) {
      if (version && !firsts.has(version.workflowId)) firsts.set(version.workflowId, version);
    }
    const seenAt = isoTime(this.clock.now());
    const unsaved = [...firsts.values()].filter((version) => !this.known.has(versionKey(version)));
    const saved = await Promise.all(unsaved.map((version) => this.store.saveVersion(version, seenAt)));
    for (const stored of saved) this.known.set(versionKey(stored), stored);
  }

  private async apply(file: string, read: ParseResult | null): Promise<void> {
    if (!read) return this.forget(file);
    const { version, problems } = read;
    if (!version) return this.markInvalid(file, problems);
    const state = this.stateOf(file);
    if (state.ownedId !== null && state.ownedId !== version.workflowId) await this.release(file, state);
    const owner = this.entries.get(version.workflowId);
    if (owner && owner.file !== file) return this.markWaiting(file, state, version, owner.file);
    await this.install(file, state, version);
  }

  private stateOf(file: string): FileState {
    let state = this.files.get(file);
    if (!state) {
      state = { ownedId: null, waiting: null, problems: [] };
      this.files.set(file, state);
    }
    return state;
  }

  /** Makes `version` current for its id; `previous` is the entry it replaces (default: the current one). */
  private async install(
    file: string,
    state: FileState,
    version: WorkflowVersion,
    previous = this.entries.get(version.workflowId),
  ): Promise<void> {
    const id = version.workflowId;
    const stored =
      this.known.get(versionKey(version)) ??
      (await this.store.saveVersion(version, isoTime(this.clock.now())));
    const previousVersionId = previous?.version.versionId ?? null;
    const changed = previousVersionId !== stored.versionId;
    // At start-up the best known "became current" time is when the store first saw the version.
    const updatedAt = !changed && previous ? previous.updatedAt : this.becameCurrentAt(stored);
    this.entries.set(id, { id, file, version: stored, errors: [], updatedAt });
    Object.assign(state, { ownedId: id, waiting: null, problems: [] });
    if (!changed) return;
    this.logger.info("workflow loaded", { workflowId: id, version: stored.version, file });
    this.events.emit("workflow:updated", { id, version: stored, previousVersionId });
  }

  private becameCurrentAt(stored: StoredVersion): string {
    return this.loaded ? isoTime(this.clock.now()) : stored.firstSeenAt;
  }

  /**
   * The file stops providing its workflow. A file waiting with the same id (first by path) takes it
   * over without a gap, so a renamed file that sets `id:` keeps its workflow, silently when the
   * content is the same; otherwise the workflow is removed.
   */
  private async release(file: string, state: FileState): Promise<void> {
    const id = state.ownedId;
    if (id === null) return;
    state.ownedId = null;
    const previous = this.entries.get(id);
    this.entries.delete(id);
    const [next] = [...this.files.entries()]
      .filter(([, other]) => other.waiting?.workflowId === id)
      .sort(byKey);
    const [nextFile, nextState] = next ?? [];
    if (nextFile && nextState?.waiting) {
      this.logger.info("workflow taken over by another file", { workflowId: id, from: file, to: nextFile });
      // If the successor cannot be saved, the workflow is gone after all and listeners must hear it.
      try {
        return await this.install(nextFile, nextState, nextState.waiting, previous);
      } catch (error) {
        this.events.emit("workflow:removed", { id, file });
        throw error;
      }
    }
    this.logger.info("workflow removed", { workflowId: id, file });
    this.events.emit("workflow:removed", { id, file });
  }

  private async forget(file: string): Promise<void> {
    const state = this.files.get(file);
    if (!state) return;
    this.files.delete(file);
    await this.release(file, state);
  }

  private markInvalid(file: string, problems: WorkflowProblem[]): void {
    const state = this.stateOf(file);
    Object.assign(state, { waiting: null, problems });
    const entry = state.ownedId === null ? undefined : this.entries.get(state.ownedId);
    if (entry) this.entries.set(entry.id, { ...entry, errors: problems });
    this.report(file, state.ownedId, problems);
  }

  private markWaiting(file: string, state: FileState, version: WorkflowVersion, ownerFile: string): void {
    const message = `workflow id "${version.workflowId}" is already defined in ${ownerFile}`;
    const problems = [{ file, line: idLine(version.source), col: 1, message }];
    Object.assign(state, { waiting: version, problems });
    this.report(file, null, problems);
  }

  private report(file: string, id: string | null, problems: WorkflowProblem[]): void {
    const kept = id === null ? {} : { workflowId: id, keptVersion: this.entries.get(id)?.version.version };
    for (const problem of problems)
      this.logger.warn(`invalid workflow file: ${formatProblem(problem)}`, kept);
    this.events.emit("workflow:invalid", { file, id, problems });
  }
}

/** The 1-based line of a top-level `id:` key, else 1 (the id came from the file name). */
function idLine(source: string): number {
  const match = /^id[ \t]*:/m.exec(source);
  return match ? source.slice(0, match.index).split("\n").length : 1;
}

/** Identifies a version across workflows (the same bytes can be a version of two ids). */
function versionKey(version: WorkflowVersion): string {
  return `${version.workflowId}\u0000${version.versionId}`;
}

function byKey<T>([a]: [string, T], [b]: [string, T]): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
