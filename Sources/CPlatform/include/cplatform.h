// What GanTensor needs from the machine below Swift: the CPU's identity and vector features
// (CPUID), a measured FMA peak, and OpenBLAS loaded at run time (dlopen) so that ganpipe can
// choose its kernel before the library initialises.
#ifndef CPLATFORM_H
#define CPLATFORM_H

#include <stddef.h>

// ---- CPU -------------------------------------------------------------------------------

typedef struct {
    char vendor[13];        // "GenuineIntel", "AuthenticAMD", …
    char brand[49];         // "AMD EPYC 9B45 …", empty where the CPU has no brand string
    unsigned family;        // display family (base + extended)
    unsigned model;         // display model (extended << 4 | base)
    unsigned stepping;
    // Instruction-set features, each 1 only where the CPU has it *and* the OS saves the
    // registers it needs (XCR0: YMM state for AVX/AVX2/FMA, ZMM state for AVX-512).
    int sse3, ssse3, sse4_1, sse4_2, avx, fma, avx2;
    int avx512f, avx512dq, avx512cd, avx512bw, avx512vl, avx512_bf16;
} gp_cpu_info;

void gp_cpu_identify(gp_cpu_info *info);

// Seconds taken by `iterations` rounds of independent FMA chains on the widest registers of
// each unit: AVX2 rounds do 12 × 8 float FMAs (192 FLOP), AVX-512 rounds 16 × 16 (512 FLOP).
// Call a function only where gp_cpu_identify reports the unit.
double gp_fma_seconds_avx2(long iterations);
extern volatile float gp_fma_sink;
double gp_fma_seconds_avx512(long iterations);

// ---- OpenBLAS, loaded at run time -------------------------------------------------------

typedef void (*gp_sgemm_fn)(int order, int trans_a, int trans_b, int m, int n, int k, float alpha,
                            const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);
typedef void (*gp_saxpy_fn)(int n, float alpha, const float *x, int incx, float *y, int incy);

// The entry points ganpipe calls, filled in by gp_blas_open.
typedef struct {
    gp_sgemm_fn sgemm;                          // cblas_sgemm
    gp_saxpy_fn saxpy;                          // cblas_saxpy
    void (*set_num_threads)(int);               // openblas_set_num_threads
    int (*get_num_threads)(void);               // openblas_get_num_threads
    char *(*get_corename)(void);                // openblas_get_corename
    char *(*get_config)(void);                  // openblas_get_config
} gp_blas_functions;

extern gp_blas_functions gp_blas;

// CBLAS constants (cblas.h): row-major order and the transpose flags.
enum { GP_BLAS_ROW_MAJOR = 101, GP_BLAS_NO_TRANS = 111, GP_BLAS_TRANS = 112 };

// Loads `library` (e.g. "libopenblas.so.0"); OpenBLAS picks its kernel while it loads, reading
// OPENBLAS_CORETYPE. Returns 0, or -1 with the reason in `error`. Any library opened before is
// closed first (so a second call loads it anew, with the environment as it is then).
int gp_blas_open(const char *library, char *error, size_t capacity);

// Closes the library; its destructors run and it is unmapped if nothing else holds it.
void gp_blas_close(void);

// Calls through the table (the library must be open).
static inline void gp_sgemm(int trans_a, int trans_b, int m, int n, int k, const float *a, int lda,
                            const float *b, int ldb, float beta, float *c, int ldc) {
    gp_blas.sgemm(GP_BLAS_ROW_MAJOR, trans_a ? GP_BLAS_TRANS : GP_BLAS_NO_TRANS, trans_b ? GP_BLAS_TRANS : GP_BLAS_NO_TRANS,
                  m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc);
}
static inline void gp_saxpy(int n, float alpha, const float *x, float *y) { gp_blas.saxpy(n, alpha, x, 1, y, 1); }
static inline void gp_blas_set_num_threads(int count) { gp_blas.set_num_threads(count); }
static inline int gp_blas_get_num_threads(void) { return gp_blas.get_num_threads(); }
static inline const char *gp_blas_corename(void) { return gp_blas.get_corename(); }
static inline const char *gp_blas_config(void) { return gp_blas.get_config(); }

// ---- Processes --------------------------------------------------------------------------

// Asks the kernel to send `signal_number` to this process when its parent dies
// (prctl PR_SET_PDEATHSIG). Returns 0, or -1 with errno set.
int gp_signal_when_parent_dies(int signal_number);

#endif
