/*
 * The hosted KTS runtime: printing to stdout, panics to stderr with exit status
 * 101 (the Node world's harness prints the same line and uses the same status),
 * and stdin for kts/host. Linked into `cambi compile --target host` programs,
 * which are built with AddressSanitizer and UndefinedBehaviorSanitizer.
 */
#define _GNU_SOURCE /* ucontext_t's registers (REG_RSP) */
#include "kts/kts.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <ucontext.h>
#include <unistd.h>

static FILE *out;

static FILE *stream(void) { return out ? out : stdout; }

uint32_t kts_log_level = 2;

void kts_log_begin(uint32_t level) {
    static const char *const prefix[4] = { "error: ", "warn: ", "info: ", "debug: " };
    kts_print_begin();
    fputs(prefix[level < 4 ? level : 3], stream());
}

void kts_print_begin(void) {}
void kts_print_str(const char *s) { fputs(s, stream()); }
void kts_print_u64(uint64_t v) { fprintf(stream(), "%" PRIu64, v); }
void kts_print_i64(int64_t v) { fprintf(stream(), "%" PRId64, v); }
void kts_print_hex(uint64_t v) { fprintf(stream(), "0x%" PRIx64, v); }
void kts_print_text(kts_slice_u8 s, uint32_t n) {
    for (uint32_t i = 0; i < n && i < s.len && s.ptr[i] != 0; i++) {
        uint8_t c = s.ptr[i] >= 0x20 && s.ptr[i] < 0x7f ? s.ptr[i] : '?';
        fputc(c, stream());
    }
}
void kts_print_bool(bool v) { fputs(v ? "true" : "false", stream()); }
void kts_print_end(void) { fputc('\n', stream()); }

uint32_t kts_check_failures;

void kts_check_end(const char *file, int line) {
    kts_check_failures++;
    fprintf(stream(), " at %s:%d\n", file, line);
}

void kts_panic_begin(void) {
    fflush(stdout);
    out = stderr;
    fputs("panic: ", stderr);
}

void kts_panic_end(const char *file, int line) {
    fprintf(stderr, " at %s:%d\n", file, line);
    fflush(stderr);
    _exit(101);
}

void kts_bounds_fail(uint64_t index, uint64_t len, const char *file, int line) {
    kts_panic_begin();
    fprintf(stderr, "index %" PRIu64 " out of bounds (length %" PRIu64 ")", index, len);
    kts_panic_end(file, line);
}

/* "<what> from..to out of bounds (length len)": a slice, or a byte range (copyBytes, layout fields). */
KTS_NORETURN static void range_panic(const char *what, uint64_t from, uint64_t to, uint32_t len, const char *file, int line) {
    kts_panic_begin();
    fprintf(stderr, "%s%" PRIu64 "..%" PRIu64 " out of bounds (length %u)", what, from, to, len);
    kts_panic_end(file, line);
}

void kts_slice_fail(uint32_t from, uint32_t to, uint32_t len, const char *file, int line) {
    range_panic("slice ", from, to, len, file, line);
}

void kts_range_fail(uint64_t from, uint64_t to, uint32_t len, const char *file, int line) {
    range_panic("range ", from, to, len, file, line);
}

void kts_divzero_fail(const char *file, int line) {
    kts_panic_begin();
    fputs("division by zero", stderr);
    kts_panic_end(file, line);
}

void kts_shift_fail(const char *file, int line) {
    kts_panic_begin();
    fputs("shift count too large", stderr);
    kts_panic_end(file, line);
}

void kts_unreachable(const char *file, int line) {
    kts_panic_begin();
    fputs("reached the end of a function that must return a value", stderr);
    kts_panic_end(file, line);
}

void kts_print_code_location(uint64_t pc) { (void)pc; }
void kts_print_frame(uint32_t label, uint64_t pc) { fprintf(stream(), "  #%u 0x%" PRIx64 "\n", label, pc); }

uint32_t kts_read_stdin(uint8_t *buf, uint32_t len) {
    fflush(stdout);
    ssize_t n = read(0, buf, len);
    return n > 0 ? (uint32_t)n : 0;
}

/*
 * Stack overflow: recursion that does not end runs out of stack in both worlds.
 * Under Node that is a RangeError, which node-main.ts prints as the panic
 * `panic: stack overflow` (no site: where the stack runs out depends on the
 * world's stack and frame sizes) with status 101. Here it is a SIGSEGV on the
 * guard page below the stack, caught on an alternate signal stack (the stack
 * itself has no room left) and printed the same way. A fault elsewhere is not
 * this handler's: it puts back the handler that was there before (AddressSanitizer's,
 * or the default) and returns, and the fault happens again under it.
 *
 * With AddressSanitizer this handler replaces ASan's (allow_user_segv_handler
 * is on by default; ASan's own report would be "AddressSanitizer: stack-overflow"
 * and status 1). stdout is flushed from the handler, which stdio does not
 * promise to allow: the fault is taken at a call or frame set-up in generated
 * code, and only an overflow inside stdio itself could find its buffer half
 * updated.
 */
static uintptr_t stack_top;
static struct sigaction previous_segv;
static char alt_stack[64 * 1024] __attribute__((aligned(16)));

/* How far below the stack pointer an overflowing access can land: a call's push, a frame's first store. */
#define KTS_BELOW_SP 65536

static bool is_stack_overflow(const siginfo_t *si, const void *context) {
    uintptr_t addr = (uintptr_t)si->si_addr;
    if (addr >= stack_top) return false;
    const ucontext_t *uc = context;
#if defined(__x86_64__)
    uintptr_t sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
    return addr + KTS_BELOW_SP >= sp;
#elif defined(__aarch64__)
    uintptr_t sp = (uintptr_t)uc->uc_mcontext.sp;
    return addr + KTS_BELOW_SP >= sp;
#else
    /* Without the stack pointer: within the stack's limit below its top. */
    (void)uc;
    struct rlimit lim;
    if (getrlimit(RLIMIT_STACK, &lim) != 0 || lim.rlim_cur == RLIM_INFINITY || lim.rlim_cur > stack_top) return false;
    return addr + KTS_BELOW_SP >= stack_top - lim.rlim_cur;
#endif
}

static void on_segv(int sig, siginfo_t *si, void *context) {
    (void)sig;
    if (!is_stack_overflow(si, context)) {
        sigaction(SIGSEGV, &previous_segv, NULL);
        return;
    }
    static const char line[] = "panic: stack overflow\n";
    fflush(stdout);
    ssize_t written = write(2, line, sizeof line - 1);
    (void)written;
    _exit(101);
}

__attribute__((constructor)) static void kts_catch_stack_overflow(void) {
    /* Every frame of the program is below this one's (main's, a little above, is never where the stack runs out). */
    stack_top = (uintptr_t)__builtin_frame_address(0) + KTS_BELOW_SP;
    stack_t alt = { .ss_sp = alt_stack, .ss_size = sizeof alt_stack, .ss_flags = 0 };
    if (sigaltstack(&alt, NULL) != 0) return;
    struct sigaction sa;
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &previous_segv);
}
