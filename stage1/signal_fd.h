#ifndef STAGE1_SIGNAL_FD_H
#define STAGE1_SIGNAL_FD_H

/* Blocks the signals listed (ended by 0) and returns a non-blocking signalfd reading them. */
int open_signal_fd(const int *signals);

#endif
