/*
 * The C reference for the Ed25519 benchmark: verifies one signature N times with
 * libsodium's crypto_sign_verify_detached. Usage: sodium-verify N PUB SIG MSG
 * (keys, signature and message in hex). Exits 1 if any verification fails, so a
 * broken build can't produce a figure. Run under callgrind with
 * --toggle-collect=crypto_sign_verify_detached by bench/compiler/run.ts.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char *unhex(const char *hex, size_t *len) {
    size_t n = strlen(hex) / 2;
    unsigned char *out = malloc(n ? n : 1);
    if (!out || sodium_hex2bin(out, n, hex, strlen(hex), NULL, len, NULL) != 0 || *len != n) {
        fprintf(stderr, "sodium-verify: bad hex argument\n");
        exit(2);
    }
    return out;
}

int main(int argc, char **argv) {
    if (argc != 5 || sodium_init() < 0) {
        fprintf(stderr, "usage: sodium-verify N PUB SIG MSG (hex)\n");
        return 2;
    }
    int n = atoi(argv[1]);
    size_t pubLen, sigLen, msgLen;
    unsigned char *pub = unhex(argv[2], &pubLen), *sig = unhex(argv[3], &sigLen), *msg = unhex(argv[4], &msgLen);
    if (pubLen != crypto_sign_PUBLICKEYBYTES || sigLen != crypto_sign_BYTES) {
        fprintf(stderr, "sodium-verify: wrong key or signature length\n");
        return 2;
    }
    int failures = 0;
    for (int i = 0; i < n; i++) {
        if (crypto_sign_verify_detached(sig, msg, msgLen, pub) != 0) failures++;
    }
    printf("libsodium %s: %d of %d verifications failed\n", sodium_version_string(), failures, n);
    return failures == 0 ? 0 : 1;
}
