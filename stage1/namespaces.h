/* The pod's namespaces: a child in new mount, PID, UTS and IPC namespaces (and a user
 * namespace with --private-users), the network namespace stage0 prepared, the hostname. */
#ifndef STAGE1_NAMESPACES_H
#define STAGE1_NAMESPACES_H

#include <stdbool.h>
#include <sys/types.h>

struct id_shift {
	bool enabled;
	unsigned long shift; /* host ID of the pod's 0 */
	unsigned long count;
};

/* Joins the network namespace bound at PATH when that file exists. */
void join_network_namespace_if_present(const char *path);
/* fork()-like: returns 0 in the child, which is PID 1 of its new namespaces. */
pid_t clone_into_new_namespaces(bool user_namespace);
/* From the parent: maps 0..count-1 in the child's user namespace to shift.. on the host. */
void write_id_maps(pid_t child, const struct id_shift *ids);
/* In the child, once its ID maps exist: become root of the user namespace. */
void become_user_namespace_root(void);
void set_pod_hostname(const char *uuid);

#endif
