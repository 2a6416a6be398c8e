// Values of actool patch-manifest's flags, parsed into manifest types: `--mounts`,
// `--ports`, `--isolators` (each a `:`-separated list) and `--capability`.
import { isCapabilityName, parseNameKeyValues, type Isolator, type MountPoint, type Port } from "../appc";

function integer(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`${what}: "${text}" is not a number`);
  return Number(text);
}

/** `--mounts=name,path=/p[,readOnly=true][:...]` */
export function parseMountPointsFlag(text: string): MountPoint[] {
  return text.split(":").map((item) => {
    const { name, values } = parseNameKeyValues(item, { path: "string", readOnly: "boolean" }, "mount");
    const mount: MountPoint = { name, path: (values.path as string | undefined) ?? "" };
    if (values.readOnly !== undefined) mount.readOnly = values.readOnly as boolean;
    return mount;
  });
}

/** `--ports=name,protocol=tcp,port=80[,count=1][,socketActivated=true][:...]` */
export function parsePortsFlag(text: string): Port[] {
  return text.split(":").map((item) => {
    const { name, values } = parseNameKeyValues(item, { protocol: "string", port: "string", count: "string", socketActivated: "boolean" }, "port");
    return {
      name,
      protocol: (values.protocol as string | undefined) ?? "",
      port: integer((values.port as string | undefined) ?? "", `port ${name}`),
      count: values.count === undefined ? 1 : integer(values.count as string, `port ${name} count`),
      socketActivated: (values.socketActivated as boolean | undefined) ?? false,
    };
  });
}

/** `--isolators=resource/cpu,request=50,limit=100[:...]` */
export function parseIsolatorsFlag(text: string): Isolator[] {
  return text.split(":").map((item) => {
    const { name, values } = parseNameKeyValues(item, { request: "string", limit: "string", default: "boolean" }, "isolator");
    return { name, value: values };
  });
}

/** `--capability=CAP_A,CAP_B` */
export function parseCapabilitiesFlag(text: string): string[] {
  const caps = text.split(",").filter((c) => c !== "");
  for (const cap of caps) if (!isCapabilityName(cap)) throw new Error(`unknown capability "${cap}"`);
  return caps;
}
