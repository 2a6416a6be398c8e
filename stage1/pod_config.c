#include "pod_config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "contract_files.h"
#include "error.h"
#include "memory.h"
#include "text.h"

static unsigned long long parse_number_or_die(const char *text, const char *path)
{
	unsigned long long value;

	if (!parse_decimal(text, &value))
		die_malformed(path, "expected a decimal number");
	return value;
}

static char **read_required_fields(const char *path, size_t fields_per_record, size_t max_field_length,
				   size_t *record_count)
{
	char **fields = read_records(path, fields_per_record, max_field_length, record_count);

	if (fields == NULL)
		die_errno("open", path);
	return fields;
}

/* Names and paths reach mount tables, log prefixes and error lines: no control characters. */
static void check_name(const char *name, const char *what, const char *file)
{
	if (has_control_character(name))
		die_malformed(file, format_string("the %s holds a control character", what));
}

static void check_absolute_path(const char *path, const char *what, const char *file)
{
	check_name(path, what, file);
	if (path[0] != '/')
		die_malformed(file, format_string("the %s \"%s\" is not an absolute path", what, path));
}

/* A UID or GID: 32 bits, and not (uid_t)-1, which set*id calls read as "leave unchanged". */
static unsigned int parse_id_or_die(const char *text, const char *path)
{
	unsigned long long id = parse_number_or_die(text, path);

	if (id >= UINT32_MAX)
		die_malformed(path, format_string("id %llu out of range", id));
	return (unsigned int)id;
}

static void load_ids(struct app *app, const char *path)
{
	size_t count;
	char **words = read_required_fields(path, 1, CONTRACT_NAME_MAX, &count);

	if (count < 2)
		die_malformed(path, "expected UID GID [GID...]");
	app->uid = parse_id_or_die(words[0], path);
	app->gid = parse_id_or_die(words[1], path);
	app->supplementary_group_count = count - 2;
	app->supplementary_groups = xcalloc(count - 2, sizeof(gid_t));
	for (size_t i = 2; i < count; i++)
		app->supplementary_groups[i - 2] = parse_id_or_die(words[i], path);
}

static void load_workdir(struct app *app, const char *path)
{
	size_t count;
	char **fields = read_records(path, 1, CONTRACT_PATH_MAX, &count);

	if (fields == NULL) {
		app->workdir = "/";
		return;
	}
	if (count != 1)
		die_malformed(path, format_string("expected one working directory, found %zu", count));
	app->workdir = fields[0];
	check_absolute_path(app->workdir, "working directory", path);
}

static void load_mounts(struct app *app, const char *path)
{
	char **fields = read_records(path, 4, CONTRACT_PATH_MAX, &app->mount_count);

	app->mounts = xcalloc(app->mount_count, sizeof *app->mounts);
	for (size_t i = 0; i < app->mount_count; i++) {
		char **record = fields + 4 * i;
		struct volume_mount *mount = &app->mounts[i];

		if (strcmp(record[0], "host") == 0)
			mount->kind = VOLUME_HOST;
		else if (strcmp(record[0], "empty") == 0)
			mount->kind = VOLUME_EMPTY;
		else
			die_malformed(path, "unknown volume kind (expected host or empty)");
		mount->source = record[1];
		mount->target = record[2];
		check_absolute_path(mount->target, "mount target", path);
		if (mount->kind == VOLUME_HOST)
			check_absolute_path(mount->source, "host volume source", path);
		else if (mount->source[0] == '\0' || strchr(mount->source, '/') != NULL ||
			 strlen(mount->source) > CONTRACT_NAME_MAX)
			die_malformed(path, "bad empty volume name");
		else
			check_name(mount->source, "volume name", path);
		if (strcmp(record[3], "ro") != 0 && strcmp(record[3], "rw") != 0)
			die_malformed(path, "the mode must be ro or rw");
		mount->read_only = strcmp(record[3], "ro") == 0;
	}
}

static void load_capabilities(struct app *app, const char *path)
{
	char **words = read_required_fields(path, 1, CONTRACT_NAME_MAX, NULL);

	app->kept_capabilities = 0;
	for (char **word = words; *word != NULL; word++) {
		unsigned long long capability = parse_number_or_die(*word, path);
		if (capability > 63)
			die_malformed(path, format_string("capability %llu out of range", capability));
		app->kept_capabilities |= 1ULL << capability;
	}
}

