// A Docker image config blob as it comes from a registry: parsed and checked field by field
// before conversion, so a wrong JSON type is reported at its field and with the blob's
// digest (`docker image config sha256:...: config.Entrypoint: must be a list`), never as a
// JavaScript error from deep in the conversion.
import { asObject, isJsonObject, parseJson, Problems, stringField, stringListField, type JsonObject } from "../appc";
import type { DockerImageConfig } from "./manifest-conversion";

export function parseImageConfig(bytes: Uint8Array, digest: string): DockerImageConfig {
  const source = `docker image config ${digest}`;
  const value = parseJson(new TextDecoder().decode(bytes), source);
  const problems = new Problems();
  const top = asObject(value, "", problems);
  const config: DockerImageConfig = {};
  if (top) {
    for (const key of ["architecture", "os", "author", "created", "comment"] as const) config[key] = stringField(top, key, "", problems, false);
    if (top.config !== undefined && top.config !== null) {
      const c = asObject(top.config, "config", problems);
      if (c) {
        config.config = {
          User: stringField(c, "User", "config", problems, false),
          Env: stringListField(c, "Env", "config", problems),
          Entrypoint: stringListField(c, "Entrypoint", "config", problems),
          Cmd: stringListField(c, "Cmd", "config", problems),
          WorkingDir: stringField(c, "WorkingDir", "config", problems, false),
          Volumes: objectOrNull(c, "Volumes", problems),
          ExposedPorts: objectOrNull(c, "ExposedPorts", problems),
        };
      }
    }
  }
  problems.throwIfAny(source);
  return config;
}

/** A set written as a JSON object (`{"/data": {}}`); absent and null are empty. */
function objectOrNull(obj: JsonObject, key: string, problems: Problems): JsonObject | null {
  const value = obj[key];
  if (value === undefined || value === null) return null;
  if (isJsonObject(value)) return value;
  problems.add(`config.${key}`, "must be an object");
  return null;
}
