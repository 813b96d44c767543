// Matrix products too small or too thin for OpenBLAS to run well: it spends most of their time
// scaling C by β = 0, packing both operands and dispatching, and a product with a dimension of
// 1 or 2 (a network's input or output layer) runs at a few GFLOP/s there.
//
// Every entry of C is one chain of fused multiply-adds in k order,
//   s = 0;  for p in 0..<k: s = fma(op(A)[i,p], op(B)[p,j], s);  C[i,j] = s  (or C[i,j] + s),
// whatever the tile it falls in, so the result depends on neither the shape of the tiling nor
// the CPU (the target is built for x86-64-v3: AVX2 and FMA).
#include "ckernels.h"
#include <immintrin.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

enum { TILE_ROWS = 6, VECTOR = 8 };

// Lanes [0, count) of a vector (count in 1...8).
static inline __m256i lane_mask(int count) {
    static const int32_t ramp[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    return _mm256_loadu_si256((const __m256i *)(ramp + 8 - count));
}

// C[rows × columns] of one tile, rows ≤ ROWS, columns ≤ VECS·8. a(i, p) = a[i·a_row + p·a_step];
// op(B)(p, j) = b[p·ldb + j]. ROWS and VECS are constants at every call, so the accumulators
// live in registers.
static inline __attribute__((always_inline)) void
tile(const int ROWS, const int VECS, int columns, long k, const float *a, long a_row, long a_step,
     const float *b, long ldb, float *c, long ldc, int accumulate) {
    __m256 s[TILE_ROWS][2];
    for (int r = 0; r < ROWS; r++)
        for (int v = 0; v < VECS; v++) s[r][v] = _mm256_setzero_ps();
    const int last = columns - (VECS - 1) * VECTOR;  // lanes of the last vector, 1...8
    const __m256i mask = lane_mask(last);
    // Two copies of the loop, so that whole tiles run without a masked load: one loop with the
    // load chosen inside measured 2–10% slower on 64×64×64.
    if (last == VECTOR) {
        for (long p = 0; p < k; p++) {
            const float *bp = b + p * ldb;
            __m256 bv[2];
            for (int v = 0; v < VECS; v++) bv[v] = _mm256_loadu_ps(bp + v * VECTOR);
            for (int r = 0; r < ROWS; r++) {
                const __m256 ar = _mm256_broadcast_ss(a + r * a_row + p * a_step);
                for (int v = 0; v < VECS; v++) s[r][v] = _mm256_fmadd_ps(ar, bv[v], s[r][v]);
            }
        }
    } else {
        for (long p = 0; p < k; p++) {
            const float *bp = b + p * ldb;
            __m256 bv[2];
            for (int v = 0; v < VECS - 1; v++) bv[v] = _mm256_loadu_ps(bp + v * VECTOR);
            bv[VECS - 1] = _mm256_maskload_ps(bp + (VECS - 1) * VECTOR, mask);
            for (int r = 0; r < ROWS; r++) {
                const __m256 ar = _mm256_broadcast_ss(a + r * a_row + p * a_step);
                for (int v = 0; v < VECS; v++) s[r][v] = _mm256_fmadd_ps(ar, bv[v], s[r][v]);
            }
        }
    }
    for (int r = 0; r < ROWS; r++) {
        float *cr = c + r * ldc;
        for (int v = 0; v < VECS; v++) {
            float *cv = cr + v * VECTOR;
            if (v < VECS - 1 || last == VECTOR) {
                __m256 value = accumulate ? _mm256_add_ps(_mm256_loadu_ps(cv), s[r][v]) : s[r][v];
                _mm256_storeu_ps(cv, value);
            } else {
                __m256 value = accumulate ? _mm256_add_ps(_mm256_maskload_ps(cv, mask), s[r][v]) : s[r][v];
                _mm256_maskstore_ps(cv, mask, value);
            }
        }
    }
}

#define TILE_CASE(R, V) case R: tile(R, V, columns, k, a, a_row, a_step, b, ldb, c, ldc, accumulate); break;

static void tile_any(int rows, int vectors, int columns, long k, const float *a, long a_row, long a_step,
                     const float *b, long ldb, float *c, long ldc, int accumulate) {
    if (vectors == 2) {
        switch (rows) { TILE_CASE(1, 2) TILE_CASE(2, 2) TILE_CASE(3, 2) TILE_CASE(4, 2) TILE_CASE(5, 2) TILE_CASE(6, 2) }
    } else {
        switch (rows) { TILE_CASE(1, 1) TILE_CASE(2, 1) TILE_CASE(3, 1) TILE_CASE(4, 1) TILE_CASE(5, 1) TILE_CASE(6, 1) }
    }
}

// Rows [j, j+8) of b (row stride ldb), columns [p, p+8), written transposed to packed[p·n + j].
static inline void transpose8(const float *b, long ldb, float *packed, long n) {
    __m256 r0 = _mm256_loadu_ps(b), r1 = _mm256_loadu_ps(b + ldb), r2 = _mm256_loadu_ps(b + 2 * ldb),
           r3 = _mm256_loadu_ps(b + 3 * ldb), r4 = _mm256_loadu_ps(b + 4 * ldb), r5 = _mm256_loadu_ps(b + 5 * ldb),
           r6 = _mm256_loadu_ps(b + 6 * ldb), r7 = _mm256_loadu_ps(b + 7 * ldb);
    __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1), t2 = _mm256_unpacklo_ps(r2, r3),
           t3 = _mm256_unpackhi_ps(r2, r3), t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5),
           t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
    __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE),
           u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE),
           u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE),
           u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    _mm256_storeu_ps(packed + 0 * n, _mm256_permute2f128_ps(u0, u4, 0x20));
    _mm256_storeu_ps(packed + 1 * n, _mm256_permute2f128_ps(u1, u5, 0x20));
    _mm256_storeu_ps(packed + 2 * n, _mm256_permute2f128_ps(u2, u6, 0x20));
    _mm256_storeu_ps(packed + 3 * n, _mm256_permute2f128_ps(u3, u7, 0x20));
    _mm256_storeu_ps(packed + 4 * n, _mm256_permute2f128_ps(u0, u4, 0x31));
    _mm256_storeu_ps(packed + 5 * n, _mm256_permute2f128_ps(u1, u5, 0x31));
    _mm256_storeu_ps(packed + 6 * n, _mm256_permute2f128_ps(u2, u6, 0x31));
    _mm256_storeu_ps(packed + 7 * n, _mm256_permute2f128_ps(u3, u7, 0x31));
}

