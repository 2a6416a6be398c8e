import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { answerChallenge } from "../../../src/docker/registry-auth";
import { httpClient } from "../../../src/http";

const client = httpClient();
const plainGet = (url: string, authorization: string | undefined) => client(url, authorization ? { Authorization: authorization } : {});
let tokenServer: ReturnType<typeof Bun.serve>;

beforeAll(() => {
  // A token service as registries run it: Basic credentials in, a token for service+scope out.
  tokenServer = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      const url = new URL(request.url);
      if (request.headers.get("authorization") !== `Basic ${btoa("alice:s3cret")}`) return new Response("", { status: 401 });
      return Response.json({ token: `tok-${url.searchParams.get("service")}-${url.searchParams.get("scope")}` });
    },
  });
});

afterAll(() => tokenServer.stop(true));

describe("answerChallenge", () => {
  test("a Bearer challenge is answered with the token the realm returns for its service and scope", async () => {
    const challenge = `Bearer realm="http://127.0.0.1:${tokenServer.port}/token",service="reg",scope="repository:a/b:pull"`;
    expect(await answerChallenge(challenge, { user: "alice", password: "s3cret" }, plainGet)).toBe("Bearer tok-reg-repository:a/b:pull");
  });

  test("a token service refusing the credentials is an error naming its status", async () => {
    const challenge = `Bearer realm="http://127.0.0.1:${tokenServer.port}/token",service="reg"`;
    await expect(answerChallenge(challenge, { user: "alice", password: "wrong" }, plainGet)).rejects.toThrow("answered 401");
  });

  test("a Basic challenge without dockerAuth credentials asks for them", async () => {
    await expect(answerChallenge(`Basic realm="x"`, undefined, plainGet)).rejects.toThrow("requires credentials");
  });
});
