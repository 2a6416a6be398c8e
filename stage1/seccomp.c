/* The default seccomp filter, a classic BPF program built here (no libseccomp): it denies
 * the system calls that reach beyond the pod (kernel keyrings, mounts, tracing, kernel
 * modules and images, bpf, clocks, swap, new user namespaces, ...) in the spirit of
 * docker's default profile. The mount calls stay denied even with CAP_SYS_ADMIN kept, so
 * that the read-only and masked kernel interfaces (masked_paths.c) stay as they are. */
#include "seccomp.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "error.h"

#if defined(__x86_64__)
#define FILTER_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define FILTER_ARCH AUDIT_ARCH_AARCH64
#else
#error "the seccomp filter knows the x86-64 and aarch64 system calls only"
#endif

#define NO_CAPABILITY -1
#define POD_INIT_PID 1
#define MAX_INSTRUCTIONS 512

/* When a listed call fails. */
enum condition {
	ALWAYS,
	NEVER,
	TARGETS_POD_INIT, /* its pid argument is the pod's PID 1 */
	NEW_USER_NAMESPACE, /* its flags argument has CLONE_NEWUSER */
	UNSAFE_PERSONALITY, /* a persona other than Linux's own and its harmless variants */
};

struct denied_call {
	long number;
	enum condition condition;
	int lifted_by; /* a capability that, kept, turns the condition into WHEN_LIFTED */
	enum condition when_lifted;
	int argument; /* the argument the condition looks at */
	int errnum;
};

#define DENY(nr)                                            \
	{                                                   \
		nr, ALWAYS, NO_CAPABILITY, ALWAYS, 0, EPERM \
	}
#define DENY_UNLESS(nr, capability)                     \
	{                                               \
		nr, ALWAYS, capability, NEVER, 0, EPERM \
	}
#define DENY_UNLESS_TRACER(nr, pid_argument)                                      \
	{                                                                         \
		nr, ALWAYS, CAP_SYS_PTRACE, TARGETS_POD_INIT, pid_argument, EPERM \
	}

static const struct denied_call denied_calls[] = {
	DENY(__NR_add_key),
	DENY(__NR_keyctl),
	DENY(__NR_request_key),
	DENY(__NR_mount),
	DENY(__NR_umount2),
	DENY(__NR_pivot_root),
	DENY(__NR_fsopen),
	DENY(__NR_fsconfig),
	DENY(__NR_fsmount),
	DENY(__NR_fspick),
	DENY(__NR_move_mount),
	DENY(__NR_open_tree),
	DENY(__NR_mount_setattr),
	DENY_UNLESS_TRACER(__NR_ptrace, 1),
	DENY_UNLESS_TRACER(__NR_process_vm_readv, 0),
	DENY_UNLESS_TRACER(__NR_process_vm_writev, 0),
	DENY_UNLESS_TRACER(__NR_kcmp, 0),
	DENY(__NR_pidfd_getfd),
	DENY(__NR_kexec_load),
	DENY(__NR_kexec_file_load),
	DENY_UNLESS(__NR_reboot, CAP_SYS_BOOT),
	DENY_UNLESS(__NR_init_module, CAP_SYS_MODULE),
	DENY_UNLESS(__NR_finit_module, CAP_SYS_MODULE),
	DENY_UNLESS(__NR_delete_module, CAP_SYS_MODULE),
	DENY_UNLESS(__NR_bpf, CAP_BPF),
	DENY_UNLESS(__NR_perf_event_open, CAP_PERFMON),
	DENY(__NR_userfaultfd),
	DENY(__NR_setns),
	DENY(__NR_open_by_handle_at),
	DENY(__NR_name_to_handle_at),
	DENY(__NR_swapon),
	DENY(__NR_swapoff),
	DENY(__NR_lookup_dcookie),
	DENY(__NR_quotactl),
	DENY(__NR_quotactl_fd),
	DENY_UNLESS(__NR_acct, CAP_SYS_PACCT),
	DENY_UNLESS(__NR_syslog, CAP_SYSLOG),
	DENY_UNLESS(__NR_settimeofday, CAP_SYS_TIME),
	DENY_UNLESS(__NR_clock_settime, CAP_SYS_TIME),
	DENY_UNLESS(__NR_adjtimex, CAP_SYS_TIME),
	DENY_UNLESS(__NR_clock_adjtime, CAP_SYS_TIME),
#ifdef __NR_iopl
	DENY_UNLESS(__NR_iopl, CAP_SYS_RAWIO),
	DENY_UNLESS(__NR_ioperm, CAP_SYS_RAWIO),
#endif
#ifdef __NR_uselib
	DENY(__NR_uselib),
#endif
	{ __NR_unshare, NEW_USER_NAMESPACE, NO_CAPABILITY, NEW_USER_NAMESPACE, 0, EPERM },
	{ __NR_clone, NEW_USER_NAMESPACE, NO_CAPABILITY, NEW_USER_NAMESPACE, 0, EPERM },
	/* Its flags are behind a pointer, out of a filter's reach. */
	{ __NR_clone3, ALWAYS, NO_CAPABILITY, ALWAYS, 0, ENOSYS },
	{ __NR_personality, UNSAFE_PERSONALITY, NO_CAPABILITY, UNSAFE_PERSONALITY, 0, EPERM },
};

