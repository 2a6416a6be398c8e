// The image store: blobs, manifests, the sqlite index and the tree store under `<dir>/cas`.
export { Store, withStore, type ImportedImage, type StoredImage } from "./store";
export type { AciInfo, RemoteInfo } from "./db";
export type { BottomLayerArrival } from "./docker-layers-import";
export { CURRENT_DB_VERSION } from "./migrations";
export { exportImage, extractImage, renderImage, type DirectoryOutput } from "./image-output";
export { installDataDir, lookupGroupId } from "./install";
export { StoreLayout } from "./layout";
export { TREE_REBUILD_WARNING } from "./tree-store";
export { WorkDir } from "./work-dir";
