/* Which device nodes an app may use: the appc executor's standard nodes, the pod's console,
 * and the nodes its host volumes bring in from the host's /dev. Everything else is denied,
 * so a device node shipped in an image, or made with mknod, cannot be opened. Enforced by
 * the devices cgroup (v1) or a device program attached to the app's cgroup (v2). */
#ifndef STAGE1_DEVICE_POLICY_H
#define STAGE1_DEVICE_POLICY_H

#include <stddef.h>

#include "pod_config.h"

/* A rule's major or minor that matches every number. */
#define DEVICE_NUMBER_ANY (-1)

struct device_rule {
	unsigned type; /* BPF_DEVCG_DEV_CHAR or BPF_DEVCG_DEV_BLOCK */
	long major; /* or DEVICE_NUMBER_ANY */
	long minor; /* or DEVICE_NUMBER_ANY */
	unsigned access; /* BPF_DEVCG_ACC_READ | _WRITE | _MKNOD */
};

struct device_rules {
	struct device_rule *list;
	size_t count;
};

/* The allow rules of APP (from the host view, before any namespace): a host volume whose
 * source resolves below /dev grants the device nodes it shows (itself, or those found in
 * the directory), read-only when the volume is; device nodes elsewhere grant nothing. */
struct device_rules app_device_rules(const struct app *app);
/* cgroup v1: "a" to devices.deny, then each rule to devices.allow of DIRECTORY; dies on failure. */
void write_device_cgroup_rules(const char *directory, const struct device_rules *rules);

#endif
