// `rkt metadata-service` and pod registration: a busybox app asks the service about its
// pod over loopback, gc unregisters the pod, and rkt run without a service only warns.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { rkt, rktBinary, tempDataDir, tempDir } from "../support/harness";
import { appStatuses, busyboxImage, collectPods, shellApp, waitFor } from "./run-fixtures";

const work = tempDir("rkt-mds-images-");
const data = tempDataDir("rkt-mds-");
const socketPath = join(work.path, "mds", "metadata-svc.sock");
const missingSocket = join(work.path, "no-service.sock");
let service: ReturnType<typeof Bun.spawn> | undefined;
let serviceLog = "";

/** Starts the service on a free port (--listen-port=0) and collects its log lines. */
async function startService(): Promise<void> {
  const proc = Bun.spawn([rktBinary, "metadata-service", "--listen-port=0", `--socket=${socketPath}`], { stdin: "ignore", stdout: "pipe", stderr: "inherit" });
  service = proc;
  const decoder = new TextDecoder();
  void (async () => {
    for await (const chunk of proc.stdout) serviceLog += decoder.decode(chunk);
  })();
  await waitFor("the metadata service", () => (existsSync(socketPath) && serviceLog.includes("listening") ? true : undefined));
}

/** Waits until the service has logged `line` (its log arrives through a pipe); a RegExp matches a whole line. */
async function expectLogged(line: string | RegExp): Promise<void> {
  const matches = (logged: string) => (typeof line === "string" ? logged === line : line.test(logged));
  await waitFor(`log line "${line}"`, () => (serviceLog.split("\n").some(matches) ? true : undefined), 5_000);
}

// The app prints one `key=value` line per answer. Its posts are URL-encoded by hand:
// busybox wget sends --post-data as given.
const probeScript = `
api="$AC_METADATA_URL/acMetadata/v1"
get() { /bin/busybox wget -q -O - --header 'Metadata-Flavor: AppContainer' "$api/$1"; }
post() { /bin/busybox wget -q -O - --header 'Metadata-Flavor: AppContainer' --post-data "$2" "$api/$1"; }
echo "url=$AC_METADATA_URL"
uuid=$(get pod/uuid)
echo "uuid=$uuid"
echo "pod-manifest=$(get pod/manifest)"
echo "image-manifest=$(get apps/$AC_APP_NAME/image/manifest)"
echo "image-id=$(get apps/$AC_APP_NAME/image/id)"
echo "annotations=$(get apps/$AC_APP_NAME/annotations/ | /bin/busybox tr '\\n' ' ')"
echo "lorem=$(get apps/$AC_APP_NAME/annotations/lorem)"
sig=$(post pod/hmac/sign 'content=Old+MacDonald+Had+A+Farm')
echo "signature=$sig"
encoded=$(echo -n "$sig" | /bin/busybox sed 's/+/%2B/g; s|/|%2F|g; s/=/%3D/g')
post pod/hmac/verify "content=Old+MacDonald+Had+A+Farm&uid=$uuid&signature=$encoded" >/dev/null && echo "verify=ok"
post pod/hmac/verify "content=Other+content&uid=$uuid&signature=$encoded" >/dev/null 2>&1 || echo "verify-other=refused"
/bin/busybox wget -q -O /dev/null "$api/pod/uuid" 2>/dev/null || echo "no-header=refused"
/bin/busybox wget -q -O /dev/null --header 'Metadata-Flavor: AppContainer' "\${AC_METADATA_URL%/*}/00000000000000000000000000000000/acMetadata/v1/pod/uuid" 2>/dev/null || echo "unknown-token=refused"
`;

// Asks for the pod UUID at the URL given as $1, as a pod that learnt another pod's token would.
const thiefScript = `echo "stolen=$(/bin/busybox wget -q -O - --header 'Metadata-Flavor: AppContainer' "$1" 2>/dev/null || echo refused)"`;

let probeImage: string;
let plainImage: string;
let thiefImage: string;
beforeAll(async () => {
  probeImage = busyboxImage(work.path, "example.com/mds-probe", shellApp(probeScript), {
    manifest: { annotations: [{ name: "lorem", value: "ipsum" }, { name: "authors", value: "rkt tests" }] },
  });
  plainImage = busyboxImage(work.path, "example.com/mds-plain", shellApp('echo "url=[$AC_METADATA_URL]"'));
  thiefImage = busyboxImage(work.path, "example.com/mds-thief", shellApp(thiefScript));
  await startService();
});
afterAll(() => {
  service?.kill("SIGTERM");
  collectPods(data.path);
  data.cleanup();
  work.cleanup();
});

