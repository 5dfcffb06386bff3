/* Built instead of the CUDA backend when no CUDA compiler was found. */
#include <stdio.h>

#include "backend.h"

sb_backend *sb_gpu_backend_create(const sb_backend_config *cfg, char *err, size_t errlen) {
    (void)cfg;
    snprintf(err, errlen, "starkbench was built without CUDA");
    return NULL;
}

int sb_gpu_available(char *name, size_t len) {
    if (len) name[0] = 0;
    return 0;
}
