#include <cblas.h>
// OpenBLAS extensions: thread count control (ganpipe runs one BLAS thread by default).
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
