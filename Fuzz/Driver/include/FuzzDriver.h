#ifndef TIDEPOOL_FUZZ_DRIVER_H
#define TIDEPOOL_FUZZ_DRIVER_H

/// Runs libFuzzer's driver (command-line flags, corpus, mutation loop) on the target's
/// LLVMFuzzerTestOneInput, and returns its exit status.
///
/// Why not libFuzzer's own main: SwiftPM links every executable on Linux with
/// `--defsym main=<module>_main` (so tests can link executables), and a module compiled with
/// -parse-as-library has no `<module>_main`. Each fuzz target therefore defines
/// `@_cdecl("<module>_main")` itself and calls this, which hands over to libFuzzer.
int tidepool_fuzz_run(int argc, char **argv);

#endif
