// The appc metadata service (appc.md §7, rkt-internals §9): the server of
// `rkt metadata-service`, and the client rkt run and gc use to register pods.
export { DEFAULT_APP_PORT, DEFAULT_REGISTRATION_SOCKET } from "./defaults";
export { startMetadataService, type MetadataService, type MetadataServiceOptions } from "./server";
export {
  MetadataServiceUnreachable,
  metadataUrl,
  registerPod,
  registrationSocket,
  unregisterPodSync,
  type PodRegistrationData,
  type Registration,
} from "./registration-client";
export { signForPod, verifyForPod } from "./hmac";
