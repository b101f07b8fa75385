import { type Document, isScalar, LineCounter, visit } from "yaml";
import packageJson from "../../package.json" with { type: "json" };
import {
  STEP_TYPES,
  WORKFLOW_ID_PATTERN,
  type Workflow,
  type WorkflowProblem,
  type WorkflowVersion,
} from "../core/workflow.ts";
import { sha256Hex } from "../lib/hash.ts";
import { buildWorkflow } from "./build.ts";
import { checkInputSchema, checkTemplates } from "./checks.ts";
import { readPlainMapping } from "./fast-yaml.ts";
import { checkStepGraph } from "./graph.ts";
import { Reporter } from "./reporter.ts";
import { ID_RULE, isMapping } from "./rules.ts";
import { WorkflowSchema } from "./schema.ts";
import { NO_POSITIONS, type Position, SourceMap } from "./source-map.ts";
import { checkStepConfig } from "./step-config.ts";
import { checkTriggers } from "./triggers.ts";
import { readYamlDocument } from "./yaml-document.ts";

/** The outcome of parsing one workflow file. */
export interface ParseResult {
  /** Present only when the file has no problems. */
  version?: WorkflowVersion;
  problems: WorkflowProblem[];
}

/** A parse result plus what the loader needs to compare workflow ids across files. */
export interface FileAnalysis extends ParseResult {
  /** The workflow id, when it could be determined (even if the file has other problems). */
  workflowId?: string;
  /** Where the id is written (`id:`), or 1:1 when it comes from the file name. */
  idPosition: () => Position;
}

const START: Position = { line: 1, col: 1 };

/**
 * Bump whenever a check or the build of a workflow file changes what it accepts or what it builds
 * (anything under src/workflows/ or the template checks): a restart then re-validates every file
 * instead of taking the stored versions of unchanged files (WorkflowRegistry.loadAll).
 */
const CHECKS_REVISION = 2;

/** Names the validator that passed a file; stored with it, so another validator checks it again. */
export const VALIDATOR = `wfd ${packageJson.version} checks ${CHECKS_REVISION}`;

/**
 * Parses and validates one file. `file` is the path relative to the workflows dir, with `/`.
 * Bytes are decoded as strict UTF-8 (not UTF-8 -> one problem). Never throws for bad content.
 */
export function parseWorkflowFile(file: string, content: string | Uint8Array): ParseResult {
  const { version, problems } = analyzeWorkflowFile(file, content);
  return version ? { version, problems } : { problems };
}

/** The version id of a file's content: `sha256:` and the hex SHA-256 of its bytes. */
export function versionIdOf(content: string | Uint8Array): string {
  return `sha256:${sha256Hex(content)}`;
}

/** parseWorkflowFile with the workflow id and its position, for checks across files. */
export function analyzeWorkflowFile(file: string, content: string | Uint8Array): FileAnalysis {
  try {
    return analyze(file, content);
  } catch (error) {
    // Content no check foresaw must cost one problem in its file, not the load of the whole directory.
    const message = `could not check this file: ${(error as Error).message}`;
    return { problems: [{ file, ...START, message }], idPosition: () => START };
  }
}

function analyze(file: string, content: string | Uint8Array): FileAnalysis {
  const text = decodeUtf8(content);
  if (typeof text !== "string") {
    const message = `file is not valid UTF-8 text (invalid bytes on line ${text.line})`;
    return { problems: [{ file, ...text, message }], idPosition: () => START };
  }
  return analyzePlain(file, content, text) ?? analyzeDocument(file, content, text);
}

/**
 * The analysis of a valid file read without positions (see readPlainMapping), or undefined when the
 * file needs the full parse: it is outside what that reader vouches for, or it has problems, which
 * must carry their positions.
 */
function analyzePlain(file: string, content: string | Uint8Array, text: string): FileAnalysis | undefined {
  const data = readPlainMapping(text);
  if (!data) return undefined;
  const reporter = new Reporter(file, NO_POSITIONS, data);
  const workflowId = workflowIdOf(data, file, reporter);
  const definition = validateAndBuild(data, workflowId, file, reporter);
  if (!definition || reporter.problems.length > 0) return undefined;
  // Only a workflow id defined in two files needs this; it is found by the full parse then.
  const idPosition = () =>
    data.id === undefined ? START : analyzeDocument(file, content, text).idPosition();
  return {
    problems: [],
    idPosition,
    workflowId: definition.id,
    version: versionOf(definition, content, text),
  };
}

