// The appc v0.6.1 schema as TypeScript types. Field names are the JSON keys; objects
// returned by the parsers are the parsed JSON itself, so unknown keys survive a round trip.

export interface Label {
  name: string;
  value: string;
}

export interface Annotation {
  name: string;
  value: string;
}

export interface EnvVar {
  name: string;
  value: string;
}

/** `value` is any JSON; its shape is known only for the isolator names of appc.md §1. */
export interface Isolator {
  name: string;
  value: unknown;
}

/** The value of the resource/* isolators; quantities are strings (`"800m"`, `"1G"`), bare numbers are read too. */
export interface ResourceValue {
  request?: string | number;
  limit?: string | number;
  default?: boolean;
}

/** The value of os/linux/capabilities-retain-set and -remove-set. */
export interface CapabilitySetValue {
  set: string[];
}

export interface MountPoint {
  name: string;
  path: string;
  readOnly?: boolean;
}

export interface Port {
  name: string;
  protocol: string;
  port: number;
  /** Absent or 0 means 1 (`portCount`). */
  count?: number;
  socketActivated?: boolean;
}

export type EventHandlerName = "pre-start" | "post-stop";

export interface EventHandler {
  name: EventHandlerName;
  exec: string[];
}

export interface App {
  exec: string[];
  user: string;
  group: string;
  eventHandlers?: EventHandler[];
  workingDirectory?: string;
  environment?: EnvVar[];
  isolators?: Isolator[];
  mountPoints?: MountPoint[];
  ports?: Port[];
}

export interface Dependency {
  imageName: string;
  imageID?: string;
  labels?: Label[];
  size?: number;
}

export interface ImageManifest {
  acKind: "ImageManifest";
  acVersion: string;
  name: string;
  labels?: Label[];
  app?: App;
  annotations?: Annotation[];
  dependencies?: Dependency[];
  pathWhitelist?: string[];
}

export interface RuntimeImage {
  id: string;
  name?: string;
  labels?: Label[];
}

export interface Mount {
  volume: string;
  mountPoint: string;
}

export interface RuntimeApp {
  name: string;
  image: RuntimeImage;
  app?: App;
  mounts?: Mount[];
  annotations?: Annotation[];
}

export type VolumeKind = "empty" | "host";

export interface Volume {
  name: string;
  kind: VolumeKind;
  source?: string;
  readOnly?: boolean;
}

export interface ExposedPort {
  name: string;
  hostPort: number;
}

/** Pod-level lists may be `null` in JSON (the reference marshals empty ones so). */
export interface PodManifest {
  acVersion: string;
  acKind: "PodManifest";
  apps: RuntimeApp[];
  volumes?: Volume[] | null;
  isolators?: Isolator[] | null;
  annotations?: Annotation[] | null;
  ports?: ExposedPort[] | null;
}
