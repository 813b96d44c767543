// Process control that Swift's Glibc module does not expose.
#include "cplatform.h"
#include <sys/prctl.h>

int gp_signal_when_parent_dies(int signal_number) {
    return prctl(PR_SET_PDEATHSIG, signal_number);
}