function runPod(image: string, socket: string, flags: string[] = []) {
  const uuidFile = join(work.path, `uuid-${Math.random().toString(36).slice(2)}`);
  const args = ["--insecure-skip-verify", "run", `--uuid-file-save=${uuidFile}`, ...flags, ...(image ? [image] : [])];
  const result = rkt(data.path, args, { env: { RKT_METADATA_SOCKET: socket } });
  const uuid = existsSync(uuidFile) ? readFileSync(uuidFile, "utf8") : undefined;
  return { ...result, uuid };
}

function answers(stdout: string): Record<string, string> {
  return Object.fromEntries(
    stdout
      .split("\n")
      .map((line) => /^([a-z-]+)=(.*)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1]!, m[2]!]),
  );
}

describe("rkt metadata-service", () => {
  let probe: ReturnType<typeof runPod>;
  let said: Record<string, string>;
  beforeAll(() => {
    probe = runPod(probeImage, socketPath);
    said = answers(probe.stdout);
  });

  test("a registered pod's app is answered everything about its pod", () => {
    expect(probe.stderr).not.toContain("warning");
    expect(probe.exitCode).toBe(0);
    expect(said.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{32}$/);
    expect(said.uuid).toBe(probe.uuid!);
    const podManifest = JSON.parse(said["pod-manifest"]!);
    expect(podManifest.acKind).toBe("PodManifest");
    expect(podManifest.apps[0].name).toBe("mds-probe");
    expect(JSON.parse(said["image-manifest"]!).name).toBe("example.com/mds-probe");
    expect(said["image-id"]).toBe(podManifest.apps[0].image.id);
    expect(said.annotations!.trim().split(" ")).toEqual(["lorem", "authors"]);
    expect(said.lorem).toBe("ipsum");
    expect(Buffer.from(said.signature!, "base64")).toHaveLength(64);
    expect(said.verify).toBe("ok");
    expect(appStatuses(data.path, probe.uuid!)).toEqual({ "mds-probe": 0 });
  });

  test("a pod on a private network is answered through the host side of its network, and its token from nowhere else", async () => {
    const onNet = runPod(probeImage, socketPath, ["--private-net=default"]);
    expect(onNet.exitCode).toBe(0);
    const answered = answers(onNet.stdout);
    expect(answered.url).toMatch(/^http:\/\/172\.16\.28\.1:\d+\/[0-9a-f]{32}$/);
    expect(answered.uuid).toBe(onNet.uuid!);
    expect(answered.verify).toBe("ok");
    // The token is registered with the pod's address: another pod (on the host network or
    // on the same private network) and the host itself are refused, though they hold it.
    const uuidUrl = `${answered.url}/acMetadata/v1/pod/uuid`;
    const onLoopback = uuidUrl.replace("172.16.28.1", "127.0.0.1");
    const steal = (url: string, flags: string[]) => answers(runPod("", socketPath, ["--mds-register=false", ...flags, thiefImage, "--", url]).stdout).stolen;
    expect(steal(uuidUrl, [])).toBe("refused");
    expect(steal(onLoopback, [])).toBe("refused");
    expect(steal(uuidUrl, ["--private-net=default"])).toBe("refused");
    expect((await fetch(onLoopback, { headers: { "Metadata-Flavor": "AppContainer" } })).status).toBe(403);
    await expectLogged(`GET /${answered.url!.split("/").pop()}/acMetadata/v1/pod/uuid - 403`);
  });

  test("a host-network pod's token is answered only to the pod's processes: another pod and the host are refused", async () => {
    const signal = join(work.path, `signal-${Math.random().toString(36).slice(2)}`);
    mkdirSync(signal);
    const waiting = busyboxImage(work.path, "example.com/mds-waiting", shellApp(`
      echo "url=$AC_METADATA_URL"
      while ! test -e /signal/go; do sleep 0.05; done
      echo "uuid=$(/bin/busybox wget -q -O - --header 'Metadata-Flavor: AppContainer' "$AC_METADATA_URL/acMetadata/v1/pod/uuid")"
    `));
    const uuidFile = join(signal, "uuid");
    const runArgs = ["--insecure-skip-verify", "run", `--uuid-file-save=${uuidFile}`, `--volume=signal,kind=host,source=${signal}`, "--mount=volume=signal,target=/signal", waiting];
    const pod = Bun.spawn([rktBinary, `--dir=${data.path}`, ...runArgs], { stdin: "ignore", stdout: "pipe", stderr: "inherit", env: { ...process.env, RKT_METADATA_SOCKET: socketPath } });
    try {
      const reader = pod.stdout.getReader();
      let output = "";
      while (!output.includes("\n")) output += new TextDecoder().decode((await reader.read()).value);
      const url = answers(output).url!;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{32}$/);
      const uuidUrl = `${url}/acMetadata/v1/pod/uuid`;
      const stolen = runPod("", socketPath, ["--mds-register=false", thiefImage, "--", uuidUrl]);
      expect(answers(stolen.stdout).stolen).toBe("refused");
      expect((await fetch(uuidUrl, { headers: { "Metadata-Flavor": "AppContainer" } })).status).toBe(403);
      writeFileSync(join(signal, "go"), "");
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) output += new TextDecoder().decode(chunk.value);
      expect(await pod.exited).toBe(0);
      expect(answers(output).uuid).toBe(readFileSync(uuidFile, "utf8"));
    } finally {
      pod.kill("SIGKILL");
      await pod.exited;
    }
  });

  test("refuses a wrong signature, a request without Metadata-Flavor and an unknown token", async () => {
    expect(said["verify-other"]).toBe("refused");
    expect(said["no-header"]).toBe("refused");
    expect(said["unknown-token"]).toBe("refused");
    const uuidRequest = `/${said.url!.split("/").pop()}/acMetadata/v1/pod/uuid`;
    await expectLogged(`GET ${uuidRequest} - 404`);
    await expectLogged("GET /00000000000000000000000000000000/acMetadata/v1/pod/uuid - 401");
  });

  test("logs every request as METHOD URI - STATUS", async () => {
    const token = said.url!.split("/").pop();
    const uuidHex = probe.uuid!;
    // A host-network pod is registered with the PID of rkt run, which becomes its stage1.
    await expectLogged(new RegExp(`^PUT /pods/${uuidHex}\\?token=${token}&pid=\\d+ - 200$`));
    await expectLogged(`PUT /pods/${uuidHex}/mds-probe - 200`);
    await expectLogged(`GET /${token}/acMetadata/v1/pod/manifest - 200`);
    await expectLogged(`POST /${token}/acMetadata/v1/pod/hmac/sign - 200`);
    await expectLogged(`POST /${token}/acMetadata/v1/pod/hmac/verify - 200`);
    await expectLogged(`POST /${token}/acMetadata/v1/pod/hmac/verify - 403`);
    expect(existsSync(join(data.path, "pods", "run", uuidHex, "mds-registered"))).toBe(true);
  });

  test("gc unregisters the pod: its token is refused afterwards", async () => {
    // gc is not told the socket: the pod's marker names the service it registered with.
    collectPods(data.path);
    await expectLogged(`DELETE /pods/${probe.uuid} - 200`);
    const res = await fetch(`${said.url}/acMetadata/v1/pod/uuid`, { headers: { "Metadata-Flavor": "AppContainer" } });
    expect(res.status).toBe(401);
  });
});

