// Realistic manifests, shaped like the examples of the appc specification and rkt's
// generated pod manifests, used by several tests.

export function fullImageManifest(): Record<string, unknown> {
  return {
    acKind: "ImageManifest",
    acVersion: "0.6.1",
    name: "example.com/batch-worker",
    labels: [
      { name: "version", value: "2.1.0" },
      { name: "arch", value: "amd64" },
      { name: "os", value: "linux" },
    ],
    app: {
      exec: ["/usr/bin/batch-worker", "--quiet"],
      user: "100",
      group: "300",
      eventHandlers: [
        { exec: ["/usr/bin/fetch-input"], name: "pre-start" },
        { exec: ["/usr/bin/unregister", "--verbose"], name: "post-stop" },
      ],
      workingDirectory: "/opt/work",
      environment: [{ name: "BATCH_WORKER_DEBUG", value: "true" }],
      isolators: [
        { name: "resource/cpu", value: { request: "250m", limit: "500m" } },
        { name: "resource/memory", value: { request: "1G", limit: "2G" } },
        { name: "resource/network-bandwidth", value: { default: true, limit: "1G" } },
        { name: "os/linux/capabilities-retain-set", value: { set: ["CAP_NET_BIND_SERVICE", "CAP_SYS_ADMIN"] } },
      ],
      mountPoints: [{ name: "work", path: "/var/lib/work", readOnly: false }],
      ports: [{ name: "health", port: 4000, protocol: "tcp", socketActivated: true }],
    },
    dependencies: [
      {
        imageName: "example.com/batch-worker-base",
        imageID: "sha512-" + "ab".repeat(64),
        labels: [
          { name: "os", value: "linux" },
          { name: "env", value: "canary" },
        ],
        size: 12345,
      },
    ],
    pathWhitelist: ["/etc/ssl/certs/ca.crt", "/usr/bin/batch-worker", "/etc/systemd/system/"],
    annotations: [
      { name: "authors", value: "Jo Example <jo@example.com>" },
      { name: "created", value: "2015-08-27T19:32:27.67021798Z" },
      { name: "documentation", value: "https://example.com/docs" },
      { name: "homepage", value: "https://example.com" },
    ],
  };
}

/** A pod manifest as rkt v0.8.0 writes it: its own version, null pod-level lists. */
export function rktPodManifest(): Record<string, unknown> {
  return {
    acVersion: "0.8.0",
    acKind: "PodManifest",
    apps: [
      {
        name: "etcd",
        image: {
          name: "coreos.com/etcd",
          id: "sha512-" + "0123456789abcdef".repeat(4),
          labels: [
            { name: "os", value: "linux" },
            { name: "arch", value: "amd64" },
            { name: "version", value: "v2.0.0" },
          ],
        },
        app: {
          exec: ["/etcd"],
          user: "0",
          group: "0",
          environment: [{ name: "PATH", value: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" }],
        },
        annotations: [{ name: "coreos.com/rkt/stage1/mutable", value: "false" }],
      },
    ],
    volumes: null,
    isolators: null,
    annotations: null,
    ports: null,
  };
}

/** The ACE validator's main image as appc.md §8 describes it. */
export function aceValidatorMainManifest(): Record<string, unknown> {
  return {
    acKind: "ImageManifest",
    acVersion: "0.6.1",
    name: "coreos.com/ace-validator-main",
    labels: [
      { name: "version", value: "0.6.1" },
      { name: "os", value: "linux" },
      { name: "arch", value: "amd64" },
    ],
    app: {
      exec: ["/ace-validator", "main"],
      eventHandlers: [
        { name: "pre-start", exec: ["/ace-validator", "prestart"] },
        { name: "post-stop", exec: ["/ace-validator", "poststop"] },
      ],
      user: "0",
      group: "0",
      workingDirectory: "/opt/acvalidator",
      environment: [{ name: "IN_ACE_VALIDATOR", value: "correct" }],
      mountPoints: [{ name: "database", path: "/db", readOnly: false }],
      ports: [{ name: "www", protocol: "tcp", port: 80, count: 1, socketActivated: false }],
      isolators: [{ name: "resource/memory", value: { limit: "1G" } }],
    },
    annotations: [
      { name: "created", value: "2015-01-01T00:00:00Z" },
      { name: "authors", value: "ACE validator authors" },
      { name: "homepage", value: "https://github.com/appc/spec" },
      { name: "documentation", value: "https://github.com/appc/spec/blob/master/ace" },
      { name: "lorem", value: "ipsum" },
    ],
  };
}
