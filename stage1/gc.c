/* stage1 gc entrypoint: `gc [--debug] UUID`, run in the pod directory after the pod exited.
 * Removes what outlives the pod: its cgroups. Nothing to do is success. */
#include <string.h>

#include "cgroups.h"
#include "error.h"
#include "files.h"

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
	remove_listed_cgroups("cgroup");
	return 0;
}
