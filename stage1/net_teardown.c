#include "net_teardown.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "files.h"
#include "json_fields.h"
#include "memory.h"
#include "text.h"

/* Where iptables is looked up. */
static const char *const sbin_directories[] = { "/usr/sbin", "/sbin", "/usr/bin", "/bin", NULL };

/* The host's CNI plugin directories. */
static const char *const host_plugin_directories[] = { "/usr/lib/rkt/plugins/net", "/usr/lib/cni", "/opt/cni/bin" };
#define HOST_PLUGIN_DIRECTORIES (sizeof host_plugin_directories / sizeof host_plugin_directories[0])

/* The plugins this stage1 carries beside its own binaries: its tree in the store, there even
 * when the pod's stage1 rootfs is no longer mounted. */
static const char *own_plugin_directory(void)
{
	static char own[PATH_MAX];
	ssize_t length;
	char *slash;

	if (own[0] != '\0')
		return own;
	length = readlink("/proc/self/exe", own, sizeof own - 1);
	if (length < 0)
		die_errno("readlink", "/proc/self/exe");
	own[length] = '\0';
	slash = strrchr(own, '/');
	if (slash == NULL || (size_t)(slash - own) + sizeof "/usr/lib/rkt/plugins/net" > sizeof own)
		die_message("find own CNI plugins", "/proc/self/exe is not an absolute path of a usable length");
	strcpy(slash, "/usr/lib/rkt/plugins/net");
	return own;
}

/* Where the plugin of CONFIG is looked up, in order, as stage0 does (src/net/cni-plugin.ts,
 * stage1/README.md): this stage1's plugins, the pod's stage1 rootfs, then the host's; the
 * host's first for a config of CNI spec 1.0 or newer, which this stage1's plugins refuse.
 * Fills DIRECTORIES (NULL-terminated). */
static void plugin_directories(const char *config, const char *directories[HOST_PLUGIN_DIRECTORIES + 3])
{
	char *version = json_string_member(config, "cniVersion");
	bool host_first = version != NULL && atoi(version) >= 1;
	size_t n = 0;

	free(version);
	if (!host_first) {
		directories[n++] = own_plugin_directory();
		directories[n++] = "stage1/rootfs/usr/lib/rkt/plugins/net";
	}
	for (size_t i = 0; i < HOST_PLUGIN_DIRECTORIES; i++)
		directories[n++] = host_plugin_directories[i];
	if (host_first) {
		directories[n++] = own_plugin_directory();
		directories[n++] = "stage1/rootfs/usr/lib/rkt/plugins/net";
	}
	directories[n] = NULL;
}

extern char **environ;

/* All that FD yields until its end, NUL-terminated. */
static char *read_to_end(int fd, const char *program)
{
	size_t length = 0, capacity = 4096;
	char *buffer = xmalloc(capacity);

	for (;;) {
		if (length + 1 == capacity)
			buffer = xrealloc(buffer, capacity *= 2);
		ssize_t count = read(fd, buffer + length, capacity - length - 1);
		if (count < 0 && errno == EINTR)
			continue;
		if (count < 0)
			die_errno("read output of", program);
		if (count == 0)
			break;
		length += (size_t)count;
	}
	buffer[length] = '\0';
	return buffer;
}

/* Runs ARGV with ENVIRONMENT and INPUT on stdin; quiet discards its stderr. Its stdout is
 * discarded, or returned in *OUTPUT when OUTPUT is not NULL. Returns its wait status. */
