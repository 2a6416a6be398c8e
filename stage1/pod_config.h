/* The pod as stage0 described it in stage1/rootfs/rkt/ (see README.md, "What stage0 prepares"). */
#ifndef STAGE1_POD_CONFIG_H
#define STAGE1_POD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum volume_kind { VOLUME_HOST, VOLUME_EMPTY };

struct volume_mount {
	enum volume_kind kind;
	char *source; /* absolute host path (host) or volume name (empty) */
	char *target; /* absolute path inside the app root */
	bool read_only;
};

struct resource_limits {
	unsigned long long memory_bytes; /* 0: no limit */
	unsigned long long cpu_millicores; /* 0: no limit */
};

struct socket_port {
	int type; /* SOCK_STREAM or SOCK_DGRAM */
	unsigned short port;
};

/* Most hierarchies a pod uses (memory, cpu and devices, each possibly in its own). */
#define MAX_CGROUP_HIERARCHIES 3

struct app {
	char *name;
	char **environment; /* NAME=VALUE entries */
	char **exec;
	char **pre_start; /* NULL: none */
	char **post_stop; /* NULL: none */
	uid_t uid;
	gid_t gid;
	gid_t *supplementary_groups;
	size_t supplementary_group_count;
	char *workdir;
	struct volume_mount *mounts;
	size_t mount_count;
	uint64_t kept_capabilities; /* bit N set: keep capability N in the bounding set */
	bool seccomp; /* runs under the default seccomp filter (seccomp.h); init's --insecure-options */
	bool no_new_privileges; /* runs with PR_SET_NO_NEW_PRIVS; init's --insecure-options */
	struct resource_limits limits;
	struct socket_port *sockets;
	size_t socket_count;

	/* Handles the host side opens before the pod starts; the pod's PID 1 inherits them. */
	int log_fd;
	int cgroup_procs_fds[MAX_CGROUP_HIERARCHIES];
	size_t cgroup_procs_fd_count;
	int *listen_fds; /* one per socket (-1 until adopted from the host or opened by the pod) */
};

struct pod {
	char *uuid;
	struct app *apps;
	size_t app_count;
	struct resource_limits limits;
};

/* Reads every app's files below RKT_DIR (the pod's stage1/rootfs/rkt); dies on malformed input. */
void load_pod(struct pod *pod, const char *rkt_dir, const char *uuid);
/* An app's environment file (rkt/env/<app>): NAME=VALUE entries; dies on malformed input. */
char **load_environment(const char *path);

#endif
