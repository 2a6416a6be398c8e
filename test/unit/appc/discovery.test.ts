// Meta discovery against a real HTTP server on loopback; `get` sends the https URLs that
// discovery builds for `127.0.0.1/...` names to that server.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { discoverImageEndpoints, discoverPublicKeys } from "../../../src/appc";
import { httpClient } from "../../../src/http";
import { SIZE_LIMITS } from "../../../src/size-limits";

const get = httpClient();

let server: ReturnType<typeof Bun.serve>;
let pages: Record<string, string> = {};
let asked: string[] = [];

beforeAll(() => {
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const url = new URL(req.url);
      asked.push(url.pathname + url.search);
      const page = pages[url.pathname + url.search];
      return page === undefined ? new Response("no", { status: 404 }) : new Response(page);
    },
  });
});
afterAll(() => server.stop(true));

function serving(newPages: Record<string, string>) {
  pages = newPages;
  asked = [];
  return { allowHttp: false, get: (url: string) => get(url.replace("https://127.0.0.1/", `http://127.0.0.1:${server.port}/`)) };
}

const labels = [
  { name: "os", value: "linux" },
  { name: "arch", value: "amd64" },
];

describe("meta discovery", () => {
  test("walks up to the first level with a matching tag and renders its templates", async () => {
    const opts = serving({
      "/a?ac-discovery=1": `<meta name="ac-discovery" content="127.0.0.1/a https://h/{name}-{version}-{os}-{arch}.{ext}">`,
    });
    expect(await discoverImageEndpoints("127.0.0.1/a/b/c", labels, opts)).toEqual([
      { aci: "https://h/127.0.0.1/a/b/c-latest-linux-amd64.aci", signature: "https://h/127.0.0.1/a/b/c-latest-linux-amd64.aci.asc" },
    ]);
    expect(asked).toEqual(["/a/b/c?ac-discovery=1", "/a/b?ac-discovery=1", "/a?ac-discovery=1"]);
  });

  test("skips tags whose prefix the name does not start with, and templates with unknown variables", async () => {
    const opts = serving({
      "/a/b?ac-discovery=1": `<meta name="ac-discovery" content="127.0.0.1/other https://h/{name}.{ext}"><meta name="ac-discovery" content="127.0.0.1/a https://h/{name}-{flavor}.{ext}">`,
      "/a?ac-discovery=1": `<meta name="ac-discovery" content="127.0.0.1/a https://fallback/{name}.{ext}">`,
    });
    expect(await discoverImageEndpoints("127.0.0.1/a/b", labels, opts)).toEqual([{ aci: "https://fallback/127.0.0.1/a/b.aci", signature: "https://fallback/127.0.0.1/a/b.aci.asc" }]);
  });

  test("pages with no image tag end in an error naming the name", async () => {
    const opts = serving({ "/a?ac-discovery=1": `<meta name="ac-discovery-pubkeys" content="127.0.0.1/a https://h/keys">` });
    await expect(discoverImageEndpoints("127.0.0.1/a", labels, opts)).rejects.toThrow("no ac-discovery endpoints found for 127.0.0.1/a");
    expect(await discoverPublicKeys("127.0.0.1/a", opts)).toEqual(["https://h/keys"]);
  });

  test("when no level answers, the error is the one for the full name", async () => {
    const opts = serving({});
    await expect(discoverPublicKeys("127.0.0.1/a/b", opts)).rejects.toThrow("https://127.0.0.1/a/b?ac-discovery=1: bad HTTP status code: 404");
  });

  test("a template naming a file: URL is refused, not rendered", async () => {
    const opts = serving({ "/a?ac-discovery=1": `<meta name="ac-discovery" content="127.0.0.1/a file:///var/lib/{name}.{ext}">` });
    await expect(discoverImageEndpoints("127.0.0.1/a", labels, opts)).rejects.toThrow(
      `the ac-discovery tag for 127.0.0.1/a names "file:///var/lib/127.0.0.1/a.aci", which is not an http or https URL`,
    );
  });

  test("a key location that is a local path or a file: URL is refused", async () => {
    for (const location of ["/etc/shadow", "file:///etc/shadow"]) {
      const opts = serving({ "/a?ac-discovery=1": `<meta name="ac-discovery-pubkeys" content="127.0.0.1/a ${location}">` });
      await expect(discoverPublicKeys("127.0.0.1/a", opts)).rejects.toThrow(`names "${location}", which is not an http or https URL`);
    }
  });

  test("a page larger than its limit is not read whole: the level fails with the limit named", async () => {
    const opts = serving({ "/a?ac-discovery=1": " ".repeat(SIZE_LIMITS.discoveryPage + 1) });
    await expect(discoverPublicKeys("127.0.0.1/a", opts)).rejects.toThrow("the discovery page is larger than 2 MiB");
  });
});
