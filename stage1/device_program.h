/* cgroup v2 has no devices controller: the kernel asks a BPF_PROG_TYPE_CGROUP_DEVICE program
 * attached to the cgroup instead. This one is assembled by hand from the rules (no libbpf),
 * loaded and attached with the raw bpf() system call, as crun and runc do. */
#ifndef STAGE1_DEVICE_PROGRAM_H
#define STAGE1_DEVICE_PROGRAM_H

#include "device_policy.h"

/* Loads a program allowing exactly RULES and attaches it to the cgroup DIRECTORY (alongside
 * its ancestors' programs, which must allow an access too); dies on failure. */
void attach_device_program(const char *directory, const struct device_rules *rules);

#endif
