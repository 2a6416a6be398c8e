/* gc's half of private networking (rkt-internals §10.5): what stage0 set up for the pod in
 * the host namespace, undone. Idempotent: missing pieces are fine. */
#ifndef STAGE1_NET_TEARDOWN_H
#define STAGE1_NET_TEARDOWN_H

#include <stdbool.h>

/* In the pod directory: removes the pod's iptables chains and their jumps, runs CNI DEL for
 * every network in net-info.json (last joined first) with its saved config copy (with an
 * empty CNI_NETNS when the namespace is gone, as after a reboot, and then the plugin's
 * masquerade rules that DEL could not find), deletes the copies and releases the netns bind
 * mount. False if a plugin failed (gc then fails, to be retried). */
bool tear_down_private_network(const char *uuid);

#endif
