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
export { ManifestError, Problems, type Problem } from "./manifest-error";
export { asObject, isJsonObject, stringField, stringListField, type JsonObject } from "./json-checks";
export { parseImageManifest, serializeImageManifest } from "./image-manifest";
export { parsePodManifest, serializePodManifest } from "./pod-manifest";
export { parseJson, prettyManifest, serializeManifest } from "./manifest-json";
export { portCount } from "./app";
export { controlCharacterProblem, refuseControlCharacters } from "./control-characters";
export { acIdentifierProblem, acNameProblem, appNameFromImageName, isACIdentifier, isACName, sanitizeACName } from "./identifiers";
export { hostOsArch, labelValue, labelsMatch, osArchProblem } from "./labels";
export { imageIdFromDigest, imageIdProblem, isImageId, normalizeImageKey, shortImageId } from "./image-id";
export { parseGoBool } from "./go-bool";
export { parseImageString, parseNameKeyValues, type ImageReference, type KeyKind, type NameKeyValues } from "./image-string";
export { parseQuantity } from "./quantity";
export { CPU, MEMORY, cpuLimitMillicores, memoryLimitBytes } from "./isolators";
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
export { readTar, type TarEntry } from "./tar-reader";
export { tarEnd, tarEntry } from "./tar-writer";
export type { TarEntryType, TarHeader } from "./tar-header";
export { packTree } from "./tar-pack";
export { detectFileCompression, openTarStream, type AciCompression } from "./aci-compression";
export { aciEntries, readAciManifest, validateAciArchive } from "./aci-archive";
export { writeAciFile, type AciWriteOptions } from "./aci-write";
export { buildAci, validateLayout } from "./aci-build";
export { applyManifestPatch, rewriteAciManifest, type ManifestPatch } from "./aci-patch";
export { validateFile, type ValidationResult, type ValidationType } from "./validate-file";
export { discoverImageEndpoints, discoverPublicKeys, discoveryLevels, withHostOsArch, type DiscoveryOptions, type ImageEndpoint } from "./discovery";
export { parseDiscoveryTags, renderDiscoveryTemplate, type DiscoveryTag } from "./discovery-meta";
