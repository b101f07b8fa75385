import { Composer, type CST, Document, type LineCounter, Parser, YAMLParseError } from "yaml";

/**
 * How deep lists and mappings may nest in a workflow file. Composing a document recurses once per
 * level, so a hostile file (100,000 `[`) would overflow the stack at a depth that varies from run to
 * run; past this depth the file is refused before it is composed. The fast reader (fast-yaml.ts)
 * stops at the same number, counting its scalars too, so it never accepts what this refuses.
 */
export const MAX_NESTING = 100;

/** The problem of a file nested deeper than MAX_NESTING, as reported at the first level too deep. */
const TOO_DEEP = `nesting deeper than ${MAX_NESTING} levels of lists and mappings`;

/** Thrown out of the token stream to stop composing. */
class TooDeep extends Error {
  constructor(readonly offset: number) {
    super(TOO_DEEP);
  }
}

/**
 * What `yaml`'s parseDocument gives (with `uniqueKeys` and `merge`), built from its own Parser and
 * Composer so that each document's syntax tree is checked for depth before it is composed. A file
 * nested too deep gives an empty document whose one error, RESOURCE_EXHAUSTION, is TOO_DEEP.
 */
export function readYamlDocument(text: string, lines: LineCounter): Document {
  const parser = new Parser(lines.addNewLine);
  const composer = new Composer({ uniqueKeys: true, merge: true });
  let doc: Document | undefined;
  try {
    for (const next of composer.compose(checkedDepth(parser.parse(text)), true, text.length)) {
      if (doc) {
        const message = "Source contains multiple documents";
        doc.errors.push(new YAMLParseError([next.range[0], next.range[1]], "MULTIPLE_DOCS", message));
        break;
      }
      doc = next;
    }
  } catch (error) {
    if (!(error instanceof TooDeep)) throw error;
    const tooDeep = new Document();
    tooDeep.errors.push(
      new YAMLParseError([error.offset, error.offset + 1], "RESOURCE_EXHAUSTION", TOO_DEEP),
    );
    return tooDeep;
  }
  // compose(..., forceDoc = true) yields a document even for an empty file.
  return doc as Document;
}

/** Passes the parser's tokens on, throwing TooDeep at the first collection nested too deep. */
function* checkedDepth(tokens: Iterable<CST.Token>): Generator<CST.Token> {
  for (const token of tokens) {
    if (token.type === "document") {
      const offset = tooDeepAt(token);
      if (offset !== undefined) throw new TooDeep(offset);
    }
    yield token;
  }
}

/**
 * The offset of the first collection deeper than MAX_NESTING in the document's syntax tree. A
 * loop over a list of pending tokens, not recursion (nor yaml's CST.visit, which recurses and costs
 * a tenth of the whole parse): nothing below a collection too deep is looked at.
 */
function tooDeepAt(document: CST.Document): number | undefined {
  let first: number | undefined;
  const pending: [CST.Token | null | undefined, number][] = [[document.value, 1]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [token, depth] = next;
    if (!token || !("items" in token)) continue;
    if (depth > MAX_NESTING) first = Math.min(first ?? token.offset, token.offset);
    else for (const item of token.items) pending.push([item.key, depth + 1], [item.value, depth + 1]);
  }
  return first;
}
