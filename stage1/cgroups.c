#include "cgroups.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "device_policy.h"
#include "device_program.h"
#include "error.h"
#include "files.h"
#include "memory.h"
#include "text.h"

struct hierarchy {
	bool unified; /* cgroup v2 */
	char *directory; /* the calling process's cgroup in this hierarchy (host path) */
	bool has_memory;
	bool has_cpu;
	bool has_devices; /* enforces the device policy: devices controller (v1) or program (v2) */
};

struct hierarchies {
	struct hierarchy list[MAX_CGROUP_HIERARCHIES];
	size_t count;
	/* /proc/self/mountinfo and /proc/self/cgroup, read once for every controller. */
	char **mountinfo;
	char **memberships;
};

static bool list_contains(const char *comma_list, const char *word)
{
	char *copy = xstrdup(comma_list);
	char *saveptr = NULL;
	bool found = false;

	for (char *item = strtok_r(copy, ",", &saveptr); item != NULL && !found; item = strtok_r(NULL, ",", &saveptr))
		found = strcmp(item, word) == 0;
	free(copy);
	return found;
}

/* The mount of the v1 hierarchy holding CONTROLLER (or of cgroup2 when CONTROLLER is NULL). */
static bool find_cgroup_mount(char *const *lines, const char *controller, char **mount_point, char **mount_root)
{
	for (size_t i = 0; lines != NULL && lines[i] != NULL; i++) {
		char **fields = split_words(xstrdup(lines[i]));
		size_t count = count_strings(fields), dash = 0;

		for (size_t f = 6; f < count && dash == 0; f++)
			if (strcmp(fields[f], "-") == 0)
				dash = f;
		if (dash == 0 || dash + 3 >= count)
			continue;
		const char *fstype = fields[dash + 1];
		const char *super_options = fields[dash + 3];
		bool match = controller == NULL
				     ? strcmp(fstype, "cgroup2") == 0
				     : strcmp(fstype, "cgroup") == 0 && list_contains(super_options, controller);
		if (match) {
			*mount_root = fields[3];
			*mount_point = fields[4];
			return true;
		}
	}
	return false;
}

/* The calling process's path in the v1 hierarchy of CONTROLLER, or in v2 when NULL. */
static char *current_cgroup_path(char *const *lines, const char *controller)
{
	for (size_t i = 0; lines != NULL && lines[i] != NULL; i++) {
		char *first = strchr(xstrdup(lines[i]), ':');
		char *second = first ? strchr(first + 1, ':') : NULL;
		if (second == NULL)
			continue;
		*second = '\0';
		bool match = controller == NULL ? first[1] == '\0' : list_contains(first + 1, controller);
		if (match)
			return second + 1;
	}
	return NULL;
}

static char *join_mount_and_path(const char *mount_point, const char *mount_root, const char *path)
{
	size_t root_length = strlen(mount_root);

	if (strcmp(mount_root, "/") != 0 && strncmp(path, mount_root, root_length) == 0)
		path += root_length;
	return format_string("%s%s", mount_point, strcmp(path, "/") == 0 ? "" : path);
}

static bool unified_has_controller(const char *directory, const char *controller)
{
	char *content = read_file_or_null(format_string("%s/cgroup.controllers", directory), NULL);
	bool found = false;

	if (content == NULL)
		return false;
	for (char *word = strtok(content, " \n"); word != NULL && !found; word = strtok(NULL, " \n"))
		found = strcmp(word, controller) == 0;
	return found;
}

static struct hierarchy *hierarchy_for_directory(struct hierarchies *found, const char *directory, bool unified)
{
	for (size_t i = 0; i < found->count; i++)
		if (strcmp(found->list[i].directory, directory) == 0)
			return &found->list[i];
	struct hierarchy *added = &found->list[found->count++];
	added->unified = unified;
	added->directory = xstrdup(directory);
	return added;
}

/* The calling process's cgroup directory in the v1 hierarchy of CONTROLLER, or in v2 when
 * CONTROLLER is NULL; NULL when that hierarchy is not mounted. */
