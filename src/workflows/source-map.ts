import { type Document, isAlias, isMap, isScalar, isSeq, type LineCounter, type Node } from "yaml";

/** A path into the workflow data: object keys and array indexes. */
export type DataPath = readonly (string | number)[];

/** A 1-based position in the file. */
export interface Position {
  line: number;
  col: number;
}

/** Where the node at a data path is written in the file. */
export interface Positions {
  /** Position of the value at `path`, or of its key node when `key` is true. */
  position(path: DataPath, options?: { key?: boolean }): Position;
}

/**
 * For data read without positions: problems found with it are not reported but found again by
 * the full parse, so their position is never read.
 */
export const NO_POSITIONS: Positions = { position: () => ({ line: 1, col: 1 }) };

/** The node found for a path and the key node of its last segment (when it lives in a mapping). */
interface Found {
  node: Node | null;
  keyNode: Node | null;
  complete: boolean;
}

/**
 * Maps data paths back to YAML nodes so problems point at the exact spot in the file. Paths that
 * do not exist (a missing key, a key pulled in through a merge) resolve to their nearest ancestor.
 */
export class SourceMap implements Positions {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** Position of the value at `path`, or of its key node when `key` is true. */
  position(path: DataPath, options: { key?: boolean } = {}): Position {
    const found = this.find(path);
    const emptyValue = isScalar(found.node) && found.node.range?.[0] === found.node.range?.[1];
    // A key's own node is wanted for unknown keys; an empty value (`timeout:`) has no text to point at.
    const useKey = found.complete && found.keyNode && (options.key || emptyValue);
    return this.positionOf(useKey ? found.keyNode : found.node);
  }

  /** Position of a character offset in the source. */
  offset(offset: number): Position {
    return this.lines.linePos(offset);
  }

  private positionOf(node: Node | null): Position {
    const start = node?.range?.[0];
    return start === undefined ? { line: 1, col: 1 } : this.lines.linePos(start);
  }

  private find(path: DataPath): Found {
    let node = this.resolve(this.doc.contents);
    let keyNode: Node | null = null;
    for (const segment of path) {
      const child = this.child(node, segment);
      if (!child) return { node, keyNode, complete: false };
      node = this.resolve(child.value);
      keyNode = child.key;
      // A null value (`key:` with nothing after it) still has its key to point at.
      if (!node) return { node: keyNode, keyNode, complete: true };
    }
    return { node, keyNode, complete: true };
  }

  private child(
    node: Node | null,
    segment: string | number,
  ): { key: Node | null; value: Node | null } | null {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === String(segment),
      );
      return pair ? { key: pair.key as Node, value: (pair.value as Node | null) ?? null } : null;
    }
    if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment];
      return item === undefined ? null : { key: null, value: item as Node | null };
    }
    return null;
  }

  private resolve(node: unknown): Node | null {
    if (isAlias(node)) return (node.resolve(this.doc) as Node | undefined) ?? node;
    return (node as Node | null | undefined) ?? null;
  }
}
