import * as v from "valibot";
import { WORKFLOW_ID_PATTERN, type WorkflowProblem } from "../core/workflow.ts";
import type { DataPath, Position, Positions } from "./source-map.ts";
import { didYouMean } from "./suggest.ts";

/** The parts of a valibot schema needed to find the keys each object accepts. */
interface SchemaShape {
  entries?: Record<string, SchemaShape>;
  item?: SchemaShape;
  wrapped?: SchemaShape;
}

/**
 * Top-level keys starting with `x-` are ignored, as in Docker Compose: a place to keep YAML anchors
 * (`x-defaults: &defaults`) that steps merge with `<<: *defaults`.
 */
const EXTENSION_PREFIX = "x-";

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/**
 * Collects the problems of one file. Messages name where the problem is in words a user
 * recognises (`step "fetch" retry.delay`), and every problem carries the position of its node.
 */
export class Reporter {
  readonly problems: WorkflowProblem[] = [];

  constructor(
    readonly file: string,
    private readonly source: Positions,
    private readonly data: unknown = undefined,
  ) {}

  /** Records a problem at a known position. */
  at(position: Position, message: string): void {
    this.problems.push({ file: this.file, line: position.line, col: position.col, message });
  }

  /** A problem with the value at `path`; the message is prefixed with the path's label. */
  value(path: DataPath, message: string): void {
    const label = this.label(path);
    this.at(this.position(path), label ? `${label}: ${message}` : message);
  }

  /** A problem about a key itself (a duplicate id, an unknown key): it points at the key node. */
  key(path: DataPath, message: string): void {
    this.at(this.position(path, true), message);
  }

  /** An unknown key at `path` (its last segment), with a suggestion from the keys the object accepts. */
  unknownKey(path: DataPath, knownKeys: readonly string[]): void {
    const key = String(path[path.length - 1]);
    const where = this.label(path.slice(0, -1));
    const suggestion = didYouMean(key, knownKeys);
    this.key(path, `unknown key "${key}"${where ? ` in ${where}` : ""}${suggestion}`);
  }

  /** A required key (the last segment of `path`) that is missing; points at the object that lacks it. */
  missingKey(path: DataPath): void {
    const key = String(path[path.length - 1]);
    const where = this.label(path.slice(0, -1));
    this.at(this.position(path.slice(0, -1)), `missing required key "${key}"${where ? ` in ${where}` : ""}`);
  }

  /**
   * Checks `value` (found at `basePath`) against a valibot schema and reports every issue, plus
   * every key an object schema does not declare. Returns the parsed output, or undefined.
   */
  check<const TSchema extends v.GenericSchema>(
    schema: TSchema,
    value: unknown,
    basePath: DataPath,
  ): v.InferOutput<TSchema> | undefined {
    const before = this.problems.length;
    const result = v.safeParse(schema, value);
    if (!result.success) this.issues(result.issues, basePath);
    this.unknownKeys(schema as unknown as SchemaShape, value, basePath);
    return result.success && this.problems.length === before ? result.output : undefined;
  }

  private issues(issues: readonly v.BaseIssue<unknown>[], basePath: DataPath): void {
    for (const issue of issues) {
      const path = [...basePath, ...(issue.path?.map((item) => item.key as string | number) ?? [])];
      const last = issue.path?.[issue.path.length - 1];
      if (issue.type === "object" && last?.origin === "key" && issue.input === undefined)
        this.missingKey(path);
      else this.value(path, issue.message);
    }
  }

  /** Valibot reports only the first unknown key of an object; users need to see all of them. */
  private unknownKeys(schema: SchemaShape | undefined, value: unknown, path: DataPath): void {
    const shape = unwrap(schema);
    if (shape?.entries && isObject(value)) {
      const known = Object.keys(shape.entries);
      for (const [key, item] of Object.entries(value)) {
        if (path.length === 0 && key.startsWith(EXTENSION_PREFIX)) continue;
        if (Object.hasOwn(shape.entries, key)) this.unknownKeys(shape.entries[key], item, [...path, key]);
        else this.unknownKey([...path, key], known);
      }
    } else if (shape?.item && Array.isArray(value)) {
      for (const [index, item] of value.entries()) this.unknownKeys(shape.item, item, [...path, index]);
    }
  }

  /** Position of the node at `path` (its key node when `key` is true). */
  position(path: DataPath, key = false): Position {
    return this.source.position(path, { key });
  }

  /** Human label of a path: `step "fetch" config.headers`, `trigger[1].cron`, `retry.delay`. */
  label(path: DataPath): string {
    if (path[0] === "steps" && typeof path[1] === "number") {
      const rest = formatPath(path.slice(2));
      return rest ? `${this.stepLabel(path[1])} ${rest}` : this.stepLabel(path[1]);
    }
    return formatPath(path);
  }

  /** `step "id"` when the step has a usable id, else `steps[index]`. */
  stepLabel(index: number): string {
    const steps = (this.data as { steps?: unknown } | undefined)?.steps;
    const step = Array.isArray(steps) ? (steps[index] as { id?: unknown } | null) : undefined;
    const id = step && typeof step === "object" ? step.id : undefined;
    return typeof id === "string" && WORKFLOW_ID_PATTERN.test(id) ? `step "${id}"` : `steps[${index}]`;
  }
}

function formatPath(path: DataPath): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (!PLAIN_KEY.test(segment)) text += `[${JSON.stringify(segment)}]`;
    else text += text ? `.${segment}` : segment;
  }
  return text;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function unwrap(schema: SchemaShape | undefined): SchemaShape | undefined {
  let current = schema;
  while (current?.wrapped) current = current.wrapped;
  return current;
}
