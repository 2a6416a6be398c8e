#include "status.h"

#include <stdlib.h>

#include "error.h"
#include "files.h"
#include "text.h"

void write_app_status(const char *app_name, int status)
{
	char *path = format_string("/rkt/status/%s", app_name);
	char *content = format_string("%d\n", status);

	make_directories("/rkt/status", 0755);
	write_file_atomically(path, content, 0644);
	debug_message("app %s: status %d", app_name, status);
	free(path);
	free(content);
}
