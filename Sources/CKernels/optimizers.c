// Optimizer kernels in C: Swift lowers every square root (Float.squareRoot, SIMD's too) to
// libm's sqrtf with its errno check, one lane at a time, which kept Adam's and RMSprop's loops
// mostly scalar. Compiled with -fno-math-errno the loops below use vsqrtps/vdivps on 8 lanes;
// -ffp-contract=off keeps every multiply and add a separate rounding, as in the Swift formula,
// so the result is bit-identical to it.
#include "ckernels.h"
#include <math.h>

void ganpipe_adam_update(float *restrict p, float *restrict m, float *restrict v, const float *restrict g,
                         size_t count, float beta1, float beta2, float one_minus_beta1, float one_minus_beta2,
                         float epsilon, float step, float root) {
    for (size_t i = 0; i < count; i++) {
        float gi = g[i];
        float mi = beta1 * m[i] + one_minus_beta1 * gi;
        float vi = beta2 * v[i] + one_minus_beta2 * (gi * gi);
        m[i] = mi;
        v[i] = vi;
        p[i] = p[i] - step * (mi / (sqrtf(vi) / root + epsilon));
    }
}

void ganpipe_rmsprop_update(float *restrict p, float *restrict v, const float *restrict g, size_t count,
                            float alpha, float one_minus_alpha, float learning_rate, float epsilon) {
    for (size_t i = 0; i < count; i++) {
        float gi = g[i];
        float vi = alpha * v[i] + one_minus_alpha * (gi * gi);
        v[i] = vi;
        p[i] = p[i] - learning_rate * (gi / (sqrtf(vi) + epsilon));
    }
}
