import { RunCommand } from "./run.ts";
import { ServeCommand } from "./serve.ts";
import { ValidateCommand } from "./validate.ts";

/** Every `wfd` command, registered by main.ts. */
export const commands = [RunCommand, ServeCommand, ValidateCommand];
