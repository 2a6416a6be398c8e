#include "pod_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "error.h"
#include "files.h"

static _Noreturn void die_malformed(const char *path, const char *why)
{
	die_message(format_string("parse %s", path), why);
}

static unsigned long long parse_number_or_die(const char *text, const char *path)
{
	unsigned long long value;

	if (!parse_decimal(text, &value))
		die_malformed(path, format_string("\"%s\" is not a decimal number", text));
	return value;
}

static void load_ids(struct app *app, const char *path)
{
	char **lines = read_lines(path);
	char **words;
	size_t count;

	if (lines == NULL || lines[0] == NULL)
		die_errno("open", path);
	words = split_words(lines[0]);
	count = count_strings(words);
	if (count < 2)
		die_malformed(path, "expected UID GID [GID...]");
	app->uid = (uid_t)parse_number_or_die(words[0], path);
	app->gid = (gid_t)parse_number_or_die(words[1], path);
	app->supplementary_group_count = count - 2;
	app->supplementary_groups = xcalloc(count - 2, sizeof(gid_t));
	for (size_t i = 2; i < count; i++)
		app->supplementary_groups[i - 2] = (gid_t)parse_number_or_die(words[i], path);
}

static void load_workdir(struct app *app, const char *path)
{
	char **lines = read_lines(path);

	app->workdir = (lines != NULL && lines[0] != NULL) ? lines[0] : "/";
	if (app->workdir[0] != '/')
		die_malformed(path, "the working directory must be absolute");
}

static void load_mounts(struct app *app, const char *path)
{
	char **lines = read_lines(path);

	app->mount_count = count_strings(lines);
	app->mounts = xcalloc(app->mount_count, sizeof *app->mounts);
	for (size_t i = 0; i < app->mount_count; i++) {
		char **fields = split_fields(lines[i], '\t');
		struct volume_mount *mount = &app->mounts[i];

		if (count_strings(fields) != 4)
			die_malformed(path, "expected KIND<TAB>SOURCE<TAB>TARGET<TAB>ro|rw");
		if (strcmp(fields[0], "host") == 0)
			mount->kind = VOLUME_HOST;
		else if (strcmp(fields[0], "empty") == 0)
			mount->kind = VOLUME_EMPTY;
		else
			die_malformed(path, format_string("unknown volume kind \"%s\"", fields[0]));
		mount->source = fields[1];
		mount->target = fields[2];
		if (mount->target[0] != '/' || (mount->kind == VOLUME_HOST && mount->source[0] != '/'))
			die_malformed(path, "source and target must be absolute paths");
		if (mount->kind == VOLUME_EMPTY && (mount->source[0] == '\0' || strchr(mount->source, '/') != NULL))
			die_malformed(path, format_string("bad volume name \"%s\"", mount->source));
		if (strcmp(fields[3], "ro") != 0 && strcmp(fields[3], "rw") != 0)
			die_malformed(path, "the mode must be ro or rw");
		mount->read_only = strcmp(fields[3], "ro") == 0;
	}
}

static void load_capabilities(struct app *app, const char *path)
{
	char **lines = read_lines(path);

	app->kept_capabilities = 0;
	if (lines == NULL)
		die_errno("open", path);
	if (lines[0] == NULL)
		return;
	for (char **word = split_words(lines[0]); *word != NULL; word++) {
		unsigned long long capability = parse_number_or_die(*word, path);
		if (capability > 63)
			die_malformed(path, format_string("capability %llu out of range", capability));
		app->kept_capabilities |= 1ULL << capability;
	}
}

static void load_limits(struct resource_limits *limits, const char *path)
{
	char **lines = read_lines(path);

	for (size_t i = 0; lines != NULL && lines[i] != NULL; i++) {
		char **words = split_words(lines[i]);

		if (count_strings(words) != 2)
			die_malformed(path, "expected \"memory BYTES\" or \"cpu MILLICORES\"");
		if (strcmp(words[0], "memory") == 0)
			limits->memory_bytes = parse_number_or_die(words[1], path);
		else if (strcmp(words[0], "cpu") == 0)
			limits->cpu_millicores = parse_number_or_die(words[1], path);
		else
			die_malformed(path, format_string("unknown limit \"%s\"", words[0]));
	}
}

static void load_sockets(struct app *app, const char *path)
{
	char **lines = read_lines(path);

	app->socket_count = count_strings(lines);
	app->sockets = xcalloc(app->socket_count, sizeof *app->sockets);
	for (size_t i = 0; i < app->socket_count; i++) {
		char **words = split_words(lines[i]);
		unsigned long long port;

		if (count_strings(words) != 2)
			die_malformed(path, "expected \"tcp|udp PORT\"");
		if (strcmp(words[0], "tcp") == 0)
			app->sockets[i].type = SOCK_STREAM;
		else if (strcmp(words[0], "udp") == 0)
			app->sockets[i].type = SOCK_DGRAM;
		else
			die_malformed(path, format_string("unrecognized protocol \"%s\"", words[0]));
		port = parse_number_or_die(words[1], path);
		if (port == 0 || port > 65535)
			die_malformed(path, format_string("port %llu out of range", port));
		app->sockets[i].port = (unsigned short)port;
	}
}

static void load_app(struct app *app, const char *rkt_dir, char *name)
{
	char *dir = format_string("%s/app/%s", rkt_dir, name);

	if (name[0] == '\0' || strchr(name, '/') != NULL || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		die_malformed(format_string("%s/apps", rkt_dir), format_string("bad app name \"%s\"", name));
	app->name = name;
	app->exec = read_nul_list(format_string("%s/exec", dir));
	if (app->exec == NULL || app->exec[0] == NULL)
		die_errnum("read", format_string("%s/exec", dir), ENOENT);
	app->pre_start = read_nul_list(format_string("%s/pre-start", dir));
	app->post_stop = read_nul_list(format_string("%s/post-stop", dir));
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
	char **names = read_lines(apps_path);

	if (names == NULL)
		die_errno("open", apps_path);
	pod->uuid = xstrdup(uuid);
	pod->app_count = count_strings(names);
	if (pod->app_count == 0)
		die_malformed(apps_path, "the pod has no apps");
	pod->apps = xcalloc(pod->app_count, sizeof *pod->apps);
	for (size_t i = 0; i < pod->app_count; i++)
		load_app(&pod->apps[i], rkt_dir, names[i]);
	memset(&pod->limits, 0, sizeof pod->limits);
	load_limits(&pod->limits, format_string("%s/pod-limits", rkt_dir));
}
