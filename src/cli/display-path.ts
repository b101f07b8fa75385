import { isAbsolute, relative } from "node:path";

/**
 * A path as `wfd` commands show it: relative to the working directory when it lies below it (so
 * editors and shells can open it as printed), absolute otherwise.
 */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  if (rel === "") return ".";
  return rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}
