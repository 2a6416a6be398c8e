/* The pod's terminal for --interactive when stage1 runs on one: a pseudo terminal of the
 * pod's own devpts instance. The app gets the slave as its controlling terminal (so `tty`
 * names /dev/pts/N of the pod); the host side of stage1 relays the master to rkt's terminal
 * (see terminal_relay.h). */
#ifndef STAGE1_POD_TERMINAL_H
#define STAGE1_POD_TERMINAL_H

struct pod_terminal {
	int master_fd; /* for the host side; PID 1 closes its copy once it sent it */
	int slave_fd; /* held open by PID 1 for the pod's life, so the master never sees a hangup
		       * while no app process has the terminal open */
};

/* In PID 1, once STAGE1_ROOT/dev is mounted: opens a pty in STAGE1_ROOT/dev/pts, gives it
 * the size of the terminal on stdin, and binds its slave over STAGE1_ROOT/dev/console.
 * Both descriptors are close-on-exec. */
void open_pod_terminal(const char *stage1_root, struct pod_terminal *terminal);
/* In an app's process: a new session whose controlling terminal is SLAVE_FD, which becomes
 * stdin, stdout and stderr; the process group is the terminal's foreground. */
void take_pod_terminal(int slave_fd);

#endif
