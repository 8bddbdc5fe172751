/*
 * The "ctgrind" hooks of test/crypto/ed25519-ctgrind-driver.ts: mark memory as
 * undefined (secret) or defined (public) for valgrind memcheck. Outside valgrind the
 * client requests are a few no-op instructions.
 */
#include <stdint.h>
#include <valgrind/memcheck.h>

void ct_secret(uint64_t addr, uint32_t len) {
    VALGRIND_MAKE_MEM_UNDEFINED((void *)(uintptr_t)addr, len);
}

void ct_public(uint64_t addr, uint32_t len) {
    VALGRIND_MAKE_MEM_DEFINED((void *)(uintptr_t)addr, len);
}
