#include "mounts.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "text.h"

void mount_or_die(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data)
{
	debug_message("mount %s on %s (%s)", source ? source : "none", target, fstype ? fstype : "bind");
	if (mount(source, target, fstype, flags, data) < 0)
		die_errno(fstype ? format_string("mount %s on", fstype) : format_string("bind mount %s on", source),
			  target);
}

int clone_mount_tree(const char *source, bool read_only)
{
	int tree_fd = open_tree(AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);

	if (tree_fd < 0)
		die_errno("open_tree", source);
	if (read_only) {
		struct mount_attr attributes = { .attr_set = MOUNT_ATTR_RDONLY };
		if (mount_setattr(tree_fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attributes, sizeof attributes) < 0)
			die_errno("make read-only", source);
	}
	return tree_fd;
}

void attach_mount_tree(int tree_fd, int target_fd, const char *target_name)
{
	debug_message("attach mount on %s", target_name);
	if (move_mount(tree_fd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		die_errno("move_mount", target_name);
	close(tree_fd);
	close(target_fd);
}

bool is_directory(const char *path)
{
	struct stat info;

	return stat(path, &info) == 0 && S_ISDIR(info.st_mode);
}
