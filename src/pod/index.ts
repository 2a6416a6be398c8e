export { Pod, POD_DIR_STATES, LISTED_DIR_STATES, podsDir, type PodDirState, type PodState } from "./pod";
export { imageKeysInUse } from "./images-in-use";
