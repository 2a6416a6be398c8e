/* The apps' exit statuses, for stage0 (`rkt status`): /rkt/status/<app> in the pod root. */
#ifndef STAGE1_STATUS_H
#define STAGE1_STATUS_H

/* STATUS: the exit code, or the signal number of a killed app; 0 for one that never ran. */
void write_app_status(const char *app_name, int status);

#endif
