import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { CheckedFileRecord, RunStore, StoredVersion } from "../core/store.ts";
import type { Logger } from "../lib/logger.ts";
import { messageOf } from "../lib/message.ts";
import { isGone, readErrorReason } from "./files.ts";
import { type ParseResult, parseWorkflowFile, versionIdOf } from "./parse.ts";

/** A file as read: parsed, or `stored` when the validator passed these exact bytes before. */
export type FileRead = ParseResult & { stored?: StoredVersion };

/**
 * Reads the workflow files of a directory. The store remembers which file contents a validator
 * passed (table `workflow_file_checks`), so a file whose bytes are unchanged takes its stored
 * version without being parsed and checked again: a restart validates only changed files.
 */
export class WorkflowFileReader {
  constructor(
    private readonly dir: string,
    private readonly store: RunStore,
    private readonly validator: string,
    private readonly logger: Logger,
  ) {}

  /**
   * Reads and parses a file (a path relative to the directory); null when it no longer exists.
   * `checked` is the stored version of the content the validator last passed in this file: when the
   * bytes are the same, it is the result.
   */
  async read(file: string, checked?: StoredVersion): Promise<FileRead | null> {
    let content: Uint8Array;
    try {
      content = await readFile(join(this.dir, file));
    } catch (error) {
      if (isGone(error)) return null;
      return {
        problems: [{ file, line: 1, col: 1, message: `cannot read file: ${readErrorReason(error)}` }],
      };
    }
    if (checked && checked.versionId === versionIdOf(content)) {
      const { workflowId, versionId, definition, source } = checked;
      return { version: { workflowId, versionId, definition, source }, problems: [], stored: checked };
    }
    return parseWorkflowFile(file, content);
  }

  /** The files the validator passed before, with their stored versions; none when the store fails. */
  async checkedFiles(): Promise<Map<string, StoredVersion>> {
    try {
      const files = await this.store.checkedFiles(this.validator);
      return new Map(files.map(({ file, version }) => [file, version]));
    } catch (error) {
      this.logger.warn("cannot read the checked workflow files; validating every file", {
        error: messageOf(error),
      });
      return new Map();
    }
  }

  /**
   * Records the valid files checked by a load of `present` (so the next start skips them) and
   * forgets the records of files that are gone or invalid now. Only an optimisation: a failure is
   * logged.
   */
  async recordCheckedFiles(
    present: string[],
    reads: (FileRead | null)[],
    checked: Map<string, StoredVersion>,
  ): Promise<void> {
    const valid = new Set<string>();
    const fresh: CheckedFileRecord[] = [];
    present.forEach((file, index) => {
      const read = reads[index];
      if (!read?.version) return;
      valid.add(file);
      if (!read.stored)
        fresh.push({ file, workflowId: read.version.workflowId, versionId: read.version.versionId });
    });
    const forget = [...checked.keys()].filter((file) => !valid.has(file));
    if (fresh.length === 0 && forget.length === 0) return;
    try {
      await this.store.recordCheckedFiles(this.validator, fresh, forget);
    } catch (error) {
      this.logger.warn("cannot record the checked workflow files", { error: messageOf(error) });
    }
  }
}
