// Files embedded by `bun build --compile` (`with { type: "file" }`) import as their path.
declare module "*.aci" {
  const path: string;
  export default path;
}
