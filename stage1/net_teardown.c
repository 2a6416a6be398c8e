#include "net_teardown.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "files.h"
#include "json_fields.h"

/* Where CNI plugins are looked up by their `type`, in order. */
static const char *const plugin_directories[] = { "/usr/lib/rkt/plugins/net", "stage1/rootfs/usr/lib/rkt/plugins/net",
						  "/usr/lib/cni", "/opt/cni/bin", NULL };

extern char **environ;

/* Runs ARGV with ENVIRONMENT and INPUT on stdin; quiet discards its output. Returns its wait status. */
static int run_program(char *const *argv, char *const *environment, const char *input, bool quiet)
{
	int input_pipe[2];
	pid_t pid;
	int wait_status;

	if (pipe2(input_pipe, O_CLOEXEC) < 0)
		die_errno("pipe", NULL);
	pid = fork();
	if (pid < 0)
		die_errno("fork", NULL);
	if (pid == 0) {
		int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (dup2(input_pipe[0], STDIN_FILENO) < 0 || null_fd < 0 || dup2(null_fd, STDOUT_FILENO) < 0 ||
		    (quiet && dup2(null_fd, STDERR_FILENO) < 0))
			die_errno("dup2", argv[0]);
		execve(argv[0], argv, environment);
		die_errno("exec", argv[0]);
	}
	close(input_pipe[0]);
	if (input != NULL && !write_all(input_pipe[1], input, strlen(input)))
		warn_errno("write config to", argv[0]);
	close(input_pipe[1]);
	while (waitpid(pid, &wait_status, 0) < 0)
		if (errno != EINTR)
			die_errno("waitpid", argv[0]);
	return wait_status;
}

static char *find_program(const char *const *directories, const char *name)
{
	for (size_t i = 0; directories[i] != NULL; i++) {
		char *candidate = format_string("%s/%s", directories[i], name);
		if (access(candidate, X_OK) == 0)
			return candidate;
		free(candidate);
	}
	return NULL;
}

static void remove_port_forwarding(const char *uuid)
{
	static const char *const sbin[] = { "/usr/sbin", "/sbin", "/usr/bin", "/bin", NULL };
	char *iptables = find_program(sbin, "iptables");
	char *chain = format_string("RKT-PFWD-%.8s", uuid);
	char *jump[] = { iptables, "-t", "nat", "-D", "PREROUTING", "-m", "addrtype", "--dst-type", "LOCAL", "-j", chain, NULL };
	char *jump_output[] = { iptables, "-t", "nat", "-D", "OUTPUT", "-m", "addrtype", "--dst-type", "LOCAL", "-j", chain, NULL };
	char *flush[] = { iptables, "-t", "nat", "-F", chain, NULL };
	char *delete[] = { iptables, "-t", "nat", "-X", chain, NULL };

	if (iptables == NULL)
		return;
	/* Errors ignored: a pod without forwarded ports has no chain. */
	run_program(jump, environ, NULL, true);
	run_program(jump_output, environ, NULL, true);
	run_program(flush, environ, NULL, true);
	run_program(delete, environ, NULL, true);
	free(chain);
	free(iptables);
}

static char *plugin_search_path(void)
{
	char *path = xstrdup("");

	for (size_t i = 0; plugin_directories[i] != NULL; i++) {
		char *longer = format_string("%s%s%s", path, i > 0 ? ":" : "", plugin_directories[i]);
		free(path);
		path = longer;
	}
	return path;
}

static bool delete_network(const char *uuid, const char *entry, const char *netns_path)
{
	char *name = json_string_member(entry, "netName");
	char *config_path = json_string_member(entry, "netConf");
	char *interface = json_string_member(entry, "ifName");
	char *args = json_string_member(entry, "args");
	char *config, *type, *plugin;

	if (name == NULL || config_path == NULL || interface == NULL) {
		warn_message("net-info.json: an entry without netName, netConf or ifName, skipping");
		return false;
	}
	config = read_file_or_null(config_path, NULL);
	if (config == NULL) /* deleted by an earlier gc */
		return true;
	type = json_string_member(config, "type");
	plugin = type != NULL ? find_program(plugin_directories, type) : NULL;
	if (plugin == NULL) {
		warn_message("network \"%s\": could not find plugin \"%s\"", name, type != NULL ? type : "(no type)");
		return false;
	}
	char *environment[] = {
		"CNI_COMMAND=DEL",
		format_string("CNI_CONTAINERID=%s", uuid),
		format_string("CNI_NETNS=%s", netns_path),
		format_string("CNI_IFNAME=%s", interface),
		format_string("CNI_ARGS=%s", args != NULL ? args : ""),
		format_string("CNI_PATH=%s", plugin_search_path()),
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		NULL,
	};
	char *argv[] = { plugin, NULL };
	int wait_status = run_program(argv, environment, config, false);
	if (!WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0) {
		warn_message("network \"%s\": %s DEL failed", name, plugin);
		return false;
	}
	debug_message("network %s: deleted %s", name, interface);
	if (unlink(config_path) < 0 && errno != ENOENT)
		warn_errno("remove", config_path);
	return true;
}

static void release_network_namespace(const char *path)
{
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		die_errno("unmount", path);
	if (unlink(path) < 0 && errno != ENOENT)
		die_errno("remove", path);
}

bool tear_down_private_network(const char *uuid)
{
	char *info = read_file_or_null("net-info.json", NULL);
	char cwd[PATH_MAX];
	bool all_deleted = true;

	if (info == NULL)
		return true;
	if (getcwd(cwd, sizeof cwd) == NULL)
		die_errno("getcwd", NULL);
	char *netns_path = format_string("%s/netns", cwd);
	char **entries = json_array_elements(info);
	if (entries == NULL)
		die_message("parse net-info.json", "not a JSON array");
	remove_port_forwarding(uuid);
	for (size_t i = count_strings(entries); i > 0; i--)
		all_deleted = delete_network(uuid, entries[i - 1], netns_path) && all_deleted;
	if (all_deleted)
		release_network_namespace(netns_path);
	free(netns_path);
	return all_deleted;
}