describe("a pod manifest's annotations through the metadata service", () => {
  test("the app sees the pod's annotations and its pod-level app annotations over the image's", () => {
    const idOf = (image: string) => rkt(data.path, ["--insecure-skip-verify", "fetch", image]).stdout.trim();
    const asker = busyboxImage(work.path, "example.com/mds-asker", shellApp(`
      get() { /bin/busybox wget -q -O - --header 'Metadata-Flavor: AppContainer' "$AC_METADATA_URL/acMetadata/v1/$1"; }
      for name in $(get pod/annotations/); do echo "pod-$name=$(get pod/annotations/$name)"; done
      echo "lorem=$(get apps/asker/annotations/lorem)"
      echo "other-id=$(get apps/other/image/id)"
    `), { manifest: { annotations: [{ name: "lorem", value: "from-image" }] } });
    const manifest = {
      acKind: "PodManifest",
      acVersion: "0.6.1",
      apps: [
        { name: "asker", image: { id: idOf(asker) }, annotations: [{ name: "lorem", value: "from-pod" }] },
        { name: "other", image: { id: idOf(plainImage) } },
      ],
      annotations: [
        { name: "owner", value: "ops" },
        { name: "tier", value: "front" },
      ],
    };
    const file = join(work.path, "annotated-pod.json");
    writeFileSync(file, JSON.stringify(manifest));
    const r = runPod("", socketPath, [`--pod-manifest=${file}`]);
    expect(r.exitCode).toBe(0);
    const said = answers(r.stdout.replace(/^asker: /gm, ""));
    expect(said).toMatchObject({ "pod-owner": "ops", "pod-tier": "front", lorem: "from-pod" });
    expect(said["other-id"]).toMatch(/^sha512-[0-9a-f]{64}$/);
    expect(said["other-id"]!.startsWith(idOf(plainImage))).toBe(true);
  });
});

