#ifndef GANPIPE_CKERNELS_H
#define GANPIPE_CKERNELS_H
#include <stddef.h>

/// One Adam update of `count` parameters, elementwise and in this order of IEEE operations
/// (the formula of torch.optim.Adam, see GanNN's Adam):
///   m ← β₁·m + (1−β₁)·g;  v ← β₂·v + (1−β₂)·(g·g);  p ← p − step · (m / (√v / root + ε))
/// `one_minus_beta1` and `one_minus_beta2` are 1−β₁ and 1−β₂ rounded to float by the caller.
void ganpipe_adam_update(float *p, float *m, float *v, const float *g, size_t count,
                         float beta1, float beta2, float one_minus_beta1, float one_minus_beta2,
                         float epsilon, float step, float root);

/// One RMSprop update (torch.optim.RMSprop, not centered), in this order of IEEE operations:
///   v ← α·v + (1−α)·(g·g);  p ← p − lr · (g / (√v + ε))
void ganpipe_rmsprop_update(float *p, float *v, const float *g, size_t count,
                            float alpha, float one_minus_alpha, float learning_rate, float epsilon);

/// How kernel windows sweep an image [C, H, W] (GanTensor's ConvolutionGeometry).
typedef struct {
    long channels, height, width, kernel_height, kernel_width, stride, padding, output_height, output_width;
} ganpipe_convolution;

/// im2col: [N, C, H, W] → [C·kh·kw, N·Ho·Wo], 0 where a window overlaps the padding. Row r of
/// the columns starts at cols + r·row_stride (row_stride ≥ N·Ho·Wo: a slice of a wider matrix).
/// Returns 0, or −1 when its scratch memory cannot be allocated (nothing written then).
int ganpipe_unfold(const float *x, float *cols, long row_stride, long batch, const ganpipe_convolution *g);

/// col2im, unfold's adjoint: [C·kh·kw, N·Ho·Wo] (rows row_stride apart) → [N, C, H, W], every
/// entry added to the pixel it was copied from, in tap order. Returns 0, or −1 as ganpipe_unfold.
int ganpipe_fold(const float *cols, long row_stride, float *x, long batch, const ganpipe_convolution *g);

/// C[m×n] = op(A)·op(B), or C + op(A)·op(B) when `accumulate`, row-major, for the small and
/// thin products GanTensor's BLAS.gemm routes here (see gemm.c): op(A)[i,p] is a[i·lda + p], or
/// a[p·lda + i] when `transpose_a`; op(B)[p,j] is b[p·ldb + j], or b[j·ldb + p] when
/// `transpose_b`; C[i,j] is c[i·ldc + j]. Each entry is one chain of fused multiply-adds in p
/// order starting from 0 (then added to C when accumulating). m, n, k ≥ 1; C must not overlap
/// A or B. Returns 0, or −1 when its scratch memory (a repacked B of k·n floats, or a
/// transposed C of n·m) cannot be allocated (nothing written then). Each calling thread keeps
/// 4 MiB of scratch for its next product, freed when the thread ends.
int ganpipe_small_gemm(int transpose_a, int transpose_b, long m, long n, long k,
                       const float *a, long lda, const float *b, long ldb,
                       int accumulate, float *c, long ldc);

#endif
