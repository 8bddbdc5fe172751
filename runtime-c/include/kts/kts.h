/*
 * The KTS C runtime interface: what generated C may use. Integer types, slices,
 * bounds/division/shift helpers with the semantics of docs/kts-language.md,
 * printing, and panics. Implemented by runtime-c/src/host.c (hosted, for tests)
 * or runtime-c/src/freestanding.c plus kts_putc/kts_halt from the arch layer.
 */
#ifndef KTS_KTS_H
#define KTS_KTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KTS_NORETURN __attribute__((noreturn))
#define KTS_UNUSED __attribute__((unused))
/* Module-level arrays start on a word: byte buffers handed to the kernel (IPC
 * messages) can then be copied a word at a time. */
#define KTS_ARRAY_ALIGN __attribute__((aligned(8)))
#define KTS_COLD __attribute__((cold, noinline))
#define KTS_OUTLINE __attribute__((noinline))
#define KTS_INLINE __attribute__((always_inline))

/* ---- panics ---- */
void kts_panic_begin(void);
KTS_NORETURN void kts_panic_end(const char *file, int line);
KTS_NORETURN KTS_COLD void kts_bounds_fail(uint64_t index, uint64_t len, const char *file, int line);
KTS_NORETURN KTS_COLD void kts_slice_fail(uint32_t from, uint32_t to, uint32_t len, const char *file, int line);
KTS_NORETURN KTS_COLD void kts_range_fail(uint64_t from, uint64_t to, uint32_t len, const char *file, int line);
KTS_NORETURN KTS_COLD void kts_divzero_fail(const char *file, int line);
KTS_NORETURN KTS_COLD void kts_shift_fail(const char *file, int line);
KTS_NORETURN KTS_COLD void kts_unreachable(const char *file, int line);

/* Prints " at file.ts:line" for a kernel code address (freestanding; no-op on the host). */
void kts_print_code_location(uint64_t pc);
void kts_print_frame(uint32_t label, uint64_t pc);

/* ---- check(): a failed expectation is printed and counted ---- */
extern uint32_t kts_check_failures;
void kts_check_end(const char *file, int line);

/* ---- the log: print() with a level prefix, filtered by kts_log_level ---- */
extern uint32_t kts_log_level;
void kts_log_begin(uint32_t level);

/* ---- printing (one print() is begin, parts, end) ---- */
void kts_print_begin(void);
void kts_print_str(const char *s);
void kts_print_u64(uint64_t v);
void kts_print_i64(int64_t v);
void kts_print_hex(uint64_t v);
void kts_print_bool(bool v);
void kts_print_end(void);

/* ---- host-only input ---- */
uint32_t kts_read_stdin(uint8_t *buf, uint32_t len);

/* ---- bounds-checked indexing ---- */
static inline uint32_t kts_index(uint32_t i, uint32_t len, const char *file, int line) {
    if (__builtin_expect(i >= len, 0)) kts_bounds_fail(i, len, file, line);
    return i;
}

/* ---- slices: a pointer and a length, one type per element type ---- */
#define KTS_DEFINE_SLICE(name, T)                                                           \
    typedef struct name { T *ptr; uint32_t len; } name;                                     \
    static inline KTS_UNUSED name name##_sub(T *p, uint32_t len, uint32_t from, uint32_t to, \
                                             const char *file, int line) {                  \
        if (__builtin_expect(from > to || to > len, 0)) kts_slice_fail(from, to, len, file, line); \
        return (name){ p + from, to - from };                                                \
    }
KTS_DEFINE_SLICE(kts_slice_u8, uint8_t)
KTS_DEFINE_SLICE(kts_slice_u16, uint16_t)
KTS_DEFINE_SLICE(kts_slice_u32, uint32_t)
KTS_DEFINE_SLICE(kts_slice_u64, uint64_t)
KTS_DEFINE_SLICE(kts_slice_i8, int8_t)
KTS_DEFINE_SLICE(kts_slice_i16, int16_t)
KTS_DEFINE_SLICE(kts_slice_i32, int32_t)
KTS_DEFINE_SLICE(kts_slice_i64, int64_t)
KTS_DEFINE_SLICE(kts_slice_usize, uint64_t)
KTS_DEFINE_SLICE(kts_slice_isize, int64_t)
KTS_DEFINE_SLICE(kts_slice_bool, bool)

/* copyBytes/fillBytes: the whole range checked once, then memmove/memset (overlap allowed, as in the Node world). */
static inline void kts_copy_bytes(kts_slice_u8 dst, uint32_t at, kts_slice_u8 src, uint32_t from, uint32_t n, const char *file, int line) {
    if (__builtin_expect((uint64_t)at + n > dst.len, 0)) kts_range_fail(at, (uint64_t)at + n, dst.len, file, line);
    if (__builtin_expect((uint64_t)from + n > src.len, 0)) kts_range_fail(from, (uint64_t)from + n, src.len, file, line);
    __builtin_memmove(dst.ptr + at, src.ptr + from, n);
}
static inline void kts_fill_bytes(kts_slice_u8 dst, uint32_t at, uint32_t n, uint8_t v, const char *file, int line) {
    if (__builtin_expect((uint64_t)at + n > dst.len, 0)) kts_range_fail(at, (uint64_t)at + n, dst.len, file, line);
    __builtin_memset(dst.ptr + at, v, n);
}

