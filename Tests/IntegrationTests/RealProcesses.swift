import Testing

/// The suites that run tidepool, member processes and load generators for real. They run one
/// at a time: together on two cores they would starve each other (and the figures they check,
/// like "scaled within two sync periods", would measure the other suites' load).
@Suite("real processes, one suite at a time", .serialized)
enum RealProcesses {}

typealias RunCommandTests = RealProcesses.RunCommandTests
typealias AutoscaleRunTests = RealProcesses.AutoscaleRunTests
typealias KubernetesFixtureTests = RealProcesses.KubernetesFixtureTests
