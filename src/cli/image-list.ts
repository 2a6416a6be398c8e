import { withStore, type StoredImage } from "../store";
import { rktCommand } from "./command";
import { UsageError } from "./errors";
import { alignTabbed } from "./tabwriter";
import { printOut } from "./output";
import { formatJson, formatFlag, parseOutputFormat } from "./output-format";

type Field = "key" | "appname" | "importtime" | "latest";

const headers: Record<Field, string> = { key: "KEY", appname: "APPNAME", importtime: "IMPORTTIME", latest: "LATEST" };
const sortable: readonly Field[] = ["appname", "importtime"];

const cell: Record<Field, (image: StoredImage) => string> = {
  key: (image) => image.key,
  appname: (image) => (image.version ? `${image.name}:${image.version}` : image.name),
  importtime: (image) => formatGoTime(image.importTime),
  latest: (image) => String(image.latest),
};

const compare: Record<string, (a: StoredImage, b: StoredImage) => number> = {
  appname: (a, b) => (cell.appname(a) < cell.appname(b) ? -1 : cell.appname(a) > cell.appname(b) ? 1 : 0),
  importtime: (a, b) => a.importTime.getTime() - b.importTime.getTime(),
};

/** rkt 1.x's `api/v1.ImageListEntry` for the fields we have (docs/json-output.md). */
function apiImage(image: StoredImage): { id: string; name: string; import_time: number } {
  // Nanoseconds since the epoch, as rkt 1.x; the store keeps milliseconds.
  return { id: image.key, name: cell.appname(image), import_time: image.importTime.getTime() * 1_000_000 };
}

/** Parses a comma-separated field list: case-insensitive, each field at most once. */
function parseFields(list: string, allowed: readonly Field[], flag: string): Field[] {
  const fields: Field[] = [];
  for (const raw of list.split(",")) {
    const field = raw.trim().toLowerCase() as Field;
    if (!allowed.includes(field)) throw new UsageError(`--${flag}: unknown field "${raw}" (must be one of ${allowed.join(", ")})`);
    if (fields.includes(field)) throw new UsageError(`--${flag}: field "${raw}" given more than once`);
    fields.push(field);
  }
  return fields;
}

export default rktCommand({
  usage: "[--fields=F,...] [--sort=F,...] [--order=asc|desc] [--no-legend] [--full] [--format=json|json-pretty]",
  args: {
    fields: { type: "string", default: "key,appname,importtime,latest", description: "comma separated list of fields to display. Accepted values: key, appname, importtime, latest" },
    sort: { type: "string", default: "importtime", description: "sort the output according to the provided comma separated list of fields. Accepted values: appname, importtime" },
    order: { type: "enum", options: ["asc", "desc"], default: "asc", description: "choose the sorting order if at least one sort field is provided (--sort). Accepted values: asc, desc" },
    "no-legend": { type: "boolean", default: false, description: "suppress a legend with the list" },
    full: { type: "boolean", default: false, description: "accepted for symmetry with rkt list; keys are always shown in full" },
    format: formatFlag,
  },
  run({ args, globals }) {
    const fields = parseFields(args.fields as string, Object.keys(headers) as Field[], "fields");
    const sortFields = parseFields(args.sort as string, sortable, "sort");
    const direction = args.order === "desc" ? -1 : 1;
    const format = parseOutputFormat(args.format);
    return withStore(globals.dir, (store) => {
      const images = store.listImages().sort((a, b) => {
        for (const f of sortFields) {
          const c = compare[f]!(a, b);
          if (c !== 0) return c * direction;
        }
        return 0;
      });
      if (format) return printOut(formatJson(images.map(apiImage), format));
      const rows = images.map((image) => fields.map((f) => cell[f](image)));
      if (!args["no-legend"]) rows.unshift(fields.map((f) => headers[f]));
      return printOut(alignTabbed(rows.map((r) => `${r.join("\t")}\t\n`).join("")));
    });
  },
});

/** Go's time layout `2006-01-02 15:04:05.999 -0700 MST` in the local time zone. */
function formatGoTime(t: Date): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  const millis = t.getMilliseconds() ? `.${pad(t.getMilliseconds(), 3).replace(/0+$/, "")}` : "";
  const offsetMinutes = -t.getTimezoneOffset();
  const sign = offsetMinutes < 0 ? "-" : "+";
  const offset = `${sign}${pad(Math.floor(Math.abs(offsetMinutes) / 60))}${pad(Math.abs(offsetMinutes) % 60)}`;
  const date = `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}`;
  const time = `${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}${millis}`;
  return `${date} ${time} ${offset} ${zoneAbbreviation(t, offset)}`;
}

/** The zone's abbreviation (UTC, CEST, EDT); Go prints the numeric offset when there is none. */
function zoneAbbreviation(t: Date, offset: string): string {
  for (const locale of ["en-US", "en-GB"]) {
    const name = new Intl.DateTimeFormat(locale, { timeZoneName: "short" }).formatToParts(t).find((p) => p.type === "timeZoneName")?.value;
    if (name && !/^GMT[+-]/.test(name)) return name;
  }
  return offset;
}
