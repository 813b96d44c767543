// OpenBLAS loaded at run time. OpenBLAS chooses its kernel for the CPU in its constructor,
// from OPENBLAS_CORETYPE or its own table of CPU models; loading it here (rather than linking
// it) lets GanTensor.BLAS read that choice and load the library again with a better kernel
// where the table does not know the CPU.
#include "cplatform.h"
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

gp_blas_functions gp_blas;
static void *handle;

void gp_blas_close(void) {
    if (handle) dlclose(handle);
    handle = NULL;
    memset(&gp_blas, 0, sizeof gp_blas);
}

int gp_blas_open(const char *library, char *error, size_t capacity) {
    gp_blas_close();
    handle = dlopen(library, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        snprintf(error, capacity, "%s", dlerror());
        return -1;
    }
    static const char *const names[] = {
        "cblas_sgemm", "cblas_saxpy", "openblas_set_num_threads", "openblas_get_num_threads",
        "openblas_get_corename", "openblas_get_config",
    };
    void *symbols[sizeof names / sizeof names[0]];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        symbols[i] = dlsym(handle, names[i]);
        if (!symbols[i]) {
            snprintf(error, capacity, "%s has no symbol %s (is it OpenBLAS?)", library, names[i]);
            gp_blas_close();
            return -1;
        }
    }
    gp_blas.sgemm = (gp_sgemm_fn)symbols[0];
    gp_blas.saxpy = (gp_saxpy_fn)symbols[1];
    gp_blas.set_num_threads = (void (*)(int))symbols[2];
    gp_blas.get_num_threads = (int (*)(void))symbols[3];
    gp_blas.get_corename = (char *(*)(void))symbols[4];
    gp_blas.get_config = (char *(*)(void))symbols[5];
    return 0;
}
