// Values of the pod flags of run and prepare, parsed into domain types: `--volume`
// (rkt-cli §3.1.1), `--mount` (a later rkt flag) and `--port` (rkt-internals §10.4). Their
// errors say what is wrong with the value; parseFlagValue names the flag and the value.
import { isAbsolute } from "node:path";
import { acNameProblem, controlCharacterProblem, parseGoBool, type ExposedPort, type Volume } from "../appc";
import type { MountFlag } from "../pod";

/** `key=value` pairs separated by `,`, values percent-decoded, each key at most once. */
function parseParams(text: string, what: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const part of text.split(",")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const key = decodeURIComponent(eq === -1 ? part : part.slice(0, eq));
    const value = eq === -1 ? "" : decodeURIComponent(part.slice(eq + 1));
    if (params.has(key)) throw new Error(`${what} parameter "${key}" specified more than once`);
    params.set(key, value);
  }
  return params;
}

/** `NAME,kind=host,source=PATH[,readOnly=BOOL]` or `NAME,kind=empty[,readOnly=BOOL]`. */
export function parseVolumeFlag(text: string): Volume {
  // Before the text is quoted in any message below.
  const textProblem = controlCharacterProblem(text);
  if (textProblem) throw new Error(textProblem);
  const comma = text.indexOf(",");
  const name = comma === -1 ? text : text.slice(0, comma);
  const nameProblem = acNameProblem(name);
  if (nameProblem) throw new Error(`volume name ${nameProblem}`);
  const params = parseParams(comma === -1 ? "" : text.slice(comma + 1), "volume");
  const volume: Partial<Volume> & { name: string } = { name };
  for (const [key, value] of params) {
    switch (key) {
      case "kind":
        if (value !== "host" && value !== "empty") throw new Error(`unrecognized volume kind "${value}": should be one of "empty", "host"`);
        volume.kind = value;
        break;
      case "source": {
        const problem = controlCharacterProblem(value);
        if (problem) throw new Error(`source ${problem}`);
        volume.source = value;
        break;
      }
      case "readOnly":
        volume.readOnly = parseGoBool(value);
        if (volume.readOnly === undefined) throw new Error(`invalid argument "${value}" for readOnly: must be true or false`);
        break;
      default:
        throw new Error(`unknown volume parameter "${key}"`);
    }
  }
  if (volume.kind === undefined) throw new Error(`unrecognized volume kind: should be one of "empty", "host"`);
  if (volume.kind === "host") {
    if (!volume.source) throw new Error("source for host volume cannot be empty");
    if (!isAbsolute(volume.source)) throw new Error("source for host volume must be absolute path");
  } else if (volume.source !== undefined) {
    throw new Error("source for empty volume must be empty");
  }
  return volume as Volume;
}

/** `volume=NAME,target=PATH`: mount a pod volume at PATH in every app. */
export function parseMountFlag(text: string): MountFlag {
  const params = parseParams(text, "mount");
  for (const key of params.keys()) {
    if (key !== "volume" && key !== "target") throw new Error(`unknown mount parameter "${key}"`);
  }
  const volume = params.get("volume");
  const target = params.get("target");
  for (const [key, value] of params) {
    const problem = controlCharacterProblem(value);
    if (problem) throw new Error(`${key} ${problem}`);
  }
  if (!volume || !target) throw new Error("must be volume=NAME,target=PATH");
  if (!isAbsolute(target)) throw new Error("target must be an absolute path");
  return { volume, target };
}

/** `NAME:HOSTPORT` as the pod manifest's exposed port. */
export function parsePortFlag(value: string): ExposedPort {
  const match = /^([a-z0-9][a-z0-9-]*):(\d+)$/.exec(value);
  const hostPort = match ? Number(match[2]) : 0;
  if (!match || hostPort < 1 || hostPort > 65535) throw new Error("not NAME:HOSTPORT (a port name of an app and a host port 1-65535)");
  return { name: match[1]!, hostPort };
}
