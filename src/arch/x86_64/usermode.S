/*
 * x86_64 user mode: the SYSCALL entry, kernel context switches, the first
 * entry of a new user context, and the calls into the portable kernel.
 *
 * Hooks into the kernel (src/kernel/syscall/dispatch.ts, src/kernel/task/):
 *   kernel_syscall_dispatch__onSyscall(frame)       a syscall from user mode
 *   kernel_task_lifecycle__onUserFault(kind, addr, pc)   a fault in user mode
 *   kernel_task_schedule__onIrqExit()               the end of every IRQ
 *   kernel_task_schedule__arrived()                 a new context's first run
 * They are weak references: an image whose entry does not import those modules
 * (the test kernels) still links; the x86_hook_* wrappers below report whether
 * the hook was there, and the KTS callers decide what its absence means (the
 * syscall dispatcher has a weak default instead: a direct call on every syscall).
 *
 * Frame layout: frame.h (shared with trap.S; frame.ts for KTS).
 * Per-CPU slots (GS-relative, src/arch/x86_64/percpu.ts): 40 = the kernel
 * stack for SYSCALL entries, 48 = scratch for the user RSP.
 */
#include "frame.h"
#define PCPU_SYSCALL_STACK 40
#define PCPU_USER_RSP      48
#define USER_DS            0x23
#define USER_CS            0x2b
#define VECTOR_SYSCALL     0x100
/* RFLAGS bits a user task may keep across SYSRET: CF PF AF ZF SF DF OF AC ID
 * (not TF, IOPL, NT, RF, VM, VIF, VIP); IF and the reserved bit 1 are forced on. */
#define USER_RFLAGS_KEEP   0x240cd5
#define USER_RFLAGS_SET    0x202

    .weak kernel_task_lifecycle__onUserFault
    .weak kernel_task_schedule__onIrqExit
    .weak kernel_task_schedule__arrived

/* Saves this kernel context (x86_context_switch's shape) and stores its SP at (%rdi). */
.macro SAVE_CONTEXT
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    pushfq
    movq %rsp, (%rdi)
.endm

    .text

/*
 * SYSCALL lands here (IA32_LSTAR) in ring 0 with: rcx = user RIP, r11 = user
 * RFLAGS, RSP still the user's, GS the user's, and IF/TF/DF/AC/NT/IOPL cleared
 * by IA32_FMASK. Interrupts stay masked for the whole syscall: the kernel is
 * not preemptible (a syscall that blocks switches tasks itself).
 */
    .balign 16
    .globl x86_syscall_entry
x86_syscall_entry:
    swapgs
    movq %rsp, %gs:PCPU_USER_RSP
    movq %gs:PCPU_SYSCALL_STACK, %rsp
    pushq $USER_DS                  /* ss */
    pushq %gs:PCPU_USER_RSP         /* rsp */
    pushq %r11                      /* rflags */
    pushq $USER_CS                  /* cs */
    pushq %rcx                      /* rip */
    pushq $0                        /* error code */
    pushq $VECTOR_SYSCALL           /* vector */
    PUSH_GPRS
    xorl %ebp, %ebp                 /* backtraces stop here, not in user memory */
    movq %rsp, %rdi
    call kernel_syscall_dispatch__onSyscall /* may switch tasks; returns on this stack */

    /* SYSRET to a non-canonical RIP would fault in ring 0 on the user stack:
     * only a user-half RIP (below 2^47) goes back that way.
     * x86_context_switch_to_user joins here with RSP = another task's frame. */
syscall_exit:
    movq F_RIP(%rsp), %rax
    shrq $47, %rax
    jnz 4f
    POP_GPRS                        /* r11 and rcx are replaced by RFLAGS and RIP below */
    /* rsp -> vector; rip at +16, rflags at +32, rsp at +40 */
    movq 16(%rsp), %rcx
    movq 32(%rsp), %r11
    andq $USER_RFLAGS_KEEP, %r11
    orq $USER_RFLAGS_SET, %r11
    movq 40(%rsp), %rsp
    swapgs
    sysretq


    /* Bad return address: the task is ended as for a #GP (never returns). */
4:  movq %rsp, %rdi
    call arch_x86_64_syscall__badSyscallReturn
    ud2

