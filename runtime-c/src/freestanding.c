/*
 * The freestanding KTS runtime (kernel and services): printing through
 * kts_putc() and stopping through kts_halt(), both supplied by the arch layer
 * or the service library; and the mem* functions clang may emit for struct and
 * array initialization even with -fno-builtin.
 */
#include "kts/kts.h"

void kts_putc(char c);
KTS_NORETURN void kts_halt(void);

static void puts_(const char *s) {
    while (*s) kts_putc(*s++);
}

static void put_unsigned(uint64_t v, unsigned base) {
    char buf[24];
    int n = 0;
    do {
        unsigned d = (unsigned)(v % base);
        buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v);
    while (n) kts_putc(buf[--n]);
}

uint32_t kts_log_level = 2;

void kts_log_begin(uint32_t level) {
    static const char *const prefix[4] = { "error: ", "warn: ", "info: ", "debug: " };
    kts_print_begin();
    puts_(prefix[level < 4 ? level : 3]);
}

void kts_print_begin(void) {}
void kts_print_str(const char *s) { puts_(s); }
void kts_print_u64(uint64_t v) { put_unsigned(v, 10); }
void kts_print_i64(int64_t v) {
    if (v < 0) {
        kts_putc('-');
        put_unsigned(0 - (uint64_t)v, 10);
    } else {
        put_unsigned((uint64_t)v, 10);
    }
}
void kts_print_hex(uint64_t v) { puts_("0x"); put_unsigned(v, 16); }
void kts_print_text(kts_slice_u8 s, uint32_t n) {
    for (uint32_t i = 0; i < n && i < s.len && s.ptr[i] != 0; i++) {
        uint8_t c = s.ptr[i] >= 0x20 && s.ptr[i] < 0x7f ? s.ptr[i] : '?';
        kts_putc((char)c);
    }
}
void kts_print_bool(bool v) { puts_(v ? "true" : "false"); }
void kts_print_end(void) { kts_putc('\n'); }

/* The image's .ts line table, delta-encoded in blocks (compiler/build/lines.ts);
   absent in the first link pass. */
extern const uint32_t kts_line_block_count __attribute__((weak));
extern const char *const kts_line_files[] __attribute__((weak));
extern const uint64_t kts_line_block_addrs[] __attribute__((weak));
extern const uint32_t kts_line_block_offsets[] __attribute__((weak));
extern const uint8_t kts_line_bytes[] __attribute__((weak));

static uint64_t line_uleb(uint32_t *at) {
    uint64_t v = 0;
    for (uint32_t shift = 0;; shift += 7) {
        uint8_t b = kts_line_bytes[(*at)++];
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) return v;
    }
}

/* Prints " at file.ts:line" for a code address, if the line table knows it. */
void kts_print_code_location(uint64_t pc) {
    if (!&kts_line_block_count || kts_line_block_count == 0 || pc < kts_line_block_addrs[0]) return;
    uint32_t lo = 0, hi = kts_line_block_count;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (kts_line_block_addrs[mid] <= pc) lo = mid; else hi = mid;
    }
    /* Decode the block's rows up to the last one at or below pc. */
    uint32_t at = kts_line_block_offsets[lo], end = kts_line_block_offsets[lo + 1];
    uint64_t addr = kts_line_block_addrs[lo];
    uint32_t file = 0, line = 0, found = 0;
    while (at < end) {
        uint64_t a = addr + line_uleb(&at);
        uint64_t l = line_uleb(&at);
        uint32_t f = (l & 1) ? (uint32_t)line_uleb(&at) : file;
        uint64_t z = l >> 1;
        uint32_t next = (z & 1) ? line - (uint32_t)((z + 1) >> 1) : line + (uint32_t)(z >> 1);
        if (a > pc) break;
        addr = a;
        file = f;
        line = next;
        found = 1;
    }
    if (!found || file == 0xfff) return; /* code without a .ts location */
    puts_(" at ");
    puts_(kts_line_files[file]);
    kts_putc(':');
    put_unsigned(line, 10);
}

/* One backtrace line: "  #n 0x… at file.ts:line". */
void kts_print_frame(uint32_t label, uint64_t pc) {
    puts_("  #");
    put_unsigned(label, 10);
    puts_(" 0x");
    put_unsigned(pc, 16);
    kts_print_code_location(pc);
    kts_putc('\n');
}

/* Frame-pointer backtrace: [fp] = caller's fp, [fp + 8] = return address on both arches.
 * A return address points after the call, so it is looked up one byte earlier. */
static void backtrace_(void) {
    uint64_t *fp = __builtin_frame_address(0);
    for (uint32_t i = 0; i < 16 && fp && ((uint64_t)fp >> 48) == 0xffff && ((uint64_t)fp & 7) == 0; i++) {
        uint64_t ret = fp[1];
        if (!ret) break;
        kts_print_frame(i, ret - 1);
        fp = (uint64_t *)fp[0];
    }
}

/* Set by the first panic: the console may then take its line from a CPU that stopped mid-line. */
static volatile uint32_t panic_started;

uint32_t kts_panicking(void) { return panic_started; }

void kts_panic_begin(void) {
    panic_started = 1;
    puts_("panic: ");
}

uint32_t kts_check_failures;

void kts_check_end(const char *file, int line) {
    kts_check_failures++;
    puts_(" at ");
    puts_(file);
    kts_putc(':');
    put_unsigned((uint64_t)line, 10);
    kts_print_end();
}

void kts_panic_end(const char *file, int line) {
    puts_(" at ");
    puts_(file);
    kts_putc(':');
    put_unsigned((uint64_t)line, 10);
    kts_putc('\n');
    puts_("backtrace:\n");
    backtrace_();
    kts_halt();
}

void kts_bounds_fail(uint64_t index, uint64_t len, const char *file, int line) {
    kts_panic_begin();
    puts_("index ");
    put_unsigned(index, 10);
    puts_(" out of bounds (length ");
    put_unsigned(len, 10);
    puts_(")");
    kts_panic_end(file, line);
}

/* "<what> from..to out of bounds (length len)": a slice, or a byte range (copyBytes, layout fields). */
KTS_NORETURN static void range_panic(const char *what, uint64_t from, uint64_t to, uint32_t len, const char *file, int line) {
    kts_panic_begin();
    puts_(what);
    put_unsigned(from, 10);
    puts_("..");
    put_unsigned(to, 10);
    puts_(" out of bounds (length ");
    put_unsigned(len, 10);
    puts_(")");
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
    puts_("division by zero");
    kts_panic_end(file, line);
}

void kts_shift_fail(const char *file, int line) {
    kts_panic_begin();
    puts_("shift count too large");
    kts_panic_end(file, line);
}

void kts_unreachable(const char *file, int line) {
    kts_panic_begin();
    puts_("reached the end of a function that must return a value");
    kts_panic_end(file, line);
}

uint32_t kts_read_stdin(uint8_t *buf, uint32_t len) {
    (void)buf;
    (void)len;
    return 0;
}

void *memset(void *dst, int c, size_t n) {
    uint8_t *d = dst;
    while (n--) *d++ = (uint8_t)c;
    return dst;
}

void *memcpy(void *dst, const void *src, size_t n) {
    uint8_t *d = dst;
    const uint8_t *s = src;
    while (n--) *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (d < s) {
        while (n--) *d++ = *s++;
    } else {
        while (n--) d[n] = s[n];
    }
    return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
    const uint8_t *x = a, *y = b;
    for (; n; n--, x++, y++) {
        if (*x != *y) return *x < *y ? -1 : 1;
    }
    return 0;
}
