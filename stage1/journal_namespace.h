/* A journald namespace of the pod's own (systemd >= 245: systemd-journald@NAME.socket), so
 * that `journalctl -M rkt-<uuid>` finds the apps' output: machined's reader looks for
 * journal files under the machine's root directory, where the namespace's directory is bound
 * read-only as var/log/journal/<host machine-id>. The pod gets the namespace's files only,
 * never the host's journal. Without systemd or D-Bus, or on an older systemd, nothing is
 * started and the host journal is used as before. */
#ifndef STAGE1_JOURNAL_NAMESPACE_H
#define STAGE1_JOURNAL_NAMESPACE_H

/* Starts the namespace NAME's journald over D-Bus (which keeps its socket unit up); the path of its native socket, or NULL. */
char *start_journal_namespace(const char *name);
/* Binds the started namespace's journal directory read-only under ROOT; nothing when none. */
void expose_journal_namespace(const char *root);

#endif
