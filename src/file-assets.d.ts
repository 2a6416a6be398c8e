// Files embedded by `bun build --compile` (`with { type: "file" }`) import as their path:
// the stage1 image (src/pod/embedded-stage1.ts) and the native library (src/sys/native.ts).
declare module "*.aci" {
  const path: string;
  export default path;
}

declare module "*.so" {
  const path: string;
  export default path;
}
