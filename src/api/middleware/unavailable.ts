import { WfdError } from "../../core/errors.ts";
import type { Guard } from "./guard.ts";

/** Refuses with 503 UNAVAILABLE while the daemon shuts down, so clients retry elsewhere or later. */
export function refuseWhenStopping(accepting: () => boolean): Guard {
  return function unavailableGuard() {
    if (!accepting()) throw new WfdError("UNAVAILABLE", "wfd is shutting down; try again shortly");
  };
}
