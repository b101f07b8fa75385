import * as v from "valibot";
import { type ErrorDetail, WfdError } from "../core/errors.ts";

type AnySchema = v.GenericSchema;

/** Every issue as `{path, message}`, the path as keys and indexes from the root of the value. */
function detailsOf(issues: readonly v.BaseIssue<unknown>[]): ErrorDetail[] {
  return issues.map((issue) => ({
    path: (issue.path ?? []).map((item) => item.key as string | number),
    message: issue.message,
  }));
}

/** Parses `value` with a request schema; VALIDATION_ERROR naming each bad field otherwise. */
export function parseRequest<S extends AnySchema>(schema: S, value: unknown, what: string): v.InferOutput<S> {
  const result = v.safeParse(schema, value, { abortPipeEarly: true });
  if (result.success) return result.output;
  const details = detailsOf(result.issues);
  const first = details[0];
  const where = first?.path.length ? `${first.path.join(".")}: ` : "";
  throw new WfdError("VALIDATION_ERROR", `Invalid ${what}: ${where}${first?.message ?? "invalid"}`, details);
}
