// Run by the crash and concurrency tests in a separate bun process:
//   bun store-child.ts DATA_DIR import ACI...   imports and renders each ACI in order
//   bun store-child.ts DATA_DIR render KEY      renders one stored image
//   bun store-child.ts DATA_DIR remove KEY      removes one stored image
//   bun store-child.ts DATA_DIR open EPOCH_MS   opens (and closes) the store at that instant
import { withStore } from "../../../src/store";

const [dataDir, action, ...args] = process.argv.slice(2);
if (action === "open") {
  while (Date.now() < Number(args[0])); // a spin: a timer would add jitter of its own
  await withStore(dataDir!, () => {});
} else {
  await withStore(dataDir!, async (store) => {
    if (action === "import") {
      for (const aci of args) await store.renderTree((await store.importAci(aci)).key);
    } else if (action === "render") {
      await store.renderTree(args[0]!);
    } else if (action === "remove") {
      await store.removeImage(args[0]!);
    } else {
      throw new Error(`unknown action ${action}`);
    }
  });
}
