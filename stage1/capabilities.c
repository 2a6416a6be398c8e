#include "capabilities.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "error.h"
#include "text.h"

void restrict_capabilities(uint64_t kept)
{
	for (int capability = 0; capability < 64; capability++) {
		int present = prctl(PR_CAPBSET_READ, capability, 0, 0, 0);
		if (present < 0 && errno == EINVAL) /* beyond the kernel's last capability */
			break;
		if (present < 0)
			die_errno("read capability bounding set", NULL);
		if (present == 1 && (kept & (1ULL << capability)) == 0 &&
		    prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) < 0)
			die_errno("drop capability", format_string("%d", capability));
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		die_errno("clear ambient capabilities", NULL);
}

void limit_capabilities(uint64_t permitted, uint64_t effective)
{
	struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &header, data) < 0)
		die_errno("read capabilities", NULL);
	for (int word = 0; word < _LINUX_CAPABILITY_U32S_3; word++) {
		data[word].permitted &= (uint32_t)(permitted >> (32 * word));
		data[word].effective &= (uint32_t)(effective >> (32 * word));
		data[word].inheritable = 0;
	}
	if (syscall(SYS_capset, &header, data) < 0)
		die_errno("drop capabilities", NULL);
}
