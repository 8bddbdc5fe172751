/*
 * The C reference for the Ed25519 signing benchmark: derives the key pair of a seed
 * with crypto_sign_seed_keypair, then signs one message N times with libsodium's
 * crypto_sign_detached. Usage: sodium-sign N SEED SIG MSG (hex; SIG is the expected
 * signature). Exits 1 if any signature differs, so a broken build can't produce a
 * figure. Run under callgrind with --toggle-collect=crypto_sign_detached by
 * bench/compiler/run.ts.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char *unhex(const char *hex, size_t *len) {
    size_t n = strlen(hex) / 2;
    unsigned char *out = malloc(n ? n : 1);
    if (!out || sodium_hex2bin(out, n, hex, strlen(hex), NULL, len, NULL) != 0 || *len != n) {
        fprintf(stderr, "sodium-sign: bad hex argument\n");
        exit(2);
    }
    return out;
}

int main(int argc, char **argv) {
    if (argc != 5 || sodium_init() < 0) {
        fprintf(stderr, "usage: sodium-sign N SEED SIG MSG (hex)\n");
        return 2;
    }
    int n = atoi(argv[1]);
    size_t seedLen, wantLen, msgLen;
    unsigned char *seed = unhex(argv[2], &seedLen), *want = unhex(argv[3], &wantLen), *msg = unhex(argv[4], &msgLen);
    if (seedLen != crypto_sign_SEEDBYTES || wantLen != crypto_sign_BYTES) {
        fprintf(stderr, "sodium-sign: wrong seed or signature length\n");
        return 2;
    }
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES], sig[crypto_sign_BYTES];
    if (crypto_sign_seed_keypair(pk, sk, seed) != 0) return 2;
    int failures = 0;
    for (int i = 0; i < n; i++) {
        if (crypto_sign_detached(sig, NULL, msg, msgLen, sk) != 0 || memcmp(sig, want, sizeof sig) != 0) failures++;
    }
    printf("libsodium %s: %d of %d signatures differ\n", sodium_version_string(), failures, n);
    return failures == 0 ? 0 : 1;
}