/** The full parse: `yaml`'s document keeps every node's position for the problems. */
function analyzeDocument(file: string, content: string | Uint8Array, text: string): FileAnalysis {
  const lines = new LineCounter();
  const doc = readYamlDocument(text, lines);
  const source = new SourceMap(doc, lines);
  const syntax = new Reporter(file, source);
  const fatal = reportYamlErrors(doc, source, syntax);
  const data = fatal ? undefined : toData(doc, syntax);
  if (data === undefined) return { problems: sortProblems(syntax.problems), idPosition: () => START };

  const reporter = new Reporter(file, source, data);
  reporter.problems.push(...syntax.problems);
  const workflowId = workflowIdOf(data, file, reporter);
  const definition = validateAndBuild(data, workflowId, file, reporter);
  const idPosition = data.id === undefined ? START : source.position(["id"]);
  const analysis: FileAnalysis = { problems: sortProblems(reporter.problems), idPosition: () => idPosition };
  if (workflowId) analysis.workflowId = workflowId;
  if (definition && analysis.problems.length === 0) analysis.version = versionOf(definition, content, text);
  return analysis;
}

function versionOf(definition: Workflow, content: string | Uint8Array, source: string): WorkflowVersion {
  return { workflowId: definition.id, versionId: versionIdOf(content), definition, source };
}

function validateAndBuild(
  data: Record<string, unknown>,
  id: string | undefined,
  file: string,
  reporter: Reporter,
): Workflow | undefined {
  const workflow = reporter.check(WorkflowSchema, data, []);
  const triggers = checkTriggers(data.trigger, reporter);
  if (Array.isArray(data.steps)) {
    data.steps.forEach((step, index) => {
      if (isMapping(step) && STEP_TYPES.includes(step.type as (typeof STEP_TYPES)[number])) {
        checkStepConfig(step, index, reporter);
      }
    });
  }
  checkStepGraph(data.steps, reporter);
  checkInputSchema(data.inputSchema, reporter);
  checkTemplates(data, reporter);
  if (!workflow || !triggers || !id || reporter.problems.length > 0) return undefined;
  return buildWorkflow(workflow, id, triggers, file);
}

/** The text of the file, or the position of the first line that is not valid UTF-8. */
function decodeUtf8(content: string | Uint8Array): string | Position {
  if (typeof content === "string") return content;
  const decoder = new TextDecoder("utf-8", { fatal: true });
  try {
    return decoder.decode(content);
  } catch {
    let start = 0;
    for (let line = 1; ; line++) {
      const end = content.indexOf(0x0a, start);
      try {
        decoder.decode(content.subarray(start, end === -1 ? content.length : end));
      } catch {
        return { line, col: 1 };
      }
      start = end + 1;
    }
  }
}

/** Reports YAML errors; returns true when the document cannot be trusted for further checks. */
function reportYamlErrors(doc: Document, source: SourceMap, reporter: Reporter): boolean {
  let fatal = false;
  for (const error of doc.errors) {
    const position = source.offset(error.pos[0]);
    if (error.code === "DUPLICATE_KEY") {
      reporter.at(position, `duplicate key ${JSON.stringify(keyAt(doc, error.pos[0]))}`);
    } else if (error.code === "RESOURCE_EXHAUSTION") {
      // Nesting too deep (readYamlDocument): not a syntax error, and the only problem given.
      fatal = true;
      reporter.at(position, error.message);
    } else {
      fatal = true;
      const message =
        error.code === "MULTIPLE_DOCS"
          ? "a workflow file holds one YAML document (remove the extra ---)"
          : error.message;
      reporter.at(position, `YAML syntax error: ${message}`);
    }
  }
  return fatal;
}

function keyAt(doc: Document, offset: number): string {
  let key = "";
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.range?.[0] === offset) {
        key = String(pair.key.value);
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return key;
}

/** The document as plain data, or undefined (with a problem) when it is empty or not a mapping. */
function toData(doc: Document, reporter: Reporter): Record<string, unknown> | undefined {
  if (doc.contents === null) {
    reporter.at(START, 'file is empty: a workflow needs at least "name" and "steps"');
    return undefined;
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    reporter.at(START, `YAML error: ${(error as Error).message}`);
    return undefined;
  }
  if (isMapping(data)) return data;
  const found = data === null ? "an empty value" : Array.isArray(data) ? "a list" : `a ${typeof data}`;
  reporter.at(reporter.position([]), `a workflow file must be a mapping (key: value pairs), found ${found}`);
  return undefined;
}

/** The workflow id: `id:` when given (the schema checks it), else the file name without extension. */
function workflowIdOf(data: Record<string, unknown>, file: string, reporter: Reporter): string | undefined {
  if (data.id !== undefined) {
    return typeof data.id === "string" && WORKFLOW_ID_PATTERN.test(data.id) ? data.id : undefined;
  }
  const base = (file.split("/").pop() ?? file).replace(/\.ya?ml$/i, "");
  if (WORKFLOW_ID_PATTERN.test(base)) return base;
  reporter.at(
    START,
    `the file name gives the workflow id ${JSON.stringify(base)}, which ${ID_RULE}; rename the file or set "id:"`,
  );
  return undefined;
}

function sortProblems(problems: WorkflowProblem[]): WorkflowProblem[] {
  const seen = new Set<string>();
  return problems
    .filter((problem) => {
      const key = `${problem.line}:${problem.col}:${problem.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.line - b.line || a.col - b.col);
}
