/* Registration of the pod with systemd-machined as the machine "rkt-<uuid>" (class container,
 * its leader the pod's PID 1, its root directory the stage1 rootfs), so that machinectl and
 * journalctl -M know it. The registration keeps the unit rkt runs in (RegisterMachine, as
 * systemd-nspawn --keep-unit), so no process changes cgroup. Without a system bus or machined
 * nothing happens; any other refusal is a warning and the pod runs unregistered. */
#ifndef STAGE1_MACHINED_H
#define STAGE1_MACHINED_H

#include <stdbool.h>
#include <sys/types.h>

/* True when the pod was registered. */
bool register_pod_machine(const char *uuid, pid_t leader, const char *root_directory);
void unregister_pod_machine(const char *uuid);

#endif
