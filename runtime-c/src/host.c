/*
 * The hosted KTS runtime: printing to stdout, panics to stderr with exit status
 * 101 (the Node world's harness prints the same line and uses the same status),
 * and stdin for kts/host. Linked into `cambi compile --target host` programs,
 * which are built with AddressSanitizer and UndefinedBehaviorSanitizer.
 */
#include "kts/kts.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
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