static void load_limits(struct resource_limits *limits, const char *path)
{
	size_t count = 0;
	char **fields = read_records(path, 2, CONTRACT_NAME_MAX, &count);

	for (size_t i = 0; i < count; i++) {
		char **record = fields + 2 * i;

		if (strcmp(record[0], "memory") == 0)
			limits->memory_bytes = parse_number_or_die(record[1], path);
		else if (strcmp(record[0], "cpu") == 0)
			limits->cpu_millicores = parse_number_or_die(record[1], path);
		else
			die_malformed(path, "unknown limit (expected memory or cpu)");
	}
}

static void load_sockets(struct app *app, const char *path)
{
	char **fields = read_records(path, 2, CONTRACT_NAME_MAX, &app->socket_count);

	app->sockets = xcalloc(app->socket_count, sizeof *app->sockets);
	for (size_t i = 0; i < app->socket_count; i++) {
		char **record = fields + 2 * i;
		unsigned long long port;

		if (strcmp(record[0], "tcp") == 0)
			app->sockets[i].type = SOCK_STREAM;
		else if (strcmp(record[0], "udp") == 0)
			app->sockets[i].type = SOCK_DGRAM;
		else
			die_malformed(path, "unrecognized protocol (expected tcp or udp)");
		port = parse_number_or_die(record[1], path);
		if (port == 0 || port > 65535)
			die_malformed(path, format_string("port %llu out of range", port));
		app->sockets[i].port = (unsigned short)port;
	}
}

static char **load_argv(const char *path, bool required)
{
	size_t count;
	char **argv = read_records(path, 1, CONTRACT_STRING_MAX, &count);

	if (argv == NULL && required)
		die_errno("open", path);
	if (argv != NULL && count == 0)
		die_malformed(path, "the command is empty");
	if (argv != NULL)
		check_name(argv[0], "command", path);
	return argv;
}

char **load_environment(const char *path)
{
	char **entries = read_required_fields(path, 1, CONTRACT_STRING_MAX, NULL);

	for (char **entry = entries; *entry != NULL; entry++) {
		char *equals = strchr(*entry, '=');
		if (equals == NULL || equals == *entry)
			die_malformed(path, "expected NAME=VALUE entries");
		*equals = '\0';
		check_name(*entry, "variable name", path);
		*equals = '=';
	}
	return entries;
}

static void load_app(struct app *app, const char *rkt_dir, char *name)
{
	char *dir = format_string("%s/app/%s", rkt_dir, name);

	check_name(name, "app name", format_string("%s/apps", rkt_dir));
	if (name[0] == '\0' || strchr(name, '/') != NULL || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		die_malformed(format_string("%s/apps", rkt_dir), format_string("bad app name \"%s\"", name));
	app->name = name;
	app->environment = load_environment(format_string("%s/env/%s", rkt_dir, name));
	app->exec = load_argv(format_string("%s/exec", dir), true);
	app->pre_start = load_argv(format_string("%s/pre-start", dir), false);
	app->post_stop = load_argv(format_string("%s/post-stop", dir), false);
	load_ids(app, format_string("%s/ids", dir));
	load_workdir(app, format_string("%s/workdir", dir));
	load_mounts(app, format_string("%s/mounts", dir));
	load_capabilities(app, format_string("%s/caps", dir));
	load_limits(&app->limits, format_string("%s/limits", dir));
	load_sockets(app, format_string("%s/sockets", dir));
	app->log_fd = -1;
	app->cgroup_procs_fd_count = 0;
	app->listen_fds = xcalloc(app->socket_count, sizeof(int));
	for (size_t i = 0; i < app->socket_count; i++)
		app->listen_fds[i] = -1;
}

void load_pod(struct pod *pod, const char *rkt_dir, const char *uuid)
{
	char *apps_path = format_string("%s/apps", rkt_dir);
	char **names = read_required_fields(apps_path, 1, CONTRACT_NAME_MAX, &pod->app_count);

	pod->uuid = xstrdup(uuid);
	if (pod->app_count == 0)
		die_malformed(apps_path, "the pod has no apps");
	pod->apps = xcalloc(pod->app_count, sizeof *pod->apps);
	for (size_t i = 0; i < pod->app_count; i++)
		load_app(&pod->apps[i], rkt_dir, names[i]);
	memset(&pod->limits, 0, sizeof pod->limits);
	load_limits(&pod->limits, format_string("%s/pod-limits", rkt_dir));
}
