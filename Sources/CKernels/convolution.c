// The copy loops of a convolution's unfold (im2col) and fold (col2im), one channel at a time
// through phase planes (see ConvolutionKernel in GanTensor's Tensor+Convolution.swift for the
// layout). In C because the Swift loops spent most of their time on overflow checks and
// reloads around runs of 4 to 7 floats; here the block sizes of the networks ganpipe names
// (Ho×Wo of 4×4, 7×7, 14×14) are unrolled whole, and the image rows go in and out of the phase
// planes as stride-s gathers. fold adds the taps in the same order as a direct loop (i, then j,
// for every pixel), so its sums do not depend on this code path.
#include "ckernels.h"
#include <stdlib.h>
#include <string.h>

// One channel's phase planes for the whole batch, zeroed, and where each image pixel lies in
// an image's planes: row r starts at `row_start[r]`, and its pixels r, first[b] + k·s go to
// entries `column_start[b]` + k of that row, in plane b of the row's phase.
typedef struct {
    long rows, columns, plane, count;  // one image's s² planes: count = s²·rows·columns
    float *buffer;                     // batch · count
    long *row_start;                   // height entries
    long *first, *column_start;        // stride entries each
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
    ph->row_start = malloc(sizeof(long) * (size_t)(g->height + 2 * s));
    if (!ph->buffer || !ph->row_start) {
        free(ph->buffer);
        free(ph->row_start);
        return -1;
    }
    ph->first = ph->row_start + g->height;
    ph->column_start = ph->first + s;
    for (long r = 0; r < g->height; r++) ph->row_start[r] = ((r + p) % s) * s * ph->plane + ((r + p) / s) * ph->columns;
    for (long b = 0; b < s; b++) {
        ph->first[b] = ((b - p) % s + s) % s;  // the first column q with (q + p) mod s = b
        ph->column_start[b] = b * ph->plane + (ph->first[b] + p) / s;
    }
    return 0;
}

static void phases_close(phases *ph) {
    free(ph->row_start);
    free(ph->buffer);
}

// For each plane b, the pixels first[b], first[b] + s, … of an image row and the cells they
// go to; a constant stride lets the compiler gather them with vector shuffles.
#define EVERY(stride_value, body)                                                      \
    for (long b = 0; b < s; b++) {                                                     \
        const long step = (stride_value);                                              \
        const long count = (width - ph->first[b] + step - 1) / step;                   \
        float *cell = row + ph->column_start[b];                                       \
        pixel_type *pixel = image + ph->first[b];                                      \
        for (long k = 0; k < count; k++) { body; }                                     \
    }
#define STRIDES(body) if (s == 2) { EVERY(2, body) } else if (s == 1) { EVERY(1, body) } else { EVERY(s, body) }

// An image row into its phase-plane row (unfold).
static inline __attribute__((always_inline)) void scatter_row(float *restrict row, const float *restrict image,
                                                              const phases *ph, long width, long s) {
    typedef const float pixel_type;
    STRIDES(cell[k] = pixel[k * step])
}

// A phase-plane row out to its image row, zeroing the cells read (fold).
static inline __attribute__((always_inline)) void gather_row(float *restrict image, float *restrict row,
                                                             const phases *ph, long width, long s) {
    typedef float pixel_type;
    STRIDES(pixel[k * step] = cell[k]; cell[k] = 0)
}

// The phase-plane entry that tap (i, j) of window position (0, 0) reads.
static inline long tap_offset(const phases *ph, const ganpipe_convolution *g, long i, long j) {
    const long s = g->stride;
    return ((i % s) * s + j % s) * ph->plane + (i / s) * ph->columns + j / s;
}

// `height` runs of `width` floats, source and target rows `source_stride` and `target_stride`
// apart. Constant sizes let the compiler unroll a whole block (the Ho×Wo of the networks ganpipe
// names) or a run into a few vector moves.
#define BLOCK(rows, run, body)                                                         \
    for (long h = 0; h < (rows); h++)                                                  \
        for (long w = 0; w < (run); w++) { body; }
#define SIZES(body)                                                                    \
    if (height == 4 && width == 4) { BLOCK(4, 4, body) }                               \
    else if (height == 7 && width == 7) { BLOCK(7, 7, body) }                          \
    else if (height == 14 && width == 14) { BLOCK(14, 14, body) }                      \
    else if (width == 4) { BLOCK(height, 4, body) }                                    \
    else if (width == 7) { BLOCK(height, 7, body) }                                    \
    else { BLOCK(height, width, body) }

static inline __attribute__((always_inline)) void copy_runs(float *restrict target, const float *restrict source,
                                                            long height, long width, long source_stride) {
    SIZES(target[h * width + w] = source[h * source_stride + w])
}

static inline __attribute__((always_inline)) void add_runs(float *restrict target, const float *restrict source,
                                                           long height, long width, long target_stride) {
    SIZES(target[h * target_stride + w] += source[h * width + w])
}

int ganpipe_unfold(const float *restrict x, float *restrict cols, long row_stride, long batch, const ganpipe_convolution *g) {
    phases ph;
    if (phases_open(&ph, g, batch) != 0) return -1;
    const long positions = g->output_height * g->output_width, image = g->height * g->width;
    // Every channel writes the same pixel cells, so the padding cells, zeroed once, stay zero.
    for (long c = 0; c < g->channels; c++) {
        for (long n = 0; n < batch; n++) {
            const float *source = x + (n * g->channels + c) * image;
            float *planes = ph.buffer + n * ph.count;
            for (long r = 0; r < g->height; r++)
                scatter_row(planes + ph.row_start[r], source + r * g->width, &ph, g->width, g->stride);
        }
        for (long i = 0; i < g->kernel_height; i++) {
            for (long j = 0; j < g->kernel_width; j++) {
                float *line = cols + ((c * g->kernel_height + i) * g->kernel_width + j) * row_stride;
                const float *tap = ph.buffer + tap_offset(&ph, g, i, j);
                for (long n = 0; n < batch; n++)
                    copy_runs(line + n * positions, tap + n * ph.count, g->output_height, g->output_width, ph.columns);
            }
        }
    }
    phases_close(&ph);
    return 0;
}

int ganpipe_fold(const float *restrict cols, long row_stride, float *restrict x, long batch, const ganpipe_convolution *g) {
    phases ph;
    if (phases_open(&ph, g, batch) != 0) return -1;
    const long positions = g->output_height * g->output_width, image = g->height * g->width;
    // Pixel cells are zeroed again as they are read out; padding cells collect the taps that
    // fall outside the image and are never read.
    for (long c = 0; c < g->channels; c++) {
        for (long i = 0; i < g->kernel_height; i++) {
            for (long j = 0; j < g->kernel_width; j++) {
                const float *line = cols + ((c * g->kernel_height + i) * g->kernel_width + j) * row_stride;
                float *tap = ph.buffer + tap_offset(&ph, g, i, j);
                for (long n = 0; n < batch; n++)
                    add_runs(tap + n * ph.count, line + n * positions, g->output_height, g->output_width, ph.columns);
            }
        }
        for (long n = 0; n < batch; n++) {
            float *target = x + (n * g->channels + c) * image;
            float *planes = ph.buffer + n * ph.count;
            for (long r = 0; r < g->height; r++)
                gather_row(target + r * g->width, planes + ph.row_start[r], &ph, g->width, g->stride);
        }
    }
    phases_close(&ph);
    return 0;
}
