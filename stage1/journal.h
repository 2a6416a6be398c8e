/* The host's systemd journal, through its native protocol: one datagram per entry to
 * /run/systemd/journal/socket. Connected on the host side before the pod's namespaces exist,
 * so the socket keeps working after PID 1 has pivoted into the stage1 rootfs. Without a
 * journal (no socket), nothing is sent and nothing is reported. */
#ifndef STAGE1_JOURNAL_H
#define STAGE1_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

/* The longest message sent as one entry; longer lines are split (journald's own LineMax). */
#define JOURNAL_LINE_MAX (48 * 1024)

/* Connects to the journal, close-on-exec; CONTAINER_NAME of every entry is MACHINE_NAME. */
void connect_journal(const char *machine_name);
bool journal_connected(void);
/* Whether FD is the journal stream systemd gave the service stage1 runs in ($JOURNAL_STREAM
 * names its device and inode): what is written there is in the journal already. */
bool is_journal_stream(int fd);
/* One entry: MESSAGE (LENGTH bytes, no newline), SYSLOG_IDENTIFIER, PRIORITY (syslog level). */
void send_journal_entry(const char *identifier, int priority, const char *message, size_t length);

#endif
