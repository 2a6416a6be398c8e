// Every string field of every file stage0 hands to stage1, written with the values that
// broke the old line formats: each comes back from the file exactly, or is refused with
// one line naming the file before anything is written.
import { describe, expect, test } from "bun:test";
import type { ImageManifest } from "../../../src/appc";
import { decodeRecords, encodeRecords, FieldLimit } from "../../../src/pod/contract-records";
import { renderRuntimePlan, type AppPlan, type RenderedPlan, type RuntimePlan } from "../../../src/pod/runtime-plan";

const image: ImageManifest = { acKind: "ImageManifest", acVersion: "0.6.1", name: "example.com/web" };

function basePlan(): RuntimePlan {
  const app: AppPlan = {
    name: "web",
    image,
    ids: { uid: 0, gid: 0, groups: [0] },
    mounts: [
      { volume: { name: "data", kind: "host", source: "/srv/data" }, path: "/data", readOnly: false },
      { volume: { name: "scratch", kind: "empty" }, path: "/scratch", readOnly: true },
    ],
    app: {
      exec: ["/bin/web", "arg"],
      user: "0",
      group: "0",
      workingDirectory: "/srv",
      environment: [{ name: "A", value: "1" }],
      eventHandlers: [
        { name: "pre-start", exec: ["/bin/setup", "arg"] },
        { name: "post-stop", exec: ["/bin/teardown", "arg"] },
      ],
    },
  };
  return { apps: [app], podIsolators: null, metadataUrl: "" };
}

interface ContractField {
  /** Puts `value` into the field. */
  set: (app: AppPlan, value: string) => void;
  /** The file below the stage1 root that holds the field, its fields per record, and where. */
  file: string;
  fieldsPerRecord: number;
  read: (records: string[][]) => string;
  limit: number;
}

const fields: Record<string, ContractField> = {
  "an argument of exec": { set: (a, v) => (a.app.exec[1] = v), file: "rkt/app/web/exec", fieldsPerRecord: 1, read: (r) => r[1]![0]!, limit: FieldLimit.string },
  "an argument of pre-start": { set: (a, v) => (a.app.eventHandlers![0]!.exec[1] = v), file: "rkt/app/web/pre-start", fieldsPerRecord: 1, read: (r) => r[1]![0]!, limit: FieldLimit.string },
  "an argument of post-stop": { set: (a, v) => (a.app.eventHandlers![1]!.exec[1] = v), file: "rkt/app/web/post-stop", fieldsPerRecord: 1, read: (r) => r[1]![0]!, limit: FieldLimit.string },
  "an environment value": {
    set: (a, v) => (a.app.environment![0]!.value = v),
    file: "rkt/env/web",
    fieldsPerRecord: 1,
    read: (r) => r.map(([e]) => e!).find((e) => e.startsWith("A="))!.slice(2),
    limit: FieldLimit.string - "A=".length,
  },
  "the working directory": { set: (a, v) => (a.app.workingDirectory = v), file: "rkt/app/web/workdir", fieldsPerRecord: 1, read: (r) => r[0]![0]!, limit: FieldLimit.path },
  "a host volume source": { set: (a, v) => (a.mounts[0]!.volume.source = v), file: "rkt/app/web/mounts", fieldsPerRecord: 4, read: (r) => r[0]![1]!, limit: FieldLimit.path },
  "a mount target": { set: (a, v) => (a.mounts[0]!.path = v), file: "rkt/app/web/mounts", fieldsPerRecord: 4, read: (r) => r[0]![2]!, limit: FieldLimit.path },
  "an empty volume name": { set: (a, v) => (a.mounts[1]!.volume.name = v), file: "rkt/app/web/mounts", fieldsPerRecord: 4, read: (r) => r[1]![1]!, limit: FieldLimit.path },
};

/** Values that round-trip: the encoding has no escape character and no line structure. */
const carried: Record<string, string> = {
  TAB: "/a\tb",
  newline: "/a\nhost\t/\t/hostroot\trw",
  backslash: "/a\\0b\\",
};

function fileOf(rendered: RenderedPlan, path: string): Buffer {
  const file = rendered.files.find((f) => f.path === path);
  if (!file) throw new Error(`no ${path} in the plan`);
  return Buffer.from(file.content);
}

function renderWith(field: ContractField, value: string): RenderedPlan {
  const plan = basePlan();
  field.set(plan.apps[0]!, value);
  return renderRuntimePlan(plan);
}

describe("the files stage0 hands to stage1", () => {
  for (const [fieldName, field] of Object.entries(fields)) {
    describe(fieldName, () => {
      test.each(Object.entries(carried))("keeps a %s", (_what, value) => {
        const rendered = renderWith(field, value);
        const records = decodeRecords(fileOf(rendered, field.file), field.fieldsPerRecord, field.file);
        expect(field.read(records)).toBe(value);
      });

      test("keeps a value of the longest length stage1 reads", () => {
        // Two-byte characters: the limit counts UTF-8 bytes, not JavaScript characters.
        const value = "/" + "é".repeat(Math.floor((field.limit - 1) / 2)) + "a".repeat((field.limit - 1) % 2);
        expect(Buffer.byteLength(value)).toBe(field.limit);
        const rendered = renderWith(field, value);
        expect(field.read(decodeRecords(fileOf(rendered, field.file), field.fieldsPerRecord, field.file))).toBe(value);
      });

      test.each([
        ["a NUL", "/a\0b", /field \d+ holds a NUL character/],
        ["a value one byte too long", "/" + "a".repeat(field.limit), /field \d+ is \d+ bytes long, at most \d+ allowed/],
        ["a value that is not UTF-8 (a lone surrogate)", "/a\ud800b", /field \d+ is not valid Unicode/],
      ])("refuses %s, naming the file", (_what, value, reason) => {
        expect(() => renderWith(field, value)).toThrow(/^cannot hand .* of app "web" to stage1: /);
        expect(() => renderWith(field, value)).toThrow(reason);
      });
    });
  }

  test("the app names, one field each", () => {
    const plan = basePlan();
    const rendered = renderRuntimePlan(plan);
    expect(decodeRecords(fileOf(rendered, "rkt/apps"), 1, "apps")).toEqual([["web"]]);
    plan.apps[0]!.name = "web\0forged";
    expect(() => renderRuntimePlan(plan)).toThrow("cannot hand the app names to stage1: field 1 holds a NUL character");
  });

  test("decoding refuses what the encoder cannot have written", () => {
    expect(() => decodeRecords(Buffer.from("a\0b"), 1, "f")).toThrow("f: the last field has no NUL terminator");
    expect(() => decodeRecords(Buffer.from("a\0b\0c\0"), 2, "f")).toThrow("f: 3 fields do not make records of 2 fields");
    expect(decodeRecords(Buffer.alloc(0), 4, "f")).toEqual([]);
    expect(encodeRecords([["a", ""], ["", "b"]], FieldLimit.name, "f").toString()).toBe("a\0\0\0b\0");
  });
});
