// The pure half of appc discovery (appc.md §3.2, §3.4): reading `ac-discovery` and
// `ac-discovery-pubkeys` meta tags out of an HTML page, and rendering URL templates.
import type { Label } from "./types";

export interface DiscoveryTag {
  /** `ac-discovery` (an image URL template) or `ac-discovery-pubkeys` (a key URL). */
  kind: string;
  prefix: string;
  url: string;
}

const META_TAG = /<meta\b((?:[^>"']|"[^"]*"|'[^']*')*)\/?>/gi;
const ATTRIBUTE = /([^\s=/>]+)\s*(?:=\s*("[^"]*"|'[^']*'|[^\s>]+))?/g;

/** Every `<meta name="ac-..." content="PREFIX URL">` of the page, in document order. */
export function parseDiscoveryTags(html: string): DiscoveryTag[] {
  const tags: DiscoveryTag[] = [];
  for (const [, attributeText] of html.matchAll(META_TAG)) {
    const attributes = parseAttributes(attributeText ?? "");
    const kind = attributes.get("name") ?? "";
    if (!kind.startsWith("ac-")) continue;
    const content = (attributes.get("content") ?? "").trim();
    const space = content.search(/\s/);
    if (space === -1) continue;
    const prefix = content.slice(0, space);
    const url = content.slice(space + 1).trim();
    if (prefix === "" || url === "") continue;
    tags.push({ kind, prefix, url });
  }
  return tags;
}

function parseAttributes(text: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const [, rawName, rawValue] of text.matchAll(ATTRIBUTE)) {
    const name = rawName!.toLowerCase();
    if (name.includes(":") || attributes.has(name)) continue; // namespaced, or not the first
    const unquoted = rawValue === undefined ? "" : /^["']/.test(rawValue) ? rawValue.slice(1, -1) : rawValue;
    attributes.set(name, decodeEntities(unquoted));
  }
  return attributes;
}

const NAMED_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity[0] === "#") {
      const code = entity[1] === "x" || entity[1] === "X" ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
      return String.fromCodePoint(code);
    }
    return NAMED_ENTITIES[entity.toLowerCase()] ?? whole;
  });
}

/**
 * Fills `{name}`, `{ext}` and `{label}` for every label (`version` is `latest` when not
 * requested); undefined when a `{...}` is left over.
 */
export function renderDiscoveryTemplate(template: string, name: string, labels: Label[], ext: "aci" | "aci.asc"): string | undefined {
  const values = new Map<string, string>([["version", "latest"]]);
  for (const label of labels) values.set(label.name, label.value);
  values.set("name", name);
  values.set("ext", ext);
  let rendered = template;
  for (const [key, value] of values) rendered = rendered.replaceAll(`{${key}}`, value);
  return /\{[^}]*\}/.test(rendered) ? undefined : rendered;
}
