/* Recursive removal that never follows a symlink nor enters another mount (remove_tree.c). */
#ifndef RKT_REMOVE_TREE_H
#define RKT_REMOVE_TREE_H

#include "error.h"

/* Removes `name` in the directory `parent_fd` with everything below it; `path` names it in
 * messages. A mount point below it is an error (EBUSY). */
int remove_tree_at(int parent_fd, const char *name, const char *path, struct rkt_error *err);

#endif
