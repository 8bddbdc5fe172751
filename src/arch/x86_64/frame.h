/*
 * The trap frame both x86_64 entry paths build (trap.S for interrupts and
 * exceptions, usermode.S for SYSCALL): offsets from its base, and the macros
 * that push and pop its general-purpose registers in that order. frame.ts has
 * the same offsets for KTS.
 */
#define F_VECTOR 120
#define F_RIP    136
#define F_CS     144
#define F_RFLAGS 152
#define F_RSP    160

.macro PUSH_GPRS
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
.endm

.macro POP_GPRS
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
.endm
