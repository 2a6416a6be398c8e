/* Whole /proc files, read in one go. */
#ifndef RKT_PROC_FILE_H
#define RKT_PROC_FILE_H

/* The whole of `path` (a /proc file of at most 64 MiB), NUL-terminated and malloc'ed, or NULL. */
char *proc_file_read(const char *path);

#endif
