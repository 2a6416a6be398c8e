/* stage1 gc entrypoint: `gc [--debug] UUID`, run in the pod directory after the pod exited.
 * Removes what outlives the pod: its private networking and its cgroups. Nothing to do is
 * success; a failure exits non-zero so that the next gc tries again. */
#include <string.h>

#include "cgroups.h"
#include "error.h"
#include "net_teardown.h"
#include "text.h"

int main(int argc, char **argv)
{
	const char *uuid = NULL;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--debug") == 0)
			debug_enabled = true;
		else if (argv[i][0] == '-' || uuid != NULL)
			die_message("usage: gc [--debug] UUID", format_string("unexpected argument %s", argv[i]));
		else
			uuid = argv[i];
	}
	if (uuid == NULL)
		die_message("usage: gc [--debug] UUID", "no pod UUID");
	debug_message("gc of pod %s", uuid);
	bool network_released = tear_down_private_network(uuid);
	remove_listed_cgroups("cgroup");
	return network_released ? 0 : EXIT_SETUP_FAILED;
}
