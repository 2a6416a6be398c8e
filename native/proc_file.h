/* Whole /proc files, read in one go. */
#ifndef RKT_PROC_FILE_H
#define RKT_PROC_FILE_H

/* The whole of `path` (a /proc file of at most 64 MiB), NUL-terminated and malloc'ed, or NULL. */
char *proc_file_read(const char *path);

/* The whole of `path` when the kernel gives it in one read(2), or NULL. Only such a text is
 * one walk of a seq_file's list: the kernel fills a read with a page of lines and walks the
 * list again from the next line's index for the next read, so a list that changes between
 * two reads makes lines skipped or repeated. */
char *proc_file_read_snapshot(const char *path);

#endif
