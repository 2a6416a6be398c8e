// Telling that an image is stored without the index, from its rendered tree. The tree's
// `rendered` marker exists only while the image's index row does: a render writes it after
// checking the row, holding the tree lock, and a removal takes it away, holding the same
// lock, before the row goes (Store.removeImage). So a start whose images are named by ID
// and already rendered opens no sqlite at all.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { normalizeImageKey } from "../appc";
import type { StoreLayout } from "./layout";
import { needsProof } from "./written-this-boot";

export const RENDERED_MARKER = "rendered";

const STORE_KEY_LENGTH = "sha512-".length + 64;

/** The `rendered` marker's mark (written-this-boot.ts); undefined when the tree is not complete. */
export function readRenderedMark(layout: StoreLayout, key: string): string | undefined {
  try {
    return readFileSync(join(layout.tree(key), RENDERED_MARKER), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/**
 * The store key of the image `id` (an image ID or a prefix of one) when its tree is
 * rendered and needs no proof and its manifest copy is there, which makes it stored;
 * undefined when only the index can tell: not an ID, not rendered, to be proven after a
 * reboot, without its manifest copy, or a prefix that more than one stored manifest matches.
 */
export function renderedImageKey(layout: StoreLayout, id: string): string | undefined {
  let prefix: string;
  try {
    prefix = normalizeImageKey(id);
  } catch {
    return undefined;
  }
  const key = prefix.length === STORE_KEY_LENGTH ? keyWithManifest(layout, prefix) : onlyManifestWithPrefix(layout, prefix);
  if (key === undefined) return undefined;
  const mark = readRenderedMark(layout, key);
  return mark !== undefined && !needsProof(mark) ? key : undefined;
}

/** `key` when its manifest copy is there: an older rkt's removal took that away before the tree's marker. */
function keyWithManifest(layout: StoreLayout, key: string): string | undefined {
  return existsSync(layout.manifest(key)) ? key : undefined;
}

/**
 * The one manifest copy whose key starts with `prefix`. Every stored image has one (its
 * files are in place before its row), so a single match is the only stored image the
 * prefix can name.
 */
function onlyManifestWithPrefix(layout: StoreLayout, prefix: string): string | undefined {
  let names: string[];
  try {
    names = readdirSync(dirname(layout.manifest(prefix)));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  const matches = names.filter((name) => name.startsWith(prefix));
  return matches.length === 1 ? matches[0] : undefined;
}
