import type { Database, Statement } from "bun:sqlite";
import { WfdError } from "../core/errors.ts";
import { RUN_STATUSES } from "../core/run.ts";
import type { RunListFilter } from "../core/store.ts";
import { messageOf } from "../lib/message.ts";
import { decodeCursor, encodeCursor, RUN_COLUMNS, type RunRow } from "./codec.ts";
import { isoParam } from "./timestamps.ts";

type Bindings = Record<string, string | number>;

const CONDITIONS = {
  workflow_id: "workflow_id = $workflow_id",
  status: "status = $status",
  from: "created_at >= $from",
  to: "created_at < $to",
  cursor: "seq < $cursor",
} as const;

type Condition = keyof typeof CONDITIONS;

/** One page of run rows, newest first. */
export interface RunRowPage {
  rows: RunRow[];
  nextCursor: string | null;
}

/**
 * The filtered run listing. Pages follow the commit order (`seq`), newest first, so a run
 * committed while a client pages through is never shown twice and never makes another one skip.
 * Each combination of filters is one statement, prepared the first time it is used.
 */
export class RunListQueries {
  private readonly statements = new Map<string, Statement<RunRow, [Bindings]>>();

  constructor(private readonly db: Database) {}

  /** Validates the filter (VALIDATION_ERROR naming the field) and returns one page of rows. */
  page(filter: RunListFilter): RunRowPage {
    const { conditions, bindings } = toBindings(filter);
    const rows = this.statementFor(conditions).all({ ...bindings, limit: filter.limit + 1 });
    const hasMore = rows.length > filter.limit;
    if (hasMore) rows.pop();
    const last = rows.at(-1);
    return { rows, nextCursor: hasMore && last ? encodeCursor(last.seq) : null };
  }

  private statementFor(conditions: Condition[]): Statement<RunRow, [Bindings]> {
    const shape = conditions.join(",");
    let statement = this.statements.get(shape);
    if (!statement) {
      const where = conditions.length
        ? `WHERE ${conditions.map((name) => CONDITIONS[name]).join(" AND ")}`
        : "";
      statement = this.db.prepare<RunRow, [Bindings]>(
        `SELECT ${RUN_COLUMNS} FROM runs ${where} ORDER BY seq DESC LIMIT $limit`,
      );
      this.statements.set(shape, statement);
    }
    return statement;
  }
}

function toBindings(filter: RunListFilter): { conditions: Condition[]; bindings: Bindings } {
  if (!Number.isInteger(filter.limit) || filter.limit < 1) {
    throw invalid("limit", `must be a positive integer, got ${String(filter.limit)}`);
  }
  const bindings: Bindings = {};
  if (filter.workflowId !== undefined) bindings.workflow_id = filter.workflowId;
  if (filter.status !== undefined) {
    if (!RUN_STATUSES.includes(filter.status)) {
      throw invalid("status", `must be one of ${RUN_STATUSES.join(", ")}, got ${String(filter.status)}`);
    }
    bindings.status = filter.status;
  }
  if (filter.from !== undefined) bindings.from = timestamp(filter.from, "from");
  if (filter.to !== undefined) bindings.to = timestamp(filter.to, "to");
  if (filter.cursor !== undefined) bindings.cursor = decodeCursor(filter.cursor);
  // Object.keys keeps insertion order, so one shape always yields the same statement.
  return { conditions: Object.keys(bindings) as Condition[], bindings };
}

function timestamp(value: string, field: "from" | "to"): string {
  try {
    return isoParam(value, field);
  } catch (error) {
    throw invalid(field, messageOf(error).replace(`${field}: `, ""));
  }
}

function invalid(field: string, message: string): WfdError {
  return new WfdError("VALIDATION_ERROR", `${field}: ${message}`, [{ path: [field], message }]);
}
