import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { WorkflowProblem, WorkflowVersion } from "../core/workflow.ts";
import { listWorkflowFiles, mapConcurrently, readErrorReason } from "./files.ts";
import { analyzeWorkflowFile, type FileAnalysis } from "./parse.ts";

/** Every workflow of a directory, and every problem of every file. */
export interface LoadResult {
  /** Valid workflows, in file order. */
  versions: WorkflowVersion[];
  /** Problems of all files, by file then position. */
  problems: WorkflowProblem[];
  /** How many workflow files were found. */
  files: number;
}

/** Files are read this many at a time: fast on large directories without running out of file handles. */
const READ_CONCURRENCY = 64;

/**
 * Reads every .yaml/.yml file under dir (subfolders too, skipping dot-folders and node_modules), in
 * sorted order. Dot-files are skipped as well (editor lock and swap files). Symlinked folders are not
 * followed, so a link cannot make the walk loop; symlinked files are read. A workflow id used by
 * several files is a problem in each of them, and none of them is loaded. Throws when `dir` is missing.
 */
export async function loadWorkflowDir(dir: string): Promise<LoadResult> {
  await assertDirectory(dir);
  const files = await listWorkflowFiles(dir);
  const analyses = await mapConcurrently(files, READ_CONCURRENCY, (file) => readAndAnalyze(dir, file));
  reportDuplicateIds(files, analyses);
  return {
    versions: analyses.flatMap((analysis) => (analysis.version ? [analysis.version] : [])),
    problems: analyses.flatMap((analysis) => analysis.problems),
    files: files.length,
  };
}

async function assertDirectory(dir: string): Promise<void> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(dir)).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const detail = readErrorReason(error);
    const reason = code === "ENOENT" ? "does not exist" : `cannot be read: ${detail}`;
    throw new Error(`workflows directory ${dir} ${reason}`);
  }
  if (!isDirectory) throw new Error(`workflows directory ${dir} is not a directory`);
}

async function readAndAnalyze(dir: string, file: string): Promise<FileAnalysis> {
  let content: Uint8Array;
  try {
    content = await readFile(join(dir, file));
  } catch (error) {
    const reason = readErrorReason(error);
    return {
      problems: [{ file, line: 1, col: 1, message: `cannot read file: ${reason}` }],
      idPosition: () => ({ line: 1, col: 1 }),
    };
  }
  return analyzeWorkflowFile(file, content);
}

/** Marks every file whose workflow id another file also uses; none of them is loaded. */
function reportDuplicateIds(files: string[], analyses: FileAnalysis[]): void {
  const filesById = new Map<string, number[]>();
  analyses.forEach((analysis, index) => {
    if (analysis.workflowId === undefined) return;
    filesById.set(analysis.workflowId, [...(filesById.get(analysis.workflowId) ?? []), index]);
  });
  for (const [id, indexes] of filesById) {
    if (indexes.length < 2) continue;
    for (const index of indexes) {
      const analysis = analyses[index] as FileAnalysis;
      const others = indexes.filter((other) => other !== index).map((other) => files[other]);
      analysis.problems.push({
        file: files[index] as string,
        ...analysis.idPosition(),
        message: `duplicate workflow id "${id}": also defined in ${others.join(", ")}`,
      });
      analysis.problems.sort((a, b) => a.line - b.line || a.col - b.col);
      delete analysis.version;
    }
  }
}
