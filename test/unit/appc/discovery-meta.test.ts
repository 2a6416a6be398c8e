import { describe, expect, test } from "bun:test";
import { discoveryLevels, parseDiscoveryTags, renderDiscoveryTemplate } from "../../../src/appc";

describe("parseDiscoveryTags", () => {
  test("reads ac- meta tags in order, in any attribute order and quoting, self-closing or not", () => {
    const html = `<html><head>
      <meta name="ac-discovery" content="example.com https://example.com/{name}-{version}.{ext}">
      <META content='example.com/app   https://mirror.example.com/{name}.{ext} ' NAME='ac-discovery' />
      <meta name="ac-discovery-pubkeys" content="example.com https://example.com/pubkeys.gpg?a=1&amp;b=2">
      <meta name="description" content="example.com not-a-discovery-tag">
      </head></html>`;
    expect(parseDiscoveryTags(html)).toEqual([
      { kind: "ac-discovery", prefix: "example.com", url: "https://example.com/{name}-{version}.{ext}" },
      { kind: "ac-discovery", prefix: "example.com/app", url: "https://mirror.example.com/{name}.{ext}" },
      { kind: "ac-discovery-pubkeys", prefix: "example.com", url: "https://example.com/pubkeys.gpg?a=1&b=2" },
    ]);
  });

  test("ignores tags with an empty prefix or URL", () => {
    expect(parseDiscoveryTags(`<meta name="ac-discovery" content="example.com"><meta name="ac-discovery" content="  ">`)).toEqual([]);
  });
});

describe("renderDiscoveryTemplate", () => {
  const labels = [
    { name: "os", value: "linux" },
    { name: "arch", value: "amd64" },
    { name: "channel", value: "alpha" },
  ];

  test("fills name, ext and every label, with version latest when none was asked for", () => {
    const template = "https://example.com/{channel}/{name}-{version}-{os}-{arch}.{ext}";
    expect(renderDiscoveryTemplate(template, "example.com/app", labels, "aci")).toBe("https://example.com/alpha/example.com/app-latest-linux-amd64.aci");
    expect(renderDiscoveryTemplate(template, "example.com/app", [...labels, { name: "version", value: "1.0" }], "aci.asc")).toBe(
      "https://example.com/alpha/example.com/app-1.0-linux-amd64.aci.asc",
    );
  });

  test("discards a rendering that leaves a variable unfilled", () => {
    expect(renderDiscoveryTemplate("https://example.com/{name}-{flavor}.{ext}", "example.com/app", labels, "aci")).toBeUndefined();
  });
});

describe("discoveryLevels", () => {
  test("the name, then each parent path", () => {
    expect(discoveryLevels("example.com/project/sub")).toEqual(["example.com/project/sub", "example.com/project", "example.com"]);
  });
});