static int run_program(char *const *argv, char *const *environment, const char *input, bool quiet, char **output)
{
	int input_pipe[2], output_pipe[2] = { -1, -1 };
	pid_t pid;
	int wait_status;

	if (pipe2(input_pipe, O_CLOEXEC) < 0 || (output != NULL && pipe2(output_pipe, O_CLOEXEC) < 0))
		die_errno("pipe", NULL);
	pid = fork();
	if (pid < 0)
		die_errno("fork", NULL);
	if (pid == 0) {
		int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		int stdout_fd = output != NULL ? output_pipe[1] : null_fd;
		if (dup2(input_pipe[0], STDIN_FILENO) < 0 || null_fd < 0 || dup2(stdout_fd, STDOUT_FILENO) < 0 ||
		    (quiet && dup2(null_fd, STDERR_FILENO) < 0))
			die_errno("dup2", argv[0]);
		execve(argv[0], argv, environment);
		die_errno("exec", argv[0]);
	}
	close(input_pipe[0]);
	if (input != NULL && !write_all(input_pipe[1], input, strlen(input)))
		warn_errno("write config to", argv[0]);
	close(input_pipe[1]);
	if (output != NULL) {
		close(output_pipe[1]);
		*output = read_to_end(output_pipe[0], argv[0]);
		close(output_pipe[0]);
	}
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

/* The pod's iptables chains, as stage0 makes them (src/net/pod-chains.ts; stage1/README.md,
 * "Iptables chains of a pod"): `RKT-PFWD-<first 8 characters of the UUID><suffix>`, reached
 * only from PARENTS by jumps that carry the LOCAL_DESTINATIONS match or none. */
struct pod_chain {
	const char *table;
	const char *suffix;
	const char *parents[3];
	bool local_destinations; /* the jump matches `-m addrtype --dst-type LOCAL` */
};

static const struct pod_chain pod_chains[] = {
	{ "nat", "", { "PREROUTING", "OUTPUT", NULL }, true }, /* DNAT of the host ports */
	{ "nat", "-SNAT", { "POSTROUTING", NULL }, false }, /* masquerade of forwarded localhost connections */
	{ "raw", "-LOCALNET", { "PREROUTING", NULL }, false }, /* the pod may not reach the host's 127.0.0.0/8 */
};

/* Deletes the pod's chains with their jumps (jumps first, so that nothing enters a chain
 * being flushed). Errors ignored: a pod without forwarded ports has no chains. */
static void remove_pod_chains(char *iptables, const char *uuid)
{
	for (size_t i = 0; i < sizeof pod_chains / sizeof pod_chains[0]; i++) {
		const struct pod_chain *role = &pod_chains[i];
		char *table = (char *)role->table;
		char *chain = format_string("RKT-PFWD-%.8s%s", uuid, role->suffix);
		char *flush[] = { iptables, "-w", "-t", table, "-F", chain, NULL };
		char *delete[] = { iptables, "-w", "-t", table, "-X", chain, NULL };

		for (size_t p = 0; role->parents[p] != NULL; p++) {
			char *jump[] = { iptables, "-w",       "-t",         table,   "-D", (char *)role->parents[p],
					 "-m",     "addrtype", "--dst-type", "LOCAL", "-j", chain,
					 NULL };
			char *plain_jump[] = { iptables, "-w",  "-t", table, "-D", (char *)role->parents[p],
					       "-j",     chain, NULL };
			run_program(role->local_destinations ? jump : plain_jump, environ, NULL, true, NULL);
		}
		run_program(flush, environ, NULL, true, NULL);
		run_program(delete, environ, NULL, true, NULL);
		free(chain);
	}
}

/* The word after OPTION in WORDS, or NULL. */
static char *word_after(char **words, const char *option)
{
	for (size_t i = 0; words[i] != NULL && words[i + 1] != NULL; i++)
		if (strcmp(words[i], option) == 0)
			return words[i + 1];
	return NULL;
}

/* The CNI ptp and bridge plugins masquerade a network's traffic through a nat chain `CNI-...`,
 * reached by the POSTROUTING jump `-s IP -m comment --comment 'name: "NET" id: "UUID"' -j CNI-...`.
 * Their DEL finds the pod's address in its namespace: without one, they leave both behind.
 * Removes them as the plugin would have: the jump, then the chain. */
static void remove_plugin_masquerade(char *iptables, const char *network, const char *uuid)
{
	char *comment = format_string("name: \"%s\" id: \"%s\"", network, uuid);
	char *listed_comment =
		format_string("--comment \"name: \\\"%s\\\" id: \\\"%s\\\"\"", network, uuid); /* as -S quotes it */
	char *list[] = { iptables, "-w", "-t", "nat", "-S", "POSTROUTING", NULL };
	char *rules = NULL;
	int wait_status = run_program(list, environ, NULL, true, &rules);
	char **lines = rules != NULL ? split_lines(rules) : xcalloc(1, sizeof *lines);

	if (!WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0)
		warn_message("network \"%s\": could not list the nat table's POSTROUTING rules", network);
	for (size_t i = 0; lines[i] != NULL; i++) {
		if (strstr(lines[i], listed_comment) == NULL)
			continue;
		char **words = split_words(lines[i]);
		char *source = word_after(words, "-s"), *chain = word_after(words, "-j");
		if (source != NULL && chain != NULL && strncmp(chain, "CNI-", 4) == 0) {
			char *jump[] = { iptables, "-w",      "-t",        "nat",   "-D", "POSTROUTING", "-s", source,
					 "-m",     "comment", "--comment", comment, "-j", chain,         NULL };
			char *flush[] = { iptables, "-w", "-t", "nat", "-F", chain, NULL };
			char *delete[] = { iptables, "-w", "-t", "nat", "-X", chain, NULL };
			run_program(jump, environ, NULL, true, NULL);
			run_program(flush, environ, NULL, true, NULL);
			run_program(delete, environ, NULL, true, NULL);
			debug_message("network %s: removed the plugin's masquerade chain %s", network, chain);
		}
		free(words);
	}
	free(lines);
	free(rules);
	free(listed_comment);
	free(comment);
}

static char *plugin_search_path(const char *const *directories)
{
	char *path = xstrdup("");

	for (size_t i = 0; directories[i] != NULL; i++) {
		char *longer = format_string("%s%s%s", path, i > 0 ? ":" : "", directories[i]);
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
	const char *directories[HOST_PLUGIN_DIRECTORIES + 3];

	if (name == NULL || config_path == NULL || interface == NULL) {
		warn_message("net-info.json: an entry without netName, netConf or ifName, skipping");
		return false;
	}
	config = read_file_or_null(config_path, NULL);
	if (config == NULL) /* deleted by an earlier gc */
		return true;
	type = json_string_member(config, "type");
	plugin_directories(config, directories);
	plugin = type != NULL ? find_program(directories, type) : NULL;
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
		format_string("CNI_PATH=%s", plugin_search_path(directories)),
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		NULL,
	};
	char *argv[] = { plugin, NULL };
	int wait_status = run_program(argv, environment, config, false, NULL);
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

/* Whether the network namespace bound at PATH is gone: after a reboot PATH is an empty file
 * (or nothing), and the namespace went with its interfaces. */
static bool network_namespace_gone(const char *path)
{
	struct statfs filesystem;

	if (statfs(path, &filesystem) == 0)
		return filesystem.f_type != NSFS_MAGIC;
	return errno == ENOENT;
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
	/* Without the namespace, DEL gets an empty CNI_NETNS, as the CNI spec allows: plugins
	 * then release what lives outside it (IPAM leases) instead of failing on every gc. */
	bool namespace_gone = network_namespace_gone(netns_path);
	if (namespace_gone)
		debug_message("%s is no network namespace: CNI DEL without one", netns_path);
	char *iptables = find_program(sbin_directories, "iptables");
	if (iptables != NULL)
		remove_pod_chains(iptables, uuid);
	for (size_t i = count_strings(entries); i > 0; i--) {
		all_deleted = delete_network(uuid, entries[i - 1], namespace_gone ? "" : netns_path) && all_deleted;
		char *name = json_string_member(entries[i - 1], "netName");
		if (namespace_gone && iptables != NULL && name != NULL)
			remove_plugin_masquerade(iptables, name, uuid);
		free(name);
	}
	if (all_deleted)
		release_network_namespace(netns_path);
	free(iptables);
	free(netns_path);
	return all_deleted;
}
