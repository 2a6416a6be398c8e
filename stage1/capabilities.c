#include "capabilities.h"

#include <errno.h>
#include <stdio.h>
#include <sys/prctl.h>

#include "error.h"
#include "files.h"

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
