/* A new network namespace with `lo` up, kept alive by a bind mount at a path: what
 * `unshare --net=PATH ip link set lo up` does, without either tool on the host. The
 * namespace is made by a short-lived thread of its own (unshare(CLONE_NEWNET) acts on the
 * calling thread), so no thread of the caller ever changes namespace. */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rkt_native.h"

struct netns_job {
	const char *path;
	struct rkt_error *err;
	int rc;
};

static int bring_up_loopback(struct rkt_error *err)
{
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return rkt_fail_sys(err, "socket in new network namespace", "lo", errno);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
	int rc = ioctl(sock, SIOCGIFFLAGS, &ifr);
	if (rc == 0) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(sock, SIOCSIFFLAGS, &ifr);
	}
	if (rc < 0)
		rkt_fail_sys(err, "bring up", "lo", errno);
	close(sock);
	return rc < 0 ? -1 : 0;
}

static void *make_namespace(void *arg)
{
	struct netns_job *job = arg;
	job->rc = -1;
	if (unshare(CLONE_NEWNET) < 0) {
		rkt_fail_sys(job->err, "unshare network namespace for", job->path, errno);
		return NULL;
	}
	if (mount("/proc/thread-self/ns/net", job->path, NULL, MS_BIND, NULL) < 0) {
		rkt_fail_sys(job->err, "bind network namespace at", job->path, errno);
		return NULL;
	}
	if (bring_up_loopback(job->err) < 0) {
		umount2(job->path, MNT_DETACH);
		return NULL;
	}
	job->rc = 0;
	return NULL;
}

int rkt_netns_create(const char *path, struct rkt_error *err)
{
	struct netns_job job = { .path = path, .err = err, .rc = -1 };
	pthread_t thread;
	int e = pthread_create(&thread, NULL, make_namespace, &job);
	if (e != 0)
		return rkt_fail_sys(err, "start thread for network namespace", path, e);
	pthread_join(thread, NULL);
	return job.rc;
}
