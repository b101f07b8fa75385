import { CancelCommand } from "./client/cancel.ts";
import { LogsCommand } from "./client/logs.ts";
import { RunsCommand } from "./client/runs.ts";
import { StatusCommand } from "./client/status.ts";
import { TriggerCommand } from "./client/trigger.ts";
import { CodeCommand } from "./code.ts";
import { HealthCommand } from "./health.ts";
import { InitCommand } from "./init.ts";
import { KeysCreateCommand } from "./keys.ts";
import { RunCommand } from "./run.ts";
import { SchedulesCommand } from "./schedules.ts";
import { ServeCommand } from "./serve.ts";
import { ValidateCommand } from "./validate.ts";

/** Every `wfd` command, registered by main.ts. */
export const commands = [
  RunCommand,
  ServeCommand,
  ValidateCommand,
  SchedulesCommand,
  KeysCreateCommand,
  TriggerCommand,
  RunsCommand,
  StatusCommand,
  LogsCommand,
  CancelCommand,
  HealthCommand,
  CodeCommand,
  InitCommand,
];
