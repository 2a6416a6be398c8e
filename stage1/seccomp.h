/* The seccomp filter every app process runs under unless the pod switches it off. */
#ifndef STAGE1_SECCOMP_H
#define STAGE1_SECCOMP_H

#include <stdint.h>

/* Installs the filter on this process (inherited across fork and exec): the system calls
 * that act beyond the pod fail with EPERM, clone3 with ENOSYS (so that the C library falls
 * back to clone), and a call of another ABI kills the process. A call denied only because it
 * needs a capability is allowed when KEPT (bit N = capability N) keeps that capability, the
 * tracing calls still not on the pod's PID 1. Needs no_new_privs or CAP_SYS_ADMIN. */
void install_seccomp_filter(uint64_t kept);

#endif