/* PER_LINUX, UNAME26, ADDR_NO_RANDOMIZE, both, and the query 0xffffffff (docker's list). */
static const uint32_t safe_personalities[] = { 0x0, 0x8, 0x20000, 0x20008, 0xffffffff };
#define SAFE_PERSONALITY_COUNT (sizeof safe_personalities / sizeof safe_personalities[0])

struct program {
	struct sock_filter instructions[MAX_INSTRUCTIONS];
	unsigned short length;
};

static void emit(struct program *program, struct sock_filter instruction)
{
	if (program->length == MAX_INSTRUCTIONS)
		die_message("build seccomp filter", "too many instructions");
	program->instructions[program->length++] = instruction;
}

static void emit_return(struct program *program, uint32_t action)
{
	emit(program, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, action));
}

static void emit_load(struct program *program, uint32_t offset)
{
	emit(program, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offset));
}

static void emit_jump(struct program *program, uint16_t test, uint32_t value, uint8_t if_true, uint8_t if_false)
{
	emit(program, (struct sock_filter)BPF_JUMP(BPF_JMP | test | BPF_K, value, if_true, if_false));
}

/* The low 32 bits of an argument: what the kernel reads of an int (pid, flags, persona). */
static uint32_t argument_low_word(int argument)
{
	uint32_t offset = (uint32_t)offsetof(struct seccomp_data, args) + 8u * (uint32_t)argument;

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	offset += 4;
#endif
	return offset;
}

/* Instructions that follow a call's number check, ending in its verdict either way: the
 * argument load, the tests, then "deny" and "allow". */
static uint8_t condition_length(enum condition condition)
{
	return condition == UNSAFE_PERSONALITY ? (uint8_t)(1 + SAFE_PERSONALITY_COUNT + 2) : 4;
}

static void emit_condition(struct program *program, enum condition condition, int argument, uint32_t deny)
{
	emit_load(program, argument_low_word(argument));
	if (condition == TARGETS_POD_INIT)
		emit_jump(program, BPF_JEQ, POD_INIT_PID, 0, 1);
	else if (condition == NEW_USER_NAMESPACE)
		emit_jump(program, BPF_JSET, CLONE_NEWUSER, 0, 1);
	else
		for (size_t i = 0; i < SAFE_PERSONALITY_COUNT; i++)
			emit_jump(program, BPF_JEQ, safe_personalities[i], (uint8_t)(SAFE_PERSONALITY_COUNT - i), 0);
	emit_return(program, deny);
	emit_return(program, SECCOMP_RET_ALLOW);
}

static void emit_denied_call(struct program *program, const struct denied_call *call, uint64_t kept)
{
	bool lifted = call->lifted_by != NO_CAPABILITY && (kept & (1ULL << call->lifted_by)) != 0;
	enum condition condition = lifted ? call->when_lifted : call->condition;
	uint32_t deny = SECCOMP_RET_ERRNO | ((uint32_t)call->errnum & SECCOMP_RET_DATA);

	if (condition == NEVER)
		return;
	if (condition == ALWAYS) {
		emit_jump(program, BPF_JEQ, (uint32_t)call->number, 0, 1);
		emit_return(program, deny);
		return;
	}
	emit_jump(program, BPF_JEQ, (uint32_t)call->number, 0, condition_length(condition));
	emit_condition(program, condition, call->argument, deny);
}

static void build_filter(struct program *program, uint64_t kept)
{
	emit_load(program, offsetof(struct seccomp_data, arch));
	emit_jump(program, BPF_JEQ, FILTER_ARCH, 1, 0);
	emit_return(program, SECCOMP_RET_KILL_PROCESS);
	emit_load(program, offsetof(struct seccomp_data, nr));
#ifdef __x86_64__
	/* x32 calls share the x86-64 arch value and would bypass the numbers below. */
	emit_jump(program, BPF_JGE, __X32_SYSCALL_BIT, 0, 1);
	emit_return(program, SECCOMP_RET_KILL_PROCESS);
#endif
	for (size_t i = 0; i < sizeof denied_calls / sizeof denied_calls[0]; i++)
		emit_denied_call(program, &denied_calls[i], kept);
	emit_return(program, SECCOMP_RET_ALLOW);
}

void install_seccomp_filter(uint64_t kept)
{
	static struct program program;
	struct sock_fprog filter;

	program.length = 0;
	build_filter(&program, kept);
	filter = (struct sock_fprog){ .len = program.length, .filter = program.instructions };
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &filter, 0, 0) < 0)
		die_errno("install seccomp filter", NULL);
}