static char *cgroup_directory(const struct hierarchies *found, const char *controller)
{
	char *mount_point, *mount_root, *path;

	if (find_cgroup_mount(found->mountinfo, controller, &mount_point, &mount_root) &&
	    (path = current_cgroup_path(found->memberships, controller)) != NULL)
		return join_mount_and_path(mount_point, mount_root, path);
	return NULL;
}

static struct hierarchy *locate_controller(struct hierarchies *found, const char *controller)
{
	char *directory = cgroup_directory(found, controller);

	if (directory != NULL)
		return hierarchy_for_directory(found, directory, false);
	directory = cgroup_directory(found, NULL);
	if (directory != NULL && unified_has_controller(directory, controller))
		return hierarchy_for_directory(found, directory, true);
	return NULL;
}

/* v1's devices controller when mounted, else v2, which needs no controller for a device program. */
static struct hierarchy *locate_device_hierarchy(struct hierarchies *found)
{
	char *directory = cgroup_directory(found, "devices");

	if (directory != NULL)
		return hierarchy_for_directory(found, directory, false);
	directory = cgroup_directory(found, NULL);
	return directory != NULL ? hierarchy_for_directory(found, directory, true) : NULL;
}

static void apply_device_policy(const struct hierarchy *hierarchy, const char *directory, const struct app *app)
{
	struct device_rules rules = app_device_rules(app);

	if (hierarchy->unified)
		attach_device_program(directory, &rules);
	else
		write_device_cgroup_rules(directory, &rules);
	free(rules.list);
}

static bool write_control_file(const char *directory, const char *file, const char *value)
{
	char *path = format_string("%s/%s", directory, file);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	bool written = fd >= 0 && write_all(fd, value, strlen(value));

	if (!written)
		warn_errno(format_string("write \"%s\" to", value), path);
	if (fd >= 0)
		close(fd);
	free(path);
	return written;
}

static void apply_limits(const struct hierarchy *hierarchy, const char *directory, const struct resource_limits *limits)
{
	if (hierarchy->has_memory && limits->memory_bytes > 0) {
		char *bytes = format_string("%llu", limits->memory_bytes);
		if (hierarchy->unified)
			write_control_file(directory, "memory.max", bytes);
		else {
			write_control_file(directory, "memory.limit_in_bytes", bytes);
			/* With swap accounting, the limit must cover swap too or the app just swaps. */
			if (path_exists(format_string("%s/memory.memsw.limit_in_bytes", directory)))
				write_control_file(directory, "memory.memsw.limit_in_bytes", bytes);
		}
	}
	if (hierarchy->has_cpu && limits->cpu_millicores > 0) {
		/* A period of 100 ms; one millicore is 100 us of CPU time in it. */
		unsigned long long quota = limits->cpu_millicores * 100;
		if (hierarchy->unified)
			write_control_file(directory, "cpu.max", format_string("%llu 100000", quota));
		else {
			write_control_file(directory, "cpu.cfs_period_us", "100000");
			write_control_file(directory, "cpu.cfs_quota_us", format_string("%llu", quota));
		}
	}
}

static void make_cgroup_directory(const char *path, FILE *list)
{
	debug_message("cgroup %s", path);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		die_errno("create cgroup", path);
	if (fprintf(list, "%s\n", path) < 0)
		die_errno("write", "cgroup list");
}

/* Which controllers the pod's limits need. */
struct needed_controllers {
	bool memory;
	bool cpu;
};

static struct needed_controllers needed_controllers(const struct pod *pod)
{
	struct needed_controllers needed = { pod->limits.memory_bytes > 0, pod->limits.cpu_millicores > 0 };

	for (size_t i = 0; i < pod->app_count; i++) {
		needed.memory = needed.memory || pod->apps[i].limits.memory_bytes > 0;
		needed.cpu = needed.cpu || pod->apps[i].limits.cpu_millicores > 0;
	}
	return needed;
}

/* cgroup v2 only gives children a controller their parent enables, and refuses that in a
 * cgroup with processes of its own (EBUSY): then the limits are skipped with a warning.
 * Only needed controllers are asked for, so a pod without limits needs no delegation. */