/* atomicLoadAt32 … atomicCasAt64: operations on one element, its index checked; `order` is an __ATOMIC_* constant. */
#define KTS_ATOMIC_AT(N, T, S)                                                                                          \
    static inline T kts_atomic_load_at##N(S a, uint32_t i, int order, const char *file, int line) {                     \
        return __atomic_load_n(&a.ptr[kts_index(i, a.len, file, line)], order);                                        \
    }                                                                                                                   \
    static inline void kts_atomic_store_at##N(S a, uint32_t i, T v, int order, const char *file, int line) {            \
        __atomic_store_n(&a.ptr[kts_index(i, a.len, file, line)], v, order);                                            \
    }                                                                                                                   \
    static inline T kts_atomic_fetch_add_at##N(S a, uint32_t i, T v, int order, const char *file, int line) {           \
        return __atomic_fetch_add(&a.ptr[kts_index(i, a.len, file, line)], v, order);                                   \
    }                                                                                                                   \
    static inline T kts_atomic_swap_at##N(S a, uint32_t i, T v, int order, const char *file, int line) {                \
        return __atomic_exchange_n(&a.ptr[kts_index(i, a.len, file, line)], v, order);                                  \
    }                                                                                                                   \
    static inline bool kts_atomic_cas_at##N(S a, uint32_t i, T expected, T desired, int order, int fail,                \
                                            const char *file, int line) {                                               \
        return __atomic_compare_exchange_n(&a.ptr[kts_index(i, a.len, file, line)], &expected, desired, false, order,  \
                                           fail);                                                                       \
    }
KTS_ATOMIC_AT(32, uint32_t, kts_slice_u32)
KTS_ATOMIC_AT(64, uint64_t, kts_slice_u64)

/* readU16Be … writeU64Le: a field of a byte layout, its whole range checked once.
   SHIFT(i) is byte i's position in the value: big-endian puts byte 0 highest. */
#define KTS_LAYOUT_FIELD(NAME, T, N, SHIFT)                                                                             \
    static inline T kts_read_##NAME(kts_slice_u8 b, uint32_t at, const char *file, int line) {                          \
        if (__builtin_expect((uint64_t)at + N > b.len, 0)) kts_range_fail(at, (uint64_t)at + N, b.len, file, line);     \
        T v = 0;                                                                                                        \
        for (uint32_t i = 0; i < N; i++) v |= (T)b.ptr[at + i] << (8 * (SHIFT));                                        \
        return v;                                                                                                       \
    }                                                                                                                   \
    static inline void kts_write_##NAME(kts_slice_u8 b, uint32_t at, T v, const char *file, int line) {                 \
        if (__builtin_expect((uint64_t)at + N > b.len, 0)) kts_range_fail(at, (uint64_t)at + N, b.len, file, line);     \
        for (uint32_t i = 0; i < N; i++) b.ptr[at + i] = (uint8_t)(v >> (8 * (SHIFT)));                                 \
    }
KTS_LAYOUT_FIELD(u16be, uint16_t, 2, 1 - i)
KTS_LAYOUT_FIELD(u16le, uint16_t, 2, i)
KTS_LAYOUT_FIELD(u32be, uint32_t, 4, 3 - i)
KTS_LAYOUT_FIELD(u32le, uint32_t, 4, i)
KTS_LAYOUT_FIELD(u64be, uint64_t, 8, 7 - i)
KTS_LAYOUT_FIELD(u64le, uint64_t, 8, i)

/* text(bytes, n) in a print template: up to n bytes, stopping at a NUL; bytes
 * outside printable ASCII print as '?' so no text can send control sequences. */
void kts_print_text(kts_slice_u8 s, uint32_t n);

/* ---- division: truncating; zero panics; MIN / -1 wraps (the Node world's result, wrapped) ----
 * 8/16/32-bit operands arrive widened to int64_t, where every quotient is exact. */
static inline int64_t kts_div32(int64_t a, int64_t b, const char *file, int line) {
    if (__builtin_expect(b == 0, 0)) kts_divzero_fail(file, line);
    return a / b;
}
static inline int64_t kts_rem32(int64_t a, int64_t b, const char *file, int line) {
    if (__builtin_expect(b == 0, 0)) kts_divzero_fail(file, line);
    return a % b;
}
static inline uint64_t kts_divu64(uint64_t a, uint64_t b, const char *file, int line) {
    if (__builtin_expect(b == 0, 0)) kts_divzero_fail(file, line);
    return a / b;
}
static inline uint64_t kts_remu64(uint64_t a, uint64_t b, const char *file, int line) {
    if (__builtin_expect(b == 0, 0)) kts_divzero_fail(file, line);
    return a % b;
}
static inline uint64_t kts_divi64(int64_t a, int64_t b, const char *file, int line) {
    if (__builtin_expect(b == 0, 0)) kts_divzero_fail(file, line);
    if (b == -1) return 0 - (uint64_t)a;
    return (uint64_t)(a / b);
}
static inline uint64_t kts_remi64(int64_t a, int64_t b, const char *file, int line) {
    if (__builtin_expect(b == 0, 0)) kts_divzero_fail(file, line);
    if (b == -1) return 0;
    return (uint64_t)(a % b);
}