/*
 * x86_context_switch(saveAt, to): saves the callee-saved registers and RFLAGS
 * (so IF comes back as it was) on this stack, stores RSP at *saveAt, loads
 * `to` as RSP and restores the context saved there. Saved context, from its
 * SP up: rflags, r15, r14, r13, r12, rbx, rbp, return address (64 bytes;
 * context.ts builds new ones in this shape).
 */
    .balign 16
    .globl x86_context_switch
x86_context_switch:
    SAVE_CONTEXT
    movq %rsi, %rsp
    popfq
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret

/*
 * x86_context_switch_to_user(saveAt, frame, release): saves this context as
 * x86_context_switch does (its SP at *saveAt), then stores 0 at *release (the
 * scheduler lock: held until the context is saved, so no other CPU resumes it
 * half saved) and returns to user mode from `frame`, the syscall frame at the
 * top of the next task's kernel stack, whose system call is finished: the
 * IPC fast path's direct return, with no trip through the next task's kernel
 * stack. The tail of x86_syscall_entry.
 */
    .balign 16
    .globl x86_context_switch_to_user
x86_context_switch_to_user:
    SAVE_CONTEXT
    movq %rsi, %rsp
    movl $0, (%rdx)
    jmp syscall_exit

/*
 * A new user context's first return from x86_context_switch lands here, with
 * interrupts masked, RSP = the top of its kernel stack (16-byte aligned), and
 * r12 = user entry, r13 = user stack pointer, r14 = the argument. It tells the
 * scheduler it has arrived, then enters ring 3 through iretq with every other
 * register zero and GS swapped to the user's (the kernel's comes back with the
 * swapgs of the next entry).
 */
    .balign 16
    .globl x86_user_first_entry
x86_user_first_entry:
    movq $kernel_task_schedule__arrived, %rax
    testq %rax, %rax
    jz 1f
    call *%rax
1:  cli
    pushq $USER_DS                  /* ss */
    pushq %r13                      /* rsp */
    pushq $USER_RFLAGS_SET          /* rflags: IF */
    pushq $USER_CS                  /* cs */
    pushq %r12                      /* rip */
    movq %r14, %rdi
    xorl %eax, %eax
    xorl %ebx, %ebx
    xorl %ecx, %ecx
    xorl %edx, %edx
    xorl %esi, %esi
    xorl %ebp, %ebp
    xorl %r8d, %r8d
    xorl %r9d, %r9d
    xorl %r10d, %r10d
    xorl %r11d, %r11d
    xorl %r12d, %r12d
    xorl %r13d, %r13d
    xorl %r14d, %r14d
    xorl %r15d, %r15d
    swapgs
    iretq

/* x86_user_first_entry_address(): for contextInitUser. */
    .globl x86_user_first_entry_address
x86_user_first_entry_address:
    movq $x86_user_first_entry, %rax
    ret

/* The dispatcher's weak default: an image without it (the test kernels) panics
 * on a syscall, naming it; the kernel's own definition replaces this one. */
    .weak kernel_syscall_dispatch__onSyscall
kernel_syscall_dispatch__onSyscall:
    jmp arch_x86_64_syscall__noDispatcher

/* x86_syscall_entry_address(): for IA32_LSTAR. */
    .globl x86_syscall_entry_address
x86_syscall_entry_address:
    movq $x86_syscall_entry, %rax
    ret

/* x86_hook_user_fault(kind, addr, pc): 0 if onUserFault is not linked; else
 * calls it (it should not return) and returns 1 if it did. */
    .globl x86_hook_user_fault
x86_hook_user_fault:
    movq $kernel_task_lifecycle__onUserFault, %rax
    testq %rax, %rax
    jz 1f
    subq $8, %rsp
    call *%rax
    addq $8, %rsp
    movl $1, %eax
1:  ret

/* x86_hook_irq_exit(): calls onIrqExit if it is linked. */
    .globl x86_hook_irq_exit
x86_hook_irq_exit:
    movq $kernel_task_schedule__onIrqExit, %rax
    testq %rax, %rax
    jz 1f
    jmp *%rax
1:  ret

/* x86_boot_pml4_phys(): the boot page tables' root (entry.S), physical. */
    .globl x86_boot_pml4_phys
x86_boot_pml4_phys:
    movl $boot_pml4, %eax
    ret
