#include "device_policy.h"

#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "dev.h"
#include "error.h"
#include "files.h"
#include "memory.h"
#include "text.h"

#define ACCESS_READ_WRITE (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)
#define ACCESS_ALL (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD)

/* The appc executor's /dev (appc.md §6.2): null, zero, full, random, urandom, tty, console,
 * ptmx, and the pod's own devpts instance. */
static const struct device_rule standard_devices[] = {
	{ BPF_DEVCG_DEV_CHAR, 1, 3, ACCESS_ALL }, /* null */
	{ BPF_DEVCG_DEV_CHAR, 1, 5, ACCESS_ALL }, /* zero */
	{ BPF_DEVCG_DEV_CHAR, 1, 7, ACCESS_ALL }, /* full */
	{ BPF_DEVCG_DEV_CHAR, 1, 8, ACCESS_ALL }, /* random */
	{ BPF_DEVCG_DEV_CHAR, 1, 9, ACCESS_ALL }, /* urandom */
	{ BPF_DEVCG_DEV_CHAR, 5, 0, ACCESS_ALL }, /* tty */
	{ BPF_DEVCG_DEV_CHAR, 5, 1, ACCESS_ALL }, /* console */
	{ BPF_DEVCG_DEV_CHAR, 5, 2, ACCESS_ALL }, /* ptmx */
	{ BPF_DEVCG_DEV_CHAR, 136, DEVICE_NUMBER_ANY, ACCESS_READ_WRITE }, /* pts */
};

static void add_rule(struct device_rules *rules, struct device_rule rule)
{
	rules->list = xrealloc(rules->list, (rules->count + 1) * sizeof *rules->list);
	rules->list[rules->count++] = rule;
}

/* A rule for the node INFO describes; false when it is no device node. */
static bool add_node_rule(struct device_rules *rules, const struct stat *info, unsigned access)
{
	unsigned type = S_ISCHR(info->st_mode) ? BPF_DEVCG_DEV_CHAR : S_ISBLK(info->st_mode) ? BPF_DEVCG_DEV_BLOCK : 0;

	if (type == 0)
		return false;
	add_rule(rules, (struct device_rule){ type, (long)major(info->st_rdev), (long)minor(info->st_rdev), access });
	return true;
}

/* nftw() takes no context argument: the walk of one volume directory fills these. */
static struct device_rules *walked_rules;
static unsigned walked_access;

static int add_walked_node(const char *path, const struct stat *info, int kind, struct FTW *position)
{
	(void)path;
	(void)position;
	if (kind == FTW_F)
		add_node_rule(walked_rules, info, walked_access);
	return 0;
}

static bool is_below_host_dev(const char *resolved)
{
	return strcmp(resolved, "/dev") == 0 || strncmp(resolved, "/dev/", strlen("/dev/")) == 0;
}

static void add_volume_rules(struct device_rules *rules, const struct volume_mount *volume)
{
	char resolved[PATH_MAX];
	struct stat info;
	unsigned access = volume->read_only ? BPF_DEVCG_ACC_READ : ACCESS_READ_WRITE;

	/* The volume is bound where its source resolves to; a missing one fails the mount later. */
	if (volume->kind != VOLUME_HOST || realpath(volume->source, resolved) == NULL || !is_below_host_dev(resolved))
		return;
	if (stat(resolved, &info) < 0)
		die_errno("volume source", resolved);
	if (add_node_rule(rules, &info, access) || !S_ISDIR(info.st_mode))
		return;
	walked_rules = rules;
	walked_access = access;
	if (nftw(resolved, add_walked_node, 16, FTW_PHYS) < 0)
		die_errno("list the device nodes of volume", resolved);
}

struct device_rules app_device_rules(const struct app *app)
{
	struct device_rules rules = { NULL, 0 };
	struct stat console;

	for (size_t i = 0; i < sizeof standard_devices / sizeof standard_devices[0]; i++)
		add_rule(&rules, standard_devices[i]);
	/* /dev/console is bound from the terminal stage1 runs on, which may be any tty. */
	if (stat(pod_console_source(), &console) < 0)
		die_errno("stat", pod_console_source());
	add_node_rule(&rules, &console, ACCESS_READ_WRITE);
	for (size_t m = 0; m < app->mount_count; m++)
		add_volume_rules(&rules, &app->mounts[m]);
	return rules;
}

static void write_device_control(const char *directory, const char *file, const char *rule)
{
	char *path = format_string("%s/%s", directory, file);
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || !write_all(fd, rule, strlen(rule)))
		die_errno(format_string("write \"%s\" to", rule), path);
	close(fd);
	free(path);
}

static char *device_number_text(long number)
{
	return number == DEVICE_NUMBER_ANY ? xstrdup("*") : format_string("%ld", number);
}

void write_device_cgroup_rules(const char *directory, const struct device_rules *rules)
{
	write_device_control(directory, "devices.deny", "a");
	for (size_t i = 0; i < rules->count; i++) {
		const struct device_rule *rule = &rules->list[i];
		char *text = format_string("%c %s:%s %s%s%s", rule->type == BPF_DEVCG_DEV_CHAR ? 'c' : 'b',
					   device_number_text(rule->major), device_number_text(rule->minor),
					   rule->access & BPF_DEVCG_ACC_READ ? "r" : "",
					   rule->access & BPF_DEVCG_ACC_WRITE ? "w" : "",
					   rule->access & BPF_DEVCG_ACC_MKNOD ? "m" : "");
		write_device_control(directory, "devices.allow", text);
		free(text);
	}
}