static void delegate_unified_controllers(struct hierarchy *hierarchy, const char *directory,
					 struct needed_controllers needed)
{
	hierarchy->has_memory = hierarchy->has_memory && needed.memory;
	hierarchy->has_cpu = hierarchy->has_cpu && needed.cpu;
	if (!hierarchy->has_memory && !hierarchy->has_cpu)
		return;
	char *enable = format_string("%s%s", hierarchy->has_memory ? "+memory " : "", hierarchy->has_cpu ? "+cpu" : "");
	char *path = format_string("%s/cgroup.subtree_control", directory);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || !write_all(fd, enable, strlen(enable))) {
		warn_message("cannot enable the controllers for the pod's cgroups in %s (%s); resource limits skipped",
			     directory, strerror(errno));
		hierarchy->has_memory = hierarchy->has_cpu = false;
	}
	if (fd >= 0)
		close(fd);
	free(path);
	free(enable);
}

void setup_pod_cgroups(struct pod *pod, const char *list_path)
{
	struct hierarchies found = {
		.count = 0,
		.mountinfo = read_lines("/proc/self/mountinfo"),
		.memberships = read_lines("/proc/self/cgroup"),
	};
	struct hierarchy *memory = locate_controller(&found, "memory");
	struct hierarchy *cpu = locate_controller(&found, "cpu");
	struct hierarchy *devices = locate_device_hierarchy(&found);
	char *temporary = format_string("%s.tmp", list_path);
	FILE *list = fopen(temporary, "we");
	struct needed_controllers needed = needed_controllers(pod);

	if (list == NULL)
		die_errno("open", temporary);
	if (memory != NULL)
		memory->has_memory = true;
	if (cpu != NULL)
		cpu->has_cpu = true;
	if (devices != NULL)
		devices->has_devices = true;
	else
		warn_message("no devices cgroup and no cgroup2 mount: the device policy is not enforced");
	if (needed.memory && memory == NULL)
		warn_message("resource/memory isolator set but support disabled in the kernel, skipping");
	if (needed.cpu && cpu == NULL)
		warn_message("resource/cpu isolator set but support disabled in the kernel, skipping");

	for (size_t h = 0; h < found.count; h++) {
		struct hierarchy *hierarchy = &found.list[h];
		char *pod_directory = format_string("%s/rkt-%s", hierarchy->directory, pod->uuid);

		if (hierarchy->unified)
			delegate_unified_controllers(hierarchy, hierarchy->directory, needed);
		make_cgroup_directory(pod_directory, list);
		apply_limits(hierarchy, pod_directory, &pod->limits);
		if (hierarchy->unified)
			delegate_unified_controllers(hierarchy, pod_directory, needed);
		for (size_t a = 0; a < pod->app_count; a++) {
			struct app *app = &pod->apps[a];
			char *app_directory = format_string("%s/%s", pod_directory, app->name);
			char *procs = format_string("%s/cgroup.procs", app_directory);

			make_cgroup_directory(app_directory, list);
			apply_limits(hierarchy, app_directory, &app->limits);
			if (hierarchy->has_devices)
				apply_device_policy(hierarchy, app_directory, app);
			int fd = open(procs, O_WRONLY | O_CLOEXEC);
			if (fd < 0)
				die_errno("open", procs);
			app->cgroup_procs_fds[app->cgroup_procs_fd_count++] = fd;
		}
	}
	if (fclose(list) != 0)
		die_errno("write", temporary);
	if (rename(temporary, list_path) < 0)
		die_errno("rename", temporary);
}

void join_app_cgroups(const struct app *app)
{
	for (size_t i = 0; i < app->cgroup_procs_fd_count; i++)
		if (write(app->cgroup_procs_fds[i], "0", 1) != 1)
			die_errno("join cgroup", NULL);
}

void remove_listed_cgroups(const char *list_path)
{
	char **directories = read_lines(list_path);
	size_t count = count_strings(directories);

	/* The list has each pod directory before its apps: remove in reverse. */
	for (size_t i = count; i > 0; i--) {
		debug_message("remove cgroup %s", directories[i - 1]);
		if (rmdir(directories[i - 1]) < 0 && errno != ENOENT)
			die_errno("remove cgroup", directories[i - 1]);
	}
}
