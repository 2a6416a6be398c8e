// Keeps the kernel's cgroup migration path warm while stage0 prepares a pod (see
// src/sys/cgroup-warmup.ts): a detached thread moves this process into the cgroup it is
// already in every few milliseconds, so that the RCU grace period the first migration
// after a quiet spell waits for is paid here, in the background, and not by stage1 when
// it puts the apps into their cgroups. The thread ends with the process: at the execve
// of stage1, at exit, or after RKT_WARM_MAX_WRITES writes (a stage0 that takes longer
// than that is fetching, and one grace period no longer matters).
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "rkt_native.h"

// The kernel keeps the path warm for ~15 ms after a migration: write well within that.
#define RKT_WARM_INTERVAL_NS (4 * 1000 * 1000)
#define RKT_WARM_MAX_WRITES 500

static void *keep_warm(void *arg)
{
    int fd = (int)(intptr_t)arg;
    const struct timespec interval = { 0, RKT_WARM_INTERVAL_NS };
    for (int i = 0; i < RKT_WARM_MAX_WRITES; i++) {
        // "0" names the writing process: it moves into the cgroup it is in, a no-op.
        if (write(fd, "0", 1) < 0) break;
        nanosleep(&interval, NULL);
    }
    close(fd);
    return NULL;
}

int rkt_keep_cgroup_migration_warm(const char *procs_path, struct rkt_error *err)
{
    int fd = open(procs_path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return rkt_fail_sys(err, "open", procs_path, errno);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    pthread_t thread;
    int rc = pthread_create(&thread, &attr, keep_warm, (void *)(intptr_t)fd);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        close(fd);
        return rkt_fail_sys(err, "pthread_create", procs_path, rc);
    }
    return 0;
}
