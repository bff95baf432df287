#include "FuzzDriver.h"

#include <stddef.h>
#include <stdint.h>

// Both from libclang_rt.fuzzer (linked by -sanitize=fuzzer); the callback is the target's
// @_cdecl("LLVMFuzzerTestOneInput").
extern int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
extern int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int tidepool_fuzz_run(int argc, char **argv) {
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}
