import { describe, expect, test } from "bun:test";
import { progressLine } from "../../../src/fetch/download-file";
import { signatureUrlFor } from "../../../src/fetch/remote-source";

describe("signatureUrlFor", () => {
  test("replaces a .aci suffix by .aci.asc, else appends .aci.asc to the path, keeping the query", () => {
    expect(signatureUrlFor("https://example.com/app-1.0.aci")).toBe("https://example.com/app-1.0.aci.asc");
    expect(signatureUrlFor("https://example.com/download/app")).toBe("https://example.com/download/app.aci.asc");
    expect(signatureUrlFor("https://example.com/app.aci?token=x")).toBe("https://example.com/app.aci.asc?token=x");
  });
});

describe("progressLine", () => {
  test("draws a bar with megabytes done of the total", () => {
    expect(progressLine("ACI", 1_625_000, 3_250_000)).toBe(`Downloading ACI: [${"=".repeat(20)}${" ".repeat(20)}] 1.63 MB/3.25 MB`);
  });

  test("without a Content-Length says the total is unknown", () => {
    expect(progressLine("signature", 1_200_000, NaN)).toBe("Downloading signature: 1.2 MB of an unknown total size");
  });
});
