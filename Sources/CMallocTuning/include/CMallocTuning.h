#ifndef TIDEPOOL_CMALLOCTUNING_H
#define TIDEPOOL_CMALLOCTUNING_H

#if defined(__linux__)
#include <malloc.h>

/// Keeps blocks up to `largest_block` bytes in the heap instead of mapping each one afresh,
/// and returns free heap memory to the system only past `trim_threshold` bytes. Swift does not
/// see glibc's <malloc.h> through its Glibc module, hence this header.
static inline void tidepool_keep_blocks_in_heap(int largest_block, int trim_threshold) {
    mallopt(M_MMAP_THRESHOLD, largest_block);
    mallopt(M_TRIM_THRESHOLD, trim_threshold);
}
#endif

#endif
