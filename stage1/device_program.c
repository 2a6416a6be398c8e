#include "device_program.h"

#include <fcntl.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "error.h"
#include "memory.h"

/* Registers of the program: the context fields are loaded once into R2..R5 (R1 is the
 * context pointer, then scratch); R0 is the verdict (1 allow, 0 deny). */
enum { R0, R1, R2, R3, R4, R5 };
#define REG_TYPE R2
#define REG_ACCESS R3
#define REG_MAJOR R4
#define REG_MINOR R5

struct program {
	struct bpf_insn *code;
	size_t count;
};

static void emit(struct program *program, uint8_t opcode, uint8_t dst, uint8_t src, int16_t offset, int32_t imm)
{
	program->code = xrealloc(program->code, (program->count + 1) * sizeof *program->code);
	program->code[program->count++] =
		(struct bpf_insn){ .code = opcode, .dst_reg = dst, .src_reg = src, .off = offset, .imm = imm };
}

/* struct bpf_cgroup_dev_ctx: access_type ((access << 16) | type), major, minor; 32 bits each. */
static void emit_context_loads(struct program *program)
{
	emit(program, BPF_LDX | BPF_MEM | BPF_W, REG_TYPE, R1, 0, 0);
	emit(program, BPF_ALU | BPF_AND | BPF_K, REG_TYPE, 0, 0, 0xffff);
	emit(program, BPF_LDX | BPF_MEM | BPF_W, REG_ACCESS, R1, 0, 0);
	emit(program, BPF_ALU | BPF_RSH | BPF_K, REG_ACCESS, 0, 0, 16);
	emit(program, BPF_LDX | BPF_MEM | BPF_W, REG_MAJOR, R1, 4, 0);
	emit(program, BPF_LDX | BPF_MEM | BPF_W, REG_MINOR, R1, 8, 0);
}

static void emit_verdict(struct program *program, int32_t allowed)
{
	emit(program, BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, allowed);
	emit(program, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

static size_t rule_length(const struct device_rule *rule)
{
	return 1 + 3 + (rule->major != DEVICE_NUMBER_ANY) + (rule->minor != DEVICE_NUMBER_ANY) + 2;
}

/* The offset of a jump emitted next that lands on instruction TARGET. */
static int16_t jump_to(const struct program *program, size_t target)
{
	return (int16_t)(target - program->count - 1);
}

/* Allows the access when the device matches RULE; else jumps to the next rule. */
static void emit_rule(struct program *program, const struct device_rule *rule)
{
	size_t next_rule = program->count + rule_length(rule);

	emit(program, BPF_JMP | BPF_JNE | BPF_K, REG_TYPE, 0, jump_to(program, next_rule), (int32_t)rule->type);
	/* Every access asked for must be among the rule's. */
	emit(program, BPF_ALU64 | BPF_MOV | BPF_X, R1, REG_ACCESS, 0, 0);
	emit(program, BPF_ALU | BPF_AND | BPF_K, R1, 0, 0, (int32_t)~rule->access);
	emit(program, BPF_JMP | BPF_JNE | BPF_K, R1, 0, jump_to(program, next_rule), 0);
	if (rule->major != DEVICE_NUMBER_ANY)
		emit(program, BPF_JMP | BPF_JNE | BPF_K, REG_MAJOR, 0, jump_to(program, next_rule),
		     (int32_t)rule->major);
	if (rule->minor != DEVICE_NUMBER_ANY)
		emit(program, BPF_JMP | BPF_JNE | BPF_K, REG_MINOR, 0, jump_to(program, next_rule),
		     (int32_t)rule->minor);
	emit_verdict(program, 1);
}

static struct program assemble(const struct device_rules *rules)
{
	struct program program = { NULL, 0 };

	emit_context_loads(&program);
	for (size_t i = 0; i < rules->count; i++)
		emit_rule(&program, &rules->list[i]);
	emit_verdict(&program, 0);
	return program;
}

static int bpf(int command, union bpf_attr *attributes)
{
	return (int)syscall(SYS_bpf, command, attributes, sizeof *attributes);
}

void attach_device_program(const char *directory, const struct device_rules *rules)
{
	struct program program = assemble(rules);
	union bpf_attr load;
	union bpf_attr attach;
	int program_fd, cgroup_fd;

	memset(&load, 0, sizeof load);
	load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	load.insns = (uintptr_t)program.code;
	load.insn_cnt = (uint32_t)program.count;
	load.license = (uintptr_t) "GPL";
	program_fd = bpf(BPF_PROG_LOAD, &load);
	if (program_fd < 0)
		die_errno("load the device program for cgroup", directory);
	cgroup_fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgroup_fd < 0)
		die_errno("open cgroup", directory);
	memset(&attach, 0, sizeof attach);
	attach.target_fd = (uint32_t)cgroup_fd;
	attach.attach_bpf_fd = (uint32_t)program_fd;
	attach.attach_type = BPF_CGROUP_DEVICE;
	attach.attach_flags = BPF_F_ALLOW_MULTI;
	if (bpf(BPF_PROG_ATTACH, &attach) < 0)
		die_errno("attach the device program to cgroup", directory);
	/* The cgroup holds the program now; it goes with the cgroup. */
	close(cgroup_fd);
	close(program_fd);
	free(program.code);
}
