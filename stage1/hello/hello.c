/* The demo app of the README's first command: greets and shows what the pod gave it. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char *variable(const char *name)
{
	const char *value = getenv(name);

	return value != NULL ? value : "(unset)";
}

int main(void)
{
	char hostname[256] = "(unknown)";

	if (gethostname(hostname, sizeof hostname) < 0)
		perror("gethostname");
	printf("Hello from rkt!\n");
	printf("  app:       %s (AC_APP_NAME)\n", variable("AC_APP_NAME"));
	printf("  container: %s\n", variable("container"));
	printf("  hostname:  %s\n", hostname);
	/* In a pod, PID 1 is stage1's init and the app one of its children: a PID namespace of its own. */
	printf("  pid:       %d (parent %d)%s\n", (int)getpid(), (int)getppid(),
	       getppid() == 1 ? ", in the pod's PID namespace" : "");
	printf("  uid/gid:   %u/%u\n", (unsigned)getuid(), (unsigned)getgid());
	return 0;
}
