/*
 * The hosted KTS runtime for libFuzzer targets: runtime-c/src/host.c as it is,
 * except that the end of a panic (and of a failed bounds, slice, range,
 * division or shift check) is abort(), not _exit(101): libFuzzer counts a
 * deadly signal as a crash and saves the input, but would take an exit for a
 * normal end of the process. The panic message is printed first, as always.
 */
#define _GNU_SOURCE /* host.c's stack-overflow handler reads the stack pointer from ucontext (REG_RSP) */
#include <stdlib.h>
#include <unistd.h>

__attribute__((noreturn)) static void kts_fuzz_exit(int status) {
    (void)status;
    abort();
}

#define _exit kts_fuzz_exit
#include "../../runtime-c/src/host.c"
#undef _exit
