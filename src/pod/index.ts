export { Pod, POD_DIR_STATES, LISTED_DIR_STATES, podsDir, type PodDirState, type PodState } from "./pod";
export { imageKeysInUse } from "./images-in-use";
export { asksForHelp, parseAppArgs, type AppArg, type AppArgOptions, type OptionalValueFlags } from "./app-args";
export { parseMountFlag, parseVolumeFlag, type MountFlag } from "./volumes";
export { parseSetEnv } from "./environment";
export { PodSetupError, checkPrepareRequest, preparePod, type FetchImage, type PrepareRequest, type PreparedPod } from "./prepare";
export { claimPreparedPod, renderPodTrees, startPod, type Stage1RunOptions } from "./run";
export { enterPod, type EnterRequest } from "./enter";