/* ---- 64-bit shifts by a variable count: counts >= 64 shift everything out, as bigints do ---- */
/* A left shift by 2^30 or more of a value other than 0 is a panic: Node's bigints end at 2^30 bits. */
#define KTS_SHIFT_LIMIT (1ull << 30)
static inline uint64_t kts_shl64(uint64_t x, uint64_t n, const char *file, int line) {
    if (__builtin_expect(n >= KTS_SHIFT_LIMIT && x != 0, 0)) kts_shift_fail(file, line);
    return n >= 64 ? 0 : x << n;
}
static inline uint64_t kts_shr64(uint64_t x, uint64_t n) { return n >= 64 ? 0 : x >> n; }
static inline int64_t kts_sar64(int64_t x, uint64_t n) { return n >= 64 ? (x < 0 ? -1 : 0) : x >> n; }

/* ---- bit operations ---- */
static inline uint32_t kts_rotl32(uint32_t x, uint32_t n) { n &= 31; return (x << n) | (x >> ((32 - n) & 31)); }
static inline uint32_t kts_rotr32(uint32_t x, uint32_t n) { n &= 31; return (x >> n) | (x << ((32 - n) & 31)); }
static inline uint64_t kts_rotl64(uint64_t x, uint32_t n) { n &= 63; return (x << n) | (x >> ((64 - n) & 63)); }
static inline uint64_t kts_rotr64(uint64_t x, uint32_t n) { n &= 63; return (x >> n) | (x << ((64 - n) & 63)); }
static inline uint32_t kts_clz32(uint32_t x) { return x == 0 ? 32 : (uint32_t)__builtin_clz(x); }
static inline uint32_t kts_ctz32(uint32_t x) { return x == 0 ? 32 : (uint32_t)__builtin_ctz(x); }
static inline uint32_t kts_clz64(uint64_t x) { return x == 0 ? 64 : (uint32_t)__builtin_clzll(x); }
static inline uint32_t kts_ctz64(uint64_t x) { return x == 0 ? 64 : (uint32_t)__builtin_ctzll(x); }

/* ---- atomics ---- */
static inline bool kts_cas32(uint32_t *p, uint32_t expected, uint32_t desired, int order, int fail) {
    return __atomic_compare_exchange_n(p, &expected, desired, false, order, fail);
}
static inline bool kts_cas64(uint64_t *p, uint64_t expected, uint64_t desired, int order, int fail) {
    return __atomic_compare_exchange_n(p, &expected, desired, false, order, fail);
}

/* ---- arch helpers used by intrinsics ---- */
#if defined(__x86_64__)
static inline uint8_t kts_inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t kts_inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t kts_inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void kts_outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline void kts_outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(port)); }
static inline void kts_outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint64_t kts_rdmsr(uint32_t msr) { uint32_t lo, hi; __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr)); return ((uint64_t)hi << 32) | lo; }
static inline void kts_wrmsr(uint32_t msr, uint64_t v) { __asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))); }
/* The u32 at GS base + off: this CPU's per-CPU block (volatile: a task may have moved to another CPU since the last read). */
static inline uint32_t kts_gs_read32(uint64_t off) { uint32_t v; __asm__ volatile("movl %%gs:(%1), %0" : "=r"(v) : "r"(off)); return v; }
static inline uint64_t kts_rdtsc(void) { uint32_t lo, hi; __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); return ((uint64_t)hi << 32) | lo; }
static inline uint64_t kts_irq_save_x86(void) { uint64_t f; __asm__ volatile("pushfq; popq %0; cli" : "=r"(f) :: "memory"); return f; }
static inline void kts_irq_restore_x86(uint64_t f) { if (f & 0x200) __asm__ volatile("sti" ::: "memory"); }
static inline void kts_tlb_flush_all_x86(void) { uint64_t cr3; __asm__ volatile("mov %%cr3, %0; mov %0, %%cr3" : "=r"(cr3) :: "memory"); }
#endif
#if defined(__aarch64__)
static inline uint64_t kts_irq_save_a64(void) { uint64_t f; __asm__ volatile("mrs %0, daif; msr daifset, #2" : "=r"(f) :: "memory"); return f; }
static inline void kts_irq_restore_a64(uint64_t f) { __asm__ volatile("msr daif, %0" :: "r"(f) : "memory"); }
#endif

#endif /* KTS_KTS_H */
