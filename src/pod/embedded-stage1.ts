// The default stage1 image, embedded in the executable by `bun build --compile` (built
// by stage1/build.ts before the executable). Imported lazily: only a first start needs it.
import stage1Aci from "../../dist/build/stage1.aci" with { type: "file" };

export default stage1Aci as string;
