// The App Container specification (appc v0.6.1) as code: names, labels, isolators,
// manifests, image strings, UUIDs, and ACI archives.
export type {
  Annotation,
  App,
  CapabilitySetValue,
  Dependency,
  EnvVar,
  EventHandler,
  EventHandlerName,
  ExposedPort,
  ImageManifest,
  Isolator,
  Label,
  Mount,
  MountPoint,
  PodManifest,
  Port,
  ResourceValue,
  RuntimeApp,
  RuntimeImage,
  Volume,
  VolumeKind,
} from "./types";
export { ManifestError, type Problem } from "./manifest-error";
export { imageManifestProblems, parseImageManifest, serializeImageManifest } from "./image-manifest";
export { podManifestProblems, parsePodManifest, serializePodManifest } from "./pod-manifest";
export { prettyManifest, serializeManifest } from "./manifest-json";
export { portCount } from "./app";
export { acIdentifierProblem, acNameProblem, appNameFromImageName, isACIdentifier, isACName, sanitizeACName } from "./identifiers";
export { acVersionProblem } from "./ac-version";
export { hostOsArch, labelValue, osArchProblem, validOsArch } from "./labels";
export { imageIdFromDigest, imageIdProblem, isImageId, normalizeImageKey, shortImageId } from "./image-id";
export { parseGoBool, parseImageString, parseNameKeyValues, type ImageReference, type KeyKind, type NameKeyValues } from "./image-string";
export { parseQuantity } from "./quantity";
export { CPU, MEMORY, cpuLimitMillicores, findIsolator, memoryLimitBytes } from "./isolators";
export {
  REMOVE_SET,
  RETAIN_SET,
  capabilityBoundingSet,
  capabilityNames,
  capabilityNumber,
  capabilitySets,
  isCapabilityName,
  type CapabilitySets,
} from "./capabilities";
export { isUuid, newUuid, parseUuid } from "./uuid";
