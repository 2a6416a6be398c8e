// Credentials for downloads from `auth.d` (rkt-internals.md §8.1-8.3): `auth` files give
// HTTP headers per exact host[:port], sent only over https; `dockerAuth` files give Basic
// credentials per docker registry. System config first, local config overrides per entry.
import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { basicAuthorization, type BasicCredentials } from "../http";

export interface ConfigDirs {
  systemConfig: string;
  localConfig: string;
}

export interface AuthConfig {
  /** The Authorization header for `url`: only for https and the exact host[:port]. */
  headersFor(url: string): Record<string, string>;
  dockerCredentials(registry: string): BasicCredentials | undefined;
}

const KINDS = ["auth", "dockerAuth"];

export function readAuthConfig(dirs: ConfigDirs): AuthConfig {
  const headers = new Map<string, Record<string, string>>();
  const docker = new Map<string, BasicCredentials>();
  try {
    for (const config of [dirs.systemConfig, dirs.localConfig]) {
      const root = readAuthDir(join(config, "auth.d"));
      for (const [domain, header] of root.headers) headers.set(domain, header);
      for (const [registry, credentials] of root.docker) docker.set(registry, credentials);
    }
  } catch (err) {
    throw new Error(`cannot get configuration: ${(err as Error).message}`);
  }
  return {
    headersFor(url) {
      const parsed = new URL(url);
      if (parsed.protocol !== "https:") return {};
      return headers.get(parsed.host) ?? {};
    },
    dockerCredentials: (registry) => docker.get(registry),
  };
}

function readAuthDir(dir: string) {
  const headers = new Map<string, Record<string, string>>();
  const docker = new Map<string, BasicCredentials>();
  for (const file of configFiles(dir)) {
    const json = readConfigJson(file);
    if (json.rktKind === "auth") {
      const header = authHeader(json, file);
      for (const domain of nonEmptyList(json.domains, "no domains specified", file)) {
        if (headers.has(domain)) throw new Error(`auth for domain "${domain}" is already specified`);
        headers.set(domain, header);
      }
    } else {
      const credentials = basicCredentials(json.credentials, file);
      for (const registry of nonEmptyList(json.registries, "no registries specified", file)) {
        if (docker.has(registry)) throw new Error(`credentials for docker registry "${registry}" are already specified`);
        docker.set(registry, credentials);
      }
    }
  }
  return { headers, docker };
}

/** Regular `*.json` files directly in `dir`, in lexical order; symlinks and subdirectories are skipped. */
function configFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  return names
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => join(dir, name))
    .filter((path) => lstatSync(path).isFile());
}

type ConfigJson = Record<string, unknown>;

function readConfigJson(file: string): ConfigJson {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`failed to parse "${file}": ${(err as Error).message}`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new Error(`"${file}" is not a JSON object`);
  const config = json as ConfigJson;
  if (typeof config.rktKind !== "string" || config.rktKind === "") throw new Error(`no rktKind specified in "${file}"`);
  if (typeof config.rktVersion !== "string" || config.rktVersion === "") throw new Error(`no rktVersion specified in "${file}"`);
  if (!KINDS.includes(config.rktKind)) {
    throw new Error(`the configuration directory "${join(file, "..")}" expects to have configuration files of kinds "auth", "dockerAuth", but "${file}" has kind of "${config.rktKind}"`);
  }
  if (config.rktVersion !== "v1") throw new Error(`no parser available for configuration of kind "${config.rktKind}" and version "${config.rktVersion}"`);
  return config;
}

function authHeader(config: ConfigJson, file: string): Record<string, string> {
  if (typeof config.type !== "string" || config.type === "") throw new Error(`no auth type specified in "${file}"`);
  if (config.type === "basic") {
    return { Authorization: basicAuthorization(basicCredentials(config.credentials, file)) };
  }
  if (config.type === "oauth") {
    const token = (config.credentials as ConfigJson | undefined)?.token;
    if (typeof token !== "string" || token === "") throw new Error(`no oauth bearer token specified in "${file}"`);
    return { Authorization: `Bearer ${token}` };
  }
  throw new Error(`unknown auth type: "${config.type}" in "${file}"`);
}

function basicCredentials(credentials: unknown, file: string): BasicCredentials {
  const { user, password } = (credentials ?? {}) as ConfigJson;
  if (typeof user !== "string" || user === "") throw new Error(`user not specified in "${file}"`);
  if (typeof password !== "string" || password === "") throw new Error(`password not specified in "${file}"`);
  return { user, password };
}

function nonEmptyList(value: unknown, missing: string, file: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === "string" && v !== "")) throw new Error(`${missing} in "${file}"`);
  return value as string[];
}
