// actool validate: what a file is (image, layout directory, manifest) and whether it is valid.
import { readFile, stat } from "node:fs/promises";
import { detectCompression, readFileHead } from "./aci-compression";
import { validateAciArchive } from "./aci-archive";
import { validateLayout } from "./aci-build";
import { isJsonObject } from "./json-checks";
import { imageManifestProblems } from "./image-manifest";
import { describeProblems } from "./manifest-error";
import { parseJson } from "./manifest-json";
import { podManifestProblems } from "./pod-manifest";

export type ValidationType = "appimage" | "layout" | "manifest";

export type ValidationResult = { ok: true; kind: string } | { ok: false; kind: string; reason: string };

const kindNames: Record<ValidationType, string> = {
  appimage: "app container image",
  layout: "image layout",
  manifest: "manifest",
};

async function detectType(path: string): Promise<ValidationType> {
  if ((await stat(path)).isDirectory()) return "layout";
  const head = await readFileHead(path);
  try {
    detectCompression(head);
    return "appimage";
  } catch {
    if (/^\s*\{/.test(new TextDecoder().decode(head))) return "manifest";
    throw new Error("unknown filetype");
  }
}

async function validateManifestFile(path: string): Promise<ValidationResult> {
  let value: unknown;
  try {
    value = parseJson(await readFile(path, "utf8"));
  } catch (err) {
    return { ok: false, kind: "manifest", reason: (err as Error).message };
  }
  const kind = isJsonObject(value) ? value.acKind : undefined;
  if (kind !== "ImageManifest" && kind !== "PodManifest") {
    return { ok: false, kind: "manifest", reason: kind === undefined ? "acKind: must be set" : `acKind: bad ACKind: ${String(kind)}` };
  }
  const problems = (kind === "ImageManifest" ? imageManifestProblems : podManifestProblems)(value);
  if (problems.list.length === 0) return { ok: true, kind };
  return { ok: false, kind, reason: describeProblems(problems.list) };
}

/** Validates one file; `type` is detected when not given. Never throws. */
export async function validateFile(path: string, type?: ValidationType): Promise<ValidationResult> {
  let detected: ValidationType;
  try {
    detected = type ?? (await detectType(path));
  } catch (err) {
    return { ok: false, kind: "file", reason: (err as Error).message };
  }
  if (detected === "manifest") return validateManifestFile(path);
  try {
    if (detected === "layout") await validateLayout(path);
    else await validateAciArchive(path);
    return { ok: true, kind: kindNames[detected] };
  } catch (err) {
    return { ok: false, kind: kindNames[detected], reason: (err as Error).message };
  }
}
