import * as v from "valibot";
import { type RetryPolicy, STEP_TYPES } from "../core/workflow.ts";
import {
  duration,
  flag,
  identifier,
  mapping,
  nonEmptyText,
  oneOf,
  positiveDuration,
  positiveInteger,
  text,
} from "./rules.ts";

/*
 * Structure of a workflow file (DESIGN §3 and §5). Triggers and step configs depend on their
 * `type`, so they are checked on their own (triggers.ts, step-config.ts) and are only typed as
 * "present" here.
 */

/**
 * A retry policy. Keys left out of a given policy take these defaults: attempts 1, delay 1s,
 * backoff exponential, maxDelay 5m. So `retry: { attempts: 3 }` retries twice, after 1s then 2s.
 * The output is a RetryPolicy with durations in milliseconds.
 */
export const RetrySchema = v.pipe(
  v.object(
    {
      attempts: v.optional(
        v.pipe(
          v.number("must be an integer >= 1"),
          v.integer("must be an integer >= 1"),
          v.minValue(1, "must be an integer >= 1"),
        ),
        1,
      ),
      delay: v.optional(duration, 1000),
      backoff: v.optional(oneOf(["fixed", "linear", "exponential"]), "exponential"),
      maxDelay: v.optional(duration, 300_000),
    },
    "must be a mapping such as { attempts: 3, delay: 1s }",
  ),
  v.transform(
    (retry): RetryPolicy => ({
      attempts: retry.attempts,
      delayMs: retry.delay,
      backoff: retry.backoff,
      maxDelayMs: retry.maxDelay,
    }),
  ),
);

const stepType = v.picklist(
  STEP_TYPES,
  (issue) => `unknown step type ${JSON.stringify(issue.input)}; known types: ${STEP_TYPES.join(", ")}`,
);

/**
 * `if:` as the engine reads it, a string: YAML's own true and false become "true" and "false", the
 * two texts an `if` without template markup may hold (checkCondition in checks.ts checks strings).
 */
const condition = v.union(
  [v.string(), v.pipe(v.boolean(), v.transform(String))],
  "must be true, false or a {{ expression }}",
);

/** A step as written; `needs` and `retry` are resolved later against the other steps and the workflow. */
export const StepSchema = v.object(
  {
    id: identifier,
    name: v.optional(text),
    type: stepType,
    needs: v.optional(v.union([v.string(), v.array(v.string())], "must be a step id or a list of step ids")),
    if: v.optional(condition),
    timeout: v.optional(positiveDuration),
    retry: v.optional(RetrySchema),
    continueOnError: v.optional(flag, false),
    connection: v.optional(nonEmptyText),
    config: v.optional(mapping),
  },
  "must be a mapping with at least id and type",
);

export type StepInput = v.InferOutput<typeof StepSchema>;

/** The top level of a workflow file. */
export const WorkflowSchema = v.object({
  id: v.optional(identifier),
  name: nonEmptyText,
  description: v.optional(text),
  status: v.optional(oneOf(["active", "draft", "disabled"]), "active"),
  trigger: v.optional(v.unknown()),
  inputSchema: v.optional(mapping),
  concurrency: v.optional(positiveInteger),
  timeout: v.optional(positiveDuration),
  retry: v.optional(RetrySchema),
  onRestart: v.optional(oneOf(["resume", "fail"]), "resume"),
  steps: v.pipe(
    v.array(StepSchema, "must be a list of steps"),
    v.minLength(1, "must contain at least one step"),
  ),
  output: v.optional(v.unknown()),
});

export type WorkflowInput = v.InferOutput<typeof WorkflowSchema>;
