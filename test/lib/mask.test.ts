import { describe, expect, test } from "bun:test";
import { createMasker, maskSecrets } from "../../src/lib/mask.ts";

describe("maskSecrets", () => {
  test("the longest secret wins wherever secrets overlap, in any config order", () => {
    const secrets = ["abcd", "abcdEFGH-long-secret", "xxab"];
    expect(maskSecrets("long=abcdEFGH-long-secret", secrets)).toBe("long=***");
    // "xxab" starts first and overlaps the long secret: the span of both is masked as one.
    expect(maskSecrets("<xxabcdEFGH-long-secret>", secrets)).toBe("<***>");
    // Occurrences that only touch stay two masks, as repeated secrets always were.
    expect(maskSecrets("abcdabcd", secrets)).toBe("******");
  });

  test("a multi-line secret is masked whole, and line by line when its lines come apart", () => {
    const pem = "-----BEGIN KEY-----\r\n  MIIEvQIBADAN\r\nab\r\n-----END KEY-----";
    expect(maskSecrets(`key: ${pem}.`, [pem])).toBe("key: ***.");
    expect(maskSecrets("MIIEvQIBADAN", [pem])).toBe("***");
    expect(maskSecrets("  -----END KEY-----", [pem])).toBe("  ***");
    // Lines shorter than 4 characters are ordinary text, like short secrets.
    expect(maskSecrets("ab cd", [pem])).toBe("ab cd");
  });

  test("percent-encoded, form-encoded and JSON-escaped forms are masked", () => {
    const secret = 'pass word/with{x}"ü';
    const forms = [
      encodeURIComponent(secret),
      encodeURI(secret),
      encodeURIComponent(secret).toLowerCase(),
      new URLSearchParams({ q: secret }).toString().slice(2),
      JSON.stringify(secret),
    ];
    expect(forms.map((form) => maskSecrets(`<${form}>`, [secret]))).toEqual([
      "<***>",
      "<***>",
      "<***>",
      "<***>",
      '<"***">',
    ]);
  });

  test("regular expression characters in secrets are literal", () => {
    expect(maskSecrets("a.b*c(d)e a-b+c", ["a.b*c(d)e", "a?b"])).toBe("*** a-b+c");
  });

  test("a secret with a lone surrogate is still masked as it is", () => {
    expect(maskSecrets("x\ud800abcd y", ["\ud800abcd"])).toBe("x*** y");
  });

  test("createMasker masks as maskSecrets does; no secrets leaves text as it is", () => {
    const mask = createMasker(["s3cr3t-token-value"]);
    expect(mask("t=s3cr3t-token-value")).toBe(maskSecrets("t=s3cr3t-token-value", ["s3cr3t-token-value"]));
    expect(createMasker([])("nothing to hide")).toBe("nothing to hide");
    expect(createMasker(["abc", ""])("abc")).toBe("abc");
  });
});
