// The store key of the default stage1 embedded in the executable (embedded-stage1.ts),
// computed by stage1/build.ts, so that a start finds it in the store without reading it.
import stage1Id from "../../dist/build/stage1.id" with { type: "text" };

export default stage1Id as string;
