// How fast can the reference step's products run on this CPU's AVX2 unit? A packed GEMM in the
// textbook form (B in 16-column panels, A in 6-row panels, a 6×16 register tile of fused
// multiply-adds, blocks sized for L1/L2), timed against OpenBLAS's cblas_sgemm on the same
// operands, interleaved, next to one core's FMA peak measured the way `ganpipe bench kernels`
// measures it (CPlatform's gp_fma_seconds_avx2). Not part of ganpipe: it bounds what a GEMM of
// ganpipe's own could win over the library on the products that dominate a reference step.
//
//   bench/gemm-ceiling/run [REPETITIONS]
//
// Every entry of C is one chain of fused multiply-adds in k order (a k block continues from the
// partial sums stored in C), the same contract as ganpipe_small_gemm.
#include "cplatform.h"
#include <immintrin.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void cblas_sgemm(int order, int transA, int transB, int m, int n, int k, float alpha, const float *a,
                 int lda, const float *b, int ldb, float beta, float *c, int ldc);
enum { MR = 6, NR = 16, KC = 256, MC = 144, ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

// C[6×16] (row stride ldc) = its partial sums (or 0 on the first k block) + Σ_p a[p]·b[p].
static void tile(long kc, const float *ap, const float *bp, float *c, long ldc, int first) {
    __m256 s[MR][2];
    for (int r = 0; r < MR; r++)
        for (int v = 0; v < 2; v++) s[r][v] = first ? _mm256_setzero_ps() : _mm256_loadu_ps(c + r * ldc + 8 * v);
    for (long p = 0; p < kc; p++, ap += MR, bp += NR) {
        const __m256 b0 = _mm256_load_ps(bp), b1 = _mm256_load_ps(bp + 8);
        for (int r = 0; r < MR; r++) {
            const __m256 a = _mm256_broadcast_ss(ap + r);
            s[r][0] = _mm256_fmadd_ps(a, b0, s[r][0]);
            s[r][1] = _mm256_fmadd_ps(a, b1, s[r][1]);
        }
    }
    for (int r = 0; r < MR; r++)
        for (int v = 0; v < 2; v++) _mm256_storeu_ps(c + r * ldc + 8 * v, s[r][v]);
}

// row[r][q] ← row[q][r] for an 8×8 block held in registers.
static inline void transpose8(__m256 row[8]) {
    __m256 t[8], u[8];
    for (int r = 0; r < 8; r += 2) {
        t[r] = _mm256_unpacklo_ps(row[r], row[r + 1]);
        t[r + 1] = _mm256_unpackhi_ps(row[r], row[r + 1]);
    }
    for (int h = 0; h < 8; h += 4) {
        u[h] = _mm256_shuffle_ps(t[h], t[h + 2], 0x44);
        u[h + 1] = _mm256_shuffle_ps(t[h], t[h + 2], 0xEE);
        u[h + 2] = _mm256_shuffle_ps(t[h + 1], t[h + 3], 0x44);
        u[h + 3] = _mm256_shuffle_ps(t[h + 1], t[h + 3], 0xEE);
    }
    for (int q = 0; q < 4; q++) {
        row[q] = _mm256_permute2f128_ps(u[q], u[q + 4], 0x20);
        row[q + 4] = _mm256_permute2f128_ps(u[q], u[q + 4], 0x31);
    }
}

// Packs op(A) and op(B) whole, k block by k block: A as 6-row panels (the rows past m are
// zeros), B as 16-column panels (n is a multiple of 16 for the shapes below).
static long padded(long m) { return (m + MR - 1) / MR * MR; }

static void pack(int ta, int tb, long m, long n, long k, const float *a, long lda, const float *b, long ldb,
                 float *pa, float *pb) {
    for (long pc = 0; pc < k; pc += KC) {
        const long kc = k - pc < KC ? k - pc : KC;
        float *blockA = pa + pc * padded(m), *blockB = pb + pc * n;
        for (long i = 0; i < padded(m); i += MR) {
            float *panel = blockA + i * kc;
            const long rows = m - i < MR ? m - i : MR;
            if (ta) {  // rows of op(A) are columns of a: 6 contiguous floats per p
                for (long p = 0; p < kc; p++)
                    for (long r = 0; r < MR; r++) panel[p * MR + r] = r < rows ? a[(pc + p) * lda + i + r] : 0;
            } else {  // 8×8 transposes of 6 rows (2 zero rows); each column stored as 8 floats at p·6,
                      // the 2 extra overwritten by the next one (the panel has 2 floats of slack)
                long p = 0;
                for (; p + 8 <= kc; p += 8) {
                    __m256 row[8];
                    for (int r = 0; r < 8; r++)
                        row[r] = r < rows ? _mm256_loadu_ps(a + (i + r) * lda + pc + p) : _mm256_setzero_ps();
                    transpose8(row);
                    for (int q = 0; q < 8; q++) _mm256_storeu_ps(panel + (p + q) * MR, row[q]);
                }
                for (; p < kc; p++)
                    for (long r = 0; r < MR; r++) panel[p * MR + r] = r < rows ? a[(i + r) * lda + pc + p] : 0;
            }
        }
        for (long j = 0; j < n; j += NR) {
            float *panel = blockB + j * kc;
            if (tb) {  // op(B)'s columns are rows of b: two 8×8 transposes per 8 values of p
                long p = 0;
                for (; p + 8 <= kc; p += 8)
                    for (int half = 0; half < 2; half++) {
                        __m256 row[8];
                        for (int r = 0; r < 8; r++) row[r] = _mm256_loadu_ps(b + (j + 8 * half + r) * ldb + pc + p);
                        transpose8(row);
                        for (int q = 0; q < 8; q++) _mm256_store_ps(panel + (p + q) * NR + 8 * half, row[q]);
                    }
                for (; p < kc; p++)
                    for (long q = 0; q < NR; q++) panel[p * NR + q] = b[(j + q) * ldb + pc + p];
            } else {
                for (long p = 0; p < kc; p++)
                    for (long q = 0; q < NR; q++) panel[p * NR + q] = b[(pc + p) * ldb + j + q];
            }
        }
    }
}

// C[m×n] = op(A)·op(B) from the packed operands: for each k block, rows in blocks of MC (their A
// panels stay in L2), each 16-column B panel (in L1) against every 6-row panel of the block.
// The last row panel's tile goes through a 6×16 buffer.
static void multiply(long m, long n, long k, const float *pa, const float *pb, float *c, long ldc) {
    for (long pc = 0; pc < k; pc += KC) {
        const long kc = k - pc < KC ? k - pc : KC;
        const float *blockA = pa + pc * padded(m), *blockB = pb + pc * n;
        for (long ic = 0; ic < m; ic += MC)
            for (long j = 0; j < n; j += NR)
                for (long i = ic; i < m && i < ic + MC; i += MR) {
                    float *ct = c + i * ldc + j;
                    if (m - i >= MR) { tile(kc, blockA + i * kc, blockB + j * kc, ct, ldc, pc == 0); continue; }
                    float edge[MR * NR];
                    for (long r = 0; r < m - i; r++)
                        for (long q = 0; q < NR; q++) edge[r * NR + q] = ct[r * ldc + q];
                    tile(kc, blockA + i * kc, blockB + j * kc, edge, NR, pc == 0);
                    for (long r = 0; r < m - i; r++)
                        for (long q = 0; q < NR; q++) ct[r * ldc + q] = edge[r * NR + q];
                }
    }
}

static int by_value(const void *x, const void *y) {
    const double d = *(const double *)x - *(const double *)y;
    return (d > 0) - (d < 0);
}

static double median(double *values, int count) {
    qsort(values, count, sizeof *values, by_value);
    return values[count / 2];
}

int main(int argc, char **argv) {
    const int repetitions = argc > 1 ? atoi(argv[1]) : 30;
    if (repetitions < 1 || repetitions > 1000) { fprintf(stderr, "ceiling: repetitions must be 1...1000\n"); return 2; }
    gp_cpu_info cpu;
    gp_cpu_identify(&cpu);
    if (!cpu.avx2 || !cpu.fma) { fprintf(stderr, "ceiling: this CPU has no AVX2 and FMA\n"); return 2; }
    double best = 1e9;  // FMA peak: the best of a few runs of 10^8 iterations × 12 vector FMAs
    for (int run = 0; run < 5; run++) { const double s = gp_fma_seconds_avx2(100000000L); if (s < best) best = s; }
    const double peak = 100000000.0 * 12 * 8 * 2 / best / 1e9;
    printf("cpu: %s\nfma peak (AVX2, one core): %.1f GFLOP/s\n", cpu.brand, peak);
    const struct { const char *name; int ta, tb; long m, n, k; } shapes[] = {
        {"forward", 0, 1, 256, 512, 512},        {"input_gradient", 0, 0, 256, 512, 512},
        {"weight_gradient", 1, 0, 512, 512, 256}, {"stacked forward", 0, 1, 512, 512, 512},
        {"stacked input_gradient", 0, 0, 512, 512, 512}, {"stacked weight_gradient", 1, 0, 512, 512, 512},
    };
    printf("%-24s %4s %4s %4s %5s %8s %8s %8s %9s\n", "product", "m", "n", "k", "flags", "tiles", "packed",
           "openblas", "max |Δ|");
    double seconds[3] = {0, 0, 0}, flops_total = 0;
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        const long m = shapes[s].m, n = shapes[s].n, k = shapes[s].k;
        const int ta = shapes[s].ta, tb = shapes[s].tb;
        const long lda = ta ? m : k, ldb = tb ? k : n;
        float *a = aligned_alloc(64, sizeof(float) * m * k), *b = aligned_alloc(64, sizeof(float) * k * n);
        float *pa = aligned_alloc(64, sizeof(float) * (padded(m) * k + 64)), *pb = aligned_alloc(64, sizeof(float) * k * n);
        float *c1 = aligned_alloc(64, sizeof(float) * m * n), *c2 = aligned_alloc(64, sizeof(float) * m * n);
        srand(1);
        for (long i = 0; i < m * k; i++) a[i] = (float)(rand() % 1000000) / 1e6f - 0.5f;
        for (long i = 0; i < k * n; i++) b[i] = (float)(rand() % 1000000) / 1e6f - 0.5f;
        double *times[3];
        for (int w = 0; w < 3; w++) times[w] = malloc(sizeof(double) * repetitions);
        pack(ta, tb, m, n, k, a, lda, b, ldb, pa, pb);
        for (int r = -2; r < repetitions; r++) {  // two untimed rounds warm the caches
            double t[4];
            t[0] = now();
            multiply(m, n, k, pa, pb, c1, n);  // the operands packed by the round before
            t[1] = now();
            pack(ta, tb, m, n, k, a, lda, b, ldb, pa, pb);
            multiply(m, n, k, pa, pb, c1, n);
            t[2] = now();
            cblas_sgemm(ROW_MAJOR, ta ? TRANS : NO_TRANS, tb ? TRANS : NO_TRANS, (int)m, (int)n, (int)k, 1.0f, a,
                        (int)lda, b, (int)ldb, 0.0f, c2, (int)n);
            t[3] = now();
            for (int w = 0; w < 3 && r >= 0; w++) times[w][r] = t[w + 1] - t[w];
        }
        double difference = 0;
        for (long i = 0; i < m * n; i++) difference = fmax(difference, fabs((double)c1[i] - c2[i]));
        const double flops = 2.0 * m * n * k;
        double rate[3];
        for (int w = 0; w < 3; w++) {
            const double t = median(times[w], repetitions);
            rate[w] = flops / t / 1e9;
            seconds[w] += t;
            free(times[w]);
        }
        flops_total += flops;
        printf("%-24s %4ld %4ld %4ld %5s %8.1f %8.1f %8.1f %9.1e\n", shapes[s].name, m, n, k,
               ta ? "TN" : tb ? "NT" : "NN", rate[0], rate[1], rate[2], difference);
        free(a); free(b); free(pa); free(pb); free(c1); free(c2);
    }
    const char *names[3] = {"tiles alone", "packed GEMM", "openblas"};
    for (int w = 0; w < 3; w++)
        printf("all shapes, %-12s %5.1f GFLOP/s, %.2f of the peak\n", names[w], flops_total / seconds[w] / 1e9,
               flops_total / seconds[w] / 1e9 / peak);
    return 0;
}
