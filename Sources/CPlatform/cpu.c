// CPU identification (CPUID, XGETBV) and FMA peak loops for GanTensor's CPUInfo and
// `ganpipe bench kernels`.
#include "cplatform.h"
#include <cpuid.h>
#include <immintrin.h>
#include <string.h>
#include <time.h>

static unsigned long long xcr0(void) {
    unsigned eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

void gp_cpu_identify(gp_cpu_info *info) {
    memset(info, 0, sizeof *info);
    unsigned a, b, c, d;
    unsigned max_leaf = __get_cpuid_max(0, NULL);
    if (max_leaf == 0) return;
    __cpuid(0, a, b, c, d);
    memcpy(info->vendor, &b, 4);
    memcpy(info->vendor + 4, &d, 4);
    memcpy(info->vendor + 8, &c, 4);

    __cpuid(1, a, b, c, d);
    unsigned base_family = (a >> 8) & 0xf, base_model = (a >> 4) & 0xf;
    info->family = base_family == 0xf ? base_family + ((a >> 20) & 0xff) : base_family;
    info->model = (base_family == 0x6 || base_family == 0xf) ? (((a >> 16) & 0xf) << 4) | base_model : base_model;
    info->stepping = a & 0xf;
    info->sse3 = (c >> 0) & 1;
    info->ssse3 = (c >> 9) & 1;
    info->sse4_1 = (c >> 19) & 1;
    info->sse4_2 = (c >> 20) & 1;
    int osxsave = (c >> 27) & 1;
    unsigned long long xcr = osxsave ? xcr0() : 0;
    int ymm = (xcr & 0x6) == 0x6;              // SSE and AVX state
    int zmm = ymm && (xcr & 0xe0) == 0xe0;     // opmask, upper ZMM0-15, ZMM16-31
    info->avx = ymm && ((c >> 28) & 1);
    info->fma = ymm && ((c >> 12) & 1);

    if (max_leaf >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        info->avx2 = ymm && ((b >> 5) & 1);
        info->avx512f = zmm && ((b >> 16) & 1);
        info->avx512dq = zmm && ((b >> 17) & 1);
        info->avx512cd = zmm && ((b >> 28) & 1);
        info->avx512bw = zmm && ((b >> 30) & 1);
        info->avx512vl = zmm && ((b >> 31) & 1);
        unsigned sub_leaves = a;
        if (sub_leaves >= 1) {
            __cpuid_count(7, 1, a, b, c, d);
            info->avx512_bf16 = zmm && ((a >> 5) & 1);
        }
    }

    if (__get_cpuid_max(0x80000000, NULL) >= 0x80000004) {
        unsigned *brand = (unsigned *)info->brand;
        for (unsigned leaf = 0; leaf < 3; leaf++) {
            __cpuid(0x80000002 + leaf, brand[4 * leaf], brand[4 * leaf + 1], brand[4 * leaf + 2], brand[4 * leaf + 3]);
        }
        info->brand[48] = 0;
    }
}

// The chains' sum is stored here before the clock is read again: the loops touch no memory,
// so without a store the compiler may move them past the clock reads.
volatile float gp_fma_sink;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

// Independent chains x ← x·m + c (m just below 1, so nothing overflows or turns denormal),
// more chains than FMA latency × FMA units on current cores, so the units never wait.
// An empty asm statement per chain and round keeps each value opaque: the chains reach fixed
// points in float, and the compiler would otherwise fold the whole loop away.
#define CHAINS8(op) op(0) op(1) op(2) op(3) op(4) op(5) op(6) op(7)
#define OPAQUE(x) __asm__ volatile("" : "+v"(x));

__attribute__((target("avx2,fma"))) double gp_fma_seconds_avx2(long iterations) {
    const __m256 m = _mm256_set1_ps(0.9999999f), c = _mm256_set1_ps(1e-7f);
#define DECLARE(i) __m256 x##i = _mm256_set1_ps(1.0f + (i) * 1e-3f);
#define STEP(i) x##i = _mm256_fmadd_ps(x##i, m, c); OPAQUE(x##i)
    CHAINS8(DECLARE)
    __m256 x8 = x0, x9 = x1, x10 = x2, x11 = x3;
    double start = now();
    for (long i = 0; i < iterations; i++) {
        CHAINS8(STEP)
        x8 = _mm256_fmadd_ps(x8, m, c); x9 = _mm256_fmadd_ps(x9, m, c);
        x10 = _mm256_fmadd_ps(x10, m, c); x11 = _mm256_fmadd_ps(x11, m, c);
        OPAQUE(x8) OPAQUE(x9) OPAQUE(x10) OPAQUE(x11)
    }
    __m256 sum = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(x0, x1), _mm256_add_ps(x2, x3)),
                               _mm256_add_ps(_mm256_add_ps(x4, x5), _mm256_add_ps(x6, x7)));
    sum = _mm256_add_ps(sum, _mm256_add_ps(_mm256_add_ps(x8, x9), _mm256_add_ps(x10, x11)));
    gp_fma_sink = _mm256_cvtss_f32(sum);
    return now() - start;
#undef DECLARE
#undef STEP
}

__attribute__((target("avx512f"))) double gp_fma_seconds_avx512(long iterations) {
    const __m512 m = _mm512_set1_ps(0.9999999f), c = _mm512_set1_ps(1e-7f);
#define DECLARE(i) __m512 x##i = _mm512_set1_ps(1.0f + (i) * 1e-3f), y##i = _mm512_set1_ps(2.0f - (i) * 1e-3f);
#define STEP(i) x##i = _mm512_fmadd_ps(x##i, m, c); y##i = _mm512_fmadd_ps(y##i, m, c); OPAQUE(x##i) OPAQUE(y##i)
    CHAINS8(DECLARE)
    double start = now();
    for (long i = 0; i < iterations; i++) {
        CHAINS8(STEP)
    }
#define ADD(i) sum = _mm512_add_ps(sum, _mm512_add_ps(x##i, y##i));
    __m512 sum = _mm512_setzero_ps();
    CHAINS8(ADD)
    gp_fma_sink = _mm512_reduce_add_ps(sum);
    return now() - start;
#undef DECLARE
#undef STEP
#undef ADD
}
