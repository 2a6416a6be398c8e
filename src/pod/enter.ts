// `rkt enter` (rkt-cli §3.9, rkt-internals §5.3): find the running pod's PID 1 and the
// app, then execve the stage1 `enter` entrypoint, which joins the pod's namespaces and
// runs the command chrooted in the app's root. Its exit status is the command's.
import { lstatSync, writeSync } from "node:fs";
import { join } from "node:path";
import { libc } from "../sys";
import { Pod } from "./pod";
import { publishedPodPid, readPodManifest, readStage1Id } from "./pod-files";
import { readPodStage1Manifest, stage1Entrypoint } from "./stage1-image";

/** `--app`, or the pod's only app; with several and no `--app`, rkt's message. */
export function chooseApp(appNames: readonly string[], wanted: string | undefined): string {
  if (wanted !== undefined) {
    if (!appNames.includes(wanted)) throw new Error(`app "${wanted}" not found in the pod (apps: ${appNames.join(", ")})`);
    return wanted;
  }
  if (appNames.length === 1) return appNames[0]!;
  throw new Error(
    ["Pod contains multiple apps:", ...appNames.map((n) => `\t${n}`), 'Unable to determine app name: specify app using "rkt enter --app= ..."'].join("\n"),
  );
}

function existsNoFollow(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * `/bin/bash`, or `/bin/sh` when the app's root has no bash. The root is looked at
 * through the pod's PID 1, so overlay and copied roots are the same to us.
 */
function defaultEnterCommand(podPid: number, appName: string): string[] {
  const appRoot = `/proc/${podPid}/root/opt/stage2/${appName}/rootfs`;
  return existsNoFollow(join(appRoot, "bin/bash")) || !existsNoFollow(join(appRoot, "bin/sh")) ? ["/bin/bash"] : ["/bin/sh"];
}

export interface EnterRequest {
  dataDir: string;
  uuid: string;
  app?: string;
  /** Empty: the default shell. */
  command: string[];
  /** The stage1 tree of a key (`cas/tree/<key>`), from the store. */
  stage1Tree: (key: string) => Promise<string>;
}

/** Replaces this process with stage1's `enter` for the pod's app. */
export async function enterPod(req: EnterRequest): Promise<never> {
  const pod = Pod.resolve(req.dataDir, req.uuid);
  const pid = pod.state() === "running" ? publishedPodPid(pod) : undefined;
  if (pid === undefined) throw new Error(`Pod "${pod.uuid}" isn't currently running`);
  const appName = chooseApp(
    readPodManifest(pod.path).apps.map((a) => a.name),
    req.app,
  );
  let command = req.command;
  if (command.length === 0) {
    command = defaultEnterCommand(pid, appName);
    // Written synchronously: execve follows, and nothing buffered would be flushed.
    writeSync(2, `No command specified, assuming "${command[0]}"\n`);
  }
  const stage1Key = readStage1Id(pod.path);
  if (!stage1Key) throw new Error(`pod ${pod.uuid} has no stage1ID`);
  const entrypoint = stage1Entrypoint(readPodStage1Manifest(pod.path), "enter");
  const program = join(await req.stage1Tree(stage1Key), "rootfs", entrypoint);
  process.chdir(pod.path);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
  return libc.execve(program, [program, `--pid=${pid}`, `--appname=${appName}`, "--", ...command], env);
}
