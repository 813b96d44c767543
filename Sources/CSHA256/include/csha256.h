#ifndef GANPIPE_CSHA256_H
#define GANPIPE_CSHA256_H
#include <stddef.h>
#include <stdint.h>

/// Compresses `block_count` 64-byte blocks of `data` into `state` (FIPS 180-4 word order a…h):
/// with the SHA extensions when `hardware` is non-zero and the CPU has them, otherwise with the
/// portable loop.
void ganpipe_sha256_blocks(uint32_t state[8], const uint8_t *data, size_t block_count, int hardware);

#endif
