import { describe, expect, test } from "bun:test";
import { signatureUrlFor } from "../../../src/fetch/remote-source";

describe("signatureUrlFor", () => {
  test("replaces a .aci suffix by .aci.asc, else appends .aci.asc to the path, keeping the query", () => {
    expect(signatureUrlFor("https://example.com/app-1.0.aci")).toBe("https://example.com/app-1.0.aci.asc");
    expect(signatureUrlFor("https://example.com/download/app")).toBe("https://example.com/download/app.aci.asc");
    expect(signatureUrlFor("https://example.com/app.aci?token=x")).toBe("https://example.com/app.aci.asc?token=x");
  });
});
