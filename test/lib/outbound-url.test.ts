import { describe, expect, test } from "bun:test";
import { isNonPublicAddress, outboundUrlProblem } from "../../src/lib/outbound-url.ts";

describe("caller-supplied URLs", () => {
  test("loopback, private, link-local and mapped addresses are refused, in every spelling", async () => {
    for (const url of [
      "http://127.0.0.1/hook",
      "http://127.1/hook",
      "http://2130706433/hook",
      "http://0x7f.0.0.1/hook",
      "http://10.1.2.3/",
      "http://172.16.0.1/",
      "http://192.168.1.1:8080/",
      "http://169.254.169.254/latest/meta-data",
      "http://100.64.0.1/",
      "http://0.0.0.0/",
      "http://[::1]/",
      "http://[::ffff:127.0.0.1]/",
      "http://[fd00::1]/",
      "http://[fe80::1]/",
      "http://localhost:3000/",
    ]) {
      expect(await outboundUrlProblem(url, false)).toContain("private or loopback");
    }
  });

  test("public addresses pass, and allowPrivate lets private ones through", async () => {
    expect(await outboundUrlProblem("https://93.184.216.34/hook", false)).toBeNull();
    expect(await outboundUrlProblem("http://[2606:4700::1111]/", false)).toBeNull();
    expect(await outboundUrlProblem("http://127.0.0.1:9/hook", true)).toBeNull();
  });

  test("other schemes, credentials, bad URLs and hosts that do not resolve are refused", async () => {
    expect(await outboundUrlProblem("ftp://93.184.216.34/", true)).toBe("must be an http or https URL");
    expect(await outboundUrlProblem("file:///etc/passwd", true)).toBe("must be an http or https URL");
    expect(await outboundUrlProblem("https://u:p@93.184.216.34/", true)).toBe("must not contain credentials");
    expect(await outboundUrlProblem("not a url", true)).toBe("must be an absolute URL");
    expect(await outboundUrlProblem("https://wfd-test.invalid/", false)).toBe(
      "host wfd-test.invalid does not resolve",
    );
  });

  test("isNonPublicAddress knows names are not addresses", () => {
    expect(isNonPublicAddress("example.com")).toBe(false);
    expect(isNonPublicAddress("8.8.8.8")).toBe(false);
    expect(isNonPublicAddress("192.168.0.1")).toBe(true);
  });
});

test("IPv4-mapped IPv6 addresses are judged by their IPv4 address", () => {
  expect(isNonPublicAddress("::ffff:7f00:1")).toBe(true);
  expect(isNonPublicAddress("::ffff:10.0.0.1")).toBe(true);
  expect(isNonPublicAddress("::ffff:808:808")).toBe(false);
});
