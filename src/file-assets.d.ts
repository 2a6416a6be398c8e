// Files embedded by `bun build --compile` (`with { type: "file" }`) import as their path:
// the stage1 image (src/pod/embedded-stage1.ts) and the native library (src/sys/native.ts).
// The stage1 image's ID (`with { type: "text" }`, src/pod/embedded-stage1-id.ts) imports as its text.
declare module "*.aci" {
  const path: string;
  export default path;
}

declare module "*.so" {
  const path: string;
  export default path;
}

declare module "*.id" {
  const text: string;
  export default text;
}