// b [n, k] (row stride ldb) → packed [k, n].
static void transpose(const float *b, long ldb, long n, long k, float *packed) {
    long j = 0;
    for (; j + 8 <= n; j += 8) {
        long p = 0;
        for (; p + 8 <= k; p += 8) transpose8(b + j * ldb + p, ldb, packed + p * n + j, n);
        for (; p < k; p++)
            for (long q = j; q < j + 8; q++) packed[p * n + q] = b[q * ldb + p];
    }
    for (; j < n; j++)
        for (long p = 0; p < k; p++) packed[p * n + j] = b[j * ldb + p];
}

// Scratch for a repacked operand, kept per thread for the next product: a malloc and free per
// call (16 KiB for a 64×64 transpose) cost 3% of a small training step, most of it glibc
// consolidating its fast bins before every allocation of that size. At most `SCRATCH_KEPT`
// floats are kept (a larger request is allocated and freed per call); a thread's scratch is
// freed when the thread ends.
#define SCRATCH_KEPT ((size_t)1 << 20)
struct scratch { float *buffer; int in_use; };  // buffer: SCRATCH_KEPT floats, or NULL
static _Thread_local struct scratch kept_scratch;
static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void free_scratch(void *value) {
    struct scratch *s = value;
    free(s->buffer);
    s->buffer = NULL;
}

static void make_scratch_key(void) { pthread_key_create(&scratch_key, free_scratch); }

// A buffer of `count` floats: the thread's kept scratch, or a fresh one to `release` after use.
static float *take_scratch(size_t count) {
    if (count > SCRATCH_KEPT || kept_scratch.in_use) return malloc(count * sizeof(float));
    if (!kept_scratch.buffer) {
        float *buffer = malloc(SCRATCH_KEPT * sizeof(float));
        if (!buffer) return NULL;
        pthread_once(&scratch_once, make_scratch_key);
        if (pthread_setspecific(scratch_key, &kept_scratch) != 0) { free(buffer); return NULL; }
        kept_scratch.buffer = buffer;
    }
    kept_scratch.in_use = 1;
    return kept_scratch.buffer;
}

static void release_scratch(float *buffer) {
    if (buffer == kept_scratch.buffer) kept_scratch.in_use = 0;
    else free(buffer);
}

int ganpipe_small_gemm(int transpose_a, int transpose_b, long m, long n, long k,
                       const float *a, long lda, const float *b, long ldb,
                       int accumulate, float *c, long ldc) {
    if (transpose_a && n < VECTOR && m >= 2 * VECTOR) {
        // A narrow C whose op(A) has contiguous columns: Cᵀ = op(B)ᵀ·op(A)ᵀ fills whole vectors.
        // fma(x, y, s) = fma(y, x, s), so every entry is the same chain as computed directly.
        if ((size_t)m > SIZE_MAX / sizeof(float) / (size_t)n) return -1;
        float *swapped = take_scratch((size_t)n * (size_t)m);
        if (!swapped) return -1;
        int status = ganpipe_small_gemm(!transpose_b, 0, n, m, k, b, ldb, a, lda, 0, swapped, m);
        for (long i = 0; i < m && status == 0; i++)
            for (long j = 0; j < n; j++)
                c[i * ldc + j] = accumulate ? c[i * ldc + j] + swapped[j * m + i] : swapped[j * m + i];
        release_scratch(swapped);
        return status;
    }
    float *packed = NULL;
    if (transpose_b && n > 1) {
        // op(B)(p, j) = b[j·ldb + p]: copy it to [k, n] so that a row of op(B) is contiguous.
        if ((size_t)k > SIZE_MAX / sizeof(float) / (size_t)n) return -1;
        packed = take_scratch((size_t)k * (size_t)n);
        if (!packed) return -1;
        transpose(b, ldb, n, k, packed);
        b = packed;
        ldb = n;
    } else if (transpose_b) {
        ldb = 1;  // one column: op(B)(p, 0) = b[p]
    }
    const long a_row = transpose_a ? 1 : lda, a_step = transpose_a ? lda : 1;
    for (long j = 0; j < n; j += 2 * VECTOR) {
        const long columns = n - j < 2 * VECTOR ? n - j : 2 * VECTOR;
        const int vectors = columns > VECTOR ? 2 : 1;
        for (long i = 0; i < m; i += TILE_ROWS) {
            const int rows = m - i < TILE_ROWS ? (int)(m - i) : TILE_ROWS;
            tile_any(rows, vectors, (int)columns, k, a + i * a_row, a_row, a_step, b + j, ldb,
                     c + i * ldc + j, ldc, accumulate);
        }
    }
    if (packed) release_scratch(packed);
    return 0;
}
