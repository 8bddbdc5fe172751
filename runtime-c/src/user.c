/*
 * The KTS runtime's hooks for user programs: print() output is collected per
 * line and written with one write system call; a panic ends the task with
 * exit status 101. Everything else comes from freestanding.c.
 */
#include "kts/kts.h"

uint64_t kts_syscall(uint64_t n, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);

enum { SYS_EXIT = 0, SYS_WRITE = 1 };

static char line[256];
static uint32_t used;

static void flush(void) {
    if (used) kts_syscall(SYS_WRITE, (uint64_t)(uintptr_t)line, used, 0, 0, 0, 0);
    used = 0;
}

void kts_putc(char c) {
    line[used++] = c;
    if (c == '\n' || used == sizeof line) flush();
}

KTS_NORETURN void kts_halt(void) {
    flush();
    for (;;) kts_syscall(SYS_EXIT, 101, 0, 0, 0, 0, 0);
}