describe("rkt run-prepared with the metadata service", () => {
  test("registers the prepared pod and gives its app AC_METADATA_URL", async () => {
    const prepared = rkt(data.path, ["--insecure-skip-verify", "prepare", plainImage]);
    expect(prepared.exitCode).toBe(0);
    const uuid = prepared.stdout.trim().split("\n").pop()!;
    const r = rkt(data.path, ["run-prepared", uuid], { env: { RKT_METADATA_SOCKET: socketPath } });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/url=\[http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{32}\]/);
    await expectLogged(`PUT /pods/${uuid}/mds-plain - 200`);
  });
});

describe("rkt run without a metadata service", () => {
  test("warns in one line and runs the pod with an empty AC_METADATA_URL", () => {
    const r = runPod(plainImage, missingSocket);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("url=[]");
    const warnings = r.stderr.split("\n").filter((l) => l.includes("metadata service"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toStartWith("warning: cannot reach the metadata service on");
    expect(warnings[0]).toContain("AC_METADATA_URL is empty");
  });

  test("--mds-register=false runs without a word about it", () => {
    const r = runPod(plainImage, missingSocket, ["--mds-register=false"]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).not.toContain("metadata service");
    expect(r.stdout).toContain("url=[]");
  });

  test("an explicit --mds-register=true fails the run with 254 and says what to do", () => {
    const r = runPod(plainImage, missingSocket, ["--mds-register=true"]);
    expect(r.exitCode).toBe(254);
    expect(r.stderr).toContain("cannot reach the metadata service");
    expect(r.stderr).toContain("rkt metadata-service");
    expect(r.stdout).not.toContain("url=");
  });
});

describe("rkt run with a metadata service that never answers", () => {
  test("fails within the response timeout, naming the socket, instead of hanging", () => {
    const silentSocket = join(work.path, "silent.sock");
    // Accepts connections (the kernel's backlog does, while rkt runs) and never answers.
    const silent = Bun.listen({ unix: silentSocket, socket: { data() {} } });
    try {
      const args = ["--insecure-skip-verify", "run", "--mds-register=true", plainImage];
      const r = rkt(data.path, args, { env: { RKT_METADATA_SOCKET: silentSocket, RKT_HTTP_RESPONSE_TIMEOUT: "1" } });
      expect(r.exitCode).toBe(254);
      expect(r.stderr).toContain(`metadata service: ${silentSocket}: PUT /pods/`);
      expect(r.stderr).toContain("no answer within 1 s");
      expect(r.stdout).not.toContain("url=");
    } finally {
      silent.stop(true);
    }
  });
});

describe("rkt metadata-service started by systemd socket activation", () => {
  test("takes registrations on the socket it was passed, and leaves that socket to the activator", async () => {
    const activatedSocket = join(work.path, "activated", "metadata-svc.sock");
    mkdirSync(dirname(activatedSocket));
    // systemd-socket-activate binds the socket and execs the service at the first connection.
    const activator = Bun.spawn(["systemd-socket-activate", "-l", activatedSocket, rktBinary, "metadata-service", "--listen-port=0"], {
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    try {
      await waitFor("the activator's socket", () => (existsSync(activatedSocket) ? true : undefined));
      const r = runPod(probeImage, activatedSocket);
      expect(r.stderr).not.toContain("warning");
      expect(r.exitCode).toBe(0);
      expect(answers(r.stdout).uuid).toBe(r.uuid!);
      activator.kill("SIGTERM");
      expect(await activator.exited).toBe(0);
      const log = await new Response(activator.stdout).text();
      expect(log).toStartWith("metadata service listening on port ");
      expect(log).toContain(", registrations on the socket passed as fd 3 (socket activation)\n");
      expect(log).toContain(`PUT /pods/${r.uuid}/mds-probe - 200\n`);
      expect(existsSync(activatedSocket)).toBe(true);
    } finally {
      activator.kill("SIGKILL");
      await activator.exited;
    }
  });
});
