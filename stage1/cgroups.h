/* A cgroup per pod and per app in the memory, cpu and devices controllers (cgroup v1
 * hierarchies or the v2 unified hierarchy, whichever holds the controller), with the apps'
 * limits and device policy. */
#ifndef STAGE1_CGROUPS_H
#define STAGE1_CGROUPS_H

#include "pod_config.h"

/* From the host view (before any namespace): creates <current>/rkt-<uuid>/<app>, writes the
 * limits, opens each app's cgroup.procs for it to join later, and lists the directories it
 * made in LIST_PATH for gc. Controllers the host lacks produce a warning, not a failure. */
void setup_pod_cgroups(struct pod *pod, const char *list_path);
/* In an app's process before exec: moves the calling process into the app's cgroups. */
void join_app_cgroups(const struct app *app);
/* gc: removes the directories listed in LIST_PATH, deepest first; missing ones are fine. */
void remove_listed_cgroups(const char *list_path);

#endif
