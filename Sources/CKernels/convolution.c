// The copy loops of a convolution's unfold (im2col) and fold (col2im), one channel at a time
// through phase planes (see ConvolutionKernel in GanTensor's Tensor+Convolution.swift for the
// layout). In C because the Swift loops spent most of their time on overflow checks and
// reloads around runs of 4 to 7 floats; here each run length a named network uses gets its own
// fully unrolled copy. fold adds the taps in the same order as a direct loop (i, then j, for
// every pixel), so its sums do not depend on this code path.
#include "ckernels.h"
#include <stdlib.h>
#include <string.h>

// One channel's phase planes for the whole batch, zeroed, and every image pixel's offset in
// an image's planes (row part + column part).
typedef struct {
    long rows, columns, plane, count;  // one image's s² planes: count = s²·rows·columns
    float *buffer;                     // batch · count
    long *row_part, *column_part;      // height, width entries
} phases;

static int phases_open(phases *ph, const ganpipe_convolution *g, long batch) {
    const long s = g->stride, p = g->padding;
    const long ceil_h = (g->height + 2 * p + s - 1) / s, ceil_w = (g->width + 2 * p + s - 1) / s;
    const long rows = g->output_height + (g->kernel_height - 1) / s, columns = g->output_width + (g->kernel_width - 1) / s;
    ph->rows = rows > ceil_h ? rows : ceil_h;
    ph->columns = columns > ceil_w ? columns : ceil_w;
    ph->plane = ph->rows * ph->columns;
    ph->count = s * s * ph->plane;
    ph->buffer = calloc((size_t)(batch * ph->count), sizeof(float));
    ph->row_part = malloc(sizeof(long) * (size_t)(g->height + g->width));
    if (!ph->buffer || !ph->row_part) {
        free(ph->buffer);
        free(ph->row_part);
        return -1;
    }
    ph->column_part = ph->row_part + g->height;
    for (long r = 0; r < g->height; r++) ph->row_part[r] = ((r + p) % s) * s * ph->plane + ((r + p) / s) * ph->columns;
    for (long q = 0; q < g->width; q++) ph->column_part[q] = ((q + p) % s) * ph->plane + (q + p) / s;
    return 0;
}

static void phases_close(phases *ph) {
    free(ph->row_part);
    free(ph->buffer);
}

// The phase-plane entry that tap (i, j) of window position (0, 0) reads.
static inline long tap_offset(const phases *ph, const ganpipe_convolution *g, long i, long j) {
    const long s = g->stride;
    return ((i % s) * s + j % s) * ph->plane + (i / s) * ph->columns + j / s;
}

// `height` runs of `width` floats: source rows `stride` apart, target rows contiguous. A
// constant width lets the compiler unroll each run into a few vector moves.
#define RUNS(run, body)                                                                \
    for (long h = 0; h < height; h++)                                                  \
        for (long w = 0; w < (run); w++) { body; }

static inline __attribute__((always_inline)) void copy_runs(float *restrict target, const float *restrict source,
                                                            long height, long width, long stride) {
    switch (width) {
    case 4: RUNS(4, target[h * 4 + w] = source[h * stride + w]) break;
    case 7: RUNS(7, target[h * 7 + w] = source[h * stride + w]) break;
    case 14: RUNS(14, target[h * 14 + w] = source[h * stride + w]) break;
    default: RUNS(width, target[h * width + w] = source[h * stride + w]) break;
    }
}

static inline __attribute__((always_inline)) void add_runs(float *restrict target, const float *restrict source,
                                                           long height, long width, long stride) {
    switch (width) {
    case 4: RUNS(4, target[h * stride + w] += source[h * 4 + w]) break;
    case 7: RUNS(7, target[h * stride + w] += source[h * 7 + w]) break;
    case 14: RUNS(14, target[h * stride + w] += source[h * 14 + w]) break;
    default: RUNS(width, target[h * stride + w] += source[h * width + w]) break;
    }
}

int ganpipe_unfold(const float *restrict x, float *restrict cols, long batch, const ganpipe_convolution *g) {
    phases ph;
    if (phases_open(&ph, g, batch) != 0) return -1;
    const long positions = g->output_height * g->output_width, columns = batch * positions, image = g->height * g->width;
    // Every channel writes the same pixel cells, so the padding cells, zeroed once, stay zero.
    for (long c = 0; c < g->channels; c++) {
        for (long n = 0; n < batch; n++) {
            const float *source = x + (n * g->channels + c) * image;
            float *planes = ph.buffer + n * ph.count;
            for (long r = 0; r < g->height; r++)
                for (long q = 0; q < g->width; q++) planes[ph.row_part[r] + ph.column_part[q]] = source[r * g->width + q];
        }
        for (long i = 0; i < g->kernel_height; i++) {
            for (long j = 0; j < g->kernel_width; j++) {
                float *line = cols + ((c * g->kernel_height + i) * g->kernel_width + j) * columns;
                const float *tap = ph.buffer + tap_offset(&ph, g, i, j);
                for (long n = 0; n < batch; n++)
                    copy_runs(line + n * positions, tap + n * ph.count, g->output_height, g->output_width, ph.columns);
            }
        }
    }
    phases_close(&ph);
    return 0;
}

int ganpipe_fold(const float *restrict cols, float *restrict x, long batch, const ganpipe_convolution *g) {
    phases ph;
    if (phases_open(&ph, g, batch) != 0) return -1;
    const long positions = g->output_height * g->output_width, columns = batch * positions, image = g->height * g->width;
    // Pixel cells are zeroed again as they are read out; padding cells collect the taps that
    // fall outside the image and are never read.
    for (long c = 0; c < g->channels; c++) {
        for (long i = 0; i < g->kernel_height; i++) {
            for (long j = 0; j < g->kernel_width; j++) {
                const float *line = cols + ((c * g->kernel_height + i) * g->kernel_width + j) * columns;
                float *tap = ph.buffer + tap_offset(&ph, g, i, j);
                for (long n = 0; n < batch; n++)
                    add_runs(tap + n * ph.count, line + n * positions, g->output_height, g->output_width, ph.columns);
            }
        }
        for (long n = 0; n < batch; n++) {
            float *target = x + (n * g->channels + c) * image;
            float *planes = ph.buffer + n * ph.count;
            for (long r = 0; r < g->height; r++) {
                for (long q = 0; q < g->width; q++) {
                    float *cell = planes + ph.row_part[r] + ph.column_part[q];
                    target[r * g->width + q] = *cell;
                    *cell = 0;
                }
            }
        }
    }
    phases_close(&ph);
    return 0;
}
