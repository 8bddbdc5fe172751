/*
 * libFuzzer's entry points for a KTS fuzz target (fuzz/targets/<name>.ts):
 * modules are initialized once, then every input is copied into a buffer of
 * exactly its size (AddressSanitizer reports a read one byte past it, and the
 * target may not write into libFuzzer's own copy) and handed to the target's
 * exported fuzzOne(b: u8[]) as a KTS slice. FUZZ_ENTRY (the C name of fuzzOne,
 * e.g. fuzz_targets_elf__fuzzOne) and FUZZ_MAX_LEN come from the build
 * (fuzz/lib.ts). Also the memory targets ask for through `declare function`:
 * fuzz_alloc/fuzz_free, exact-size heap blocks for queues and shared regions.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kts/kts.h"

#ifndef FUZZ_ENTRY
#error "FUZZ_ENTRY must name the target's fuzzOne"
#endif

void kts_init_modules(void);
uint32_t FUZZ_ENTRY(kts_slice_u8 b);

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
uint64_t fuzz_alloc(uint32_t bytes, uint32_t align);
void fuzz_free(uint64_t addr);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    kts_init_modules();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* Longer inputs than the target reads are refused, not added to the corpus. */
    if (size > FUZZ_MAX_LEN) return -1;
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy) abort();
    if (size) memcpy(copy, data, size);
    kts_slice_u8 b = { copy, (uint32_t)size };
    (void)FUZZ_ENTRY(b);
    free(copy);
    return 0;
}

/* A zeroed block of exactly `bytes` bytes at an `align`-aligned address (a power of two, at least 8). */
uint64_t fuzz_alloc(uint32_t bytes, uint32_t align) {
    void *p = NULL;
    if (posix_memalign(&p, align < sizeof(void *) ? sizeof(void *) : align, bytes ? bytes : 1) != 0) abort();
    memset(p, 0, bytes ? bytes : 1);
    return (uint64_t)(uintptr_t)p;
}

void fuzz_free(uint64_t addr) {
    free((void *)(uintptr_t)addr);
}
