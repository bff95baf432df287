import Foundation
import Testing

/// Randomized differential test: `tidepool evaluate --batch` against an independent Python
/// reading of upstream's HPA controller (Tests/reference/hpa_reference.py) on cases nobody wrote
/// by hand (Tests/reference/random_cases.py). The driver, Tests/reference/differential.py,
/// prints every disagreement and exits non-zero if there is one.
///
/// It runs the `tidepool` executable that `swift build` (or `scripts/test`) left in
/// `.build/debug/`; set TIDEPOOL_BINARY to test another one.
@Suite("Differential: tidepool vs. a reference model of upstream")
struct DifferentialTests {
    static let cases = 2000
    static let seed = 20261122

    @Test("2000 random cases agree with the reference model")
    func randomCasesAgreeWithReference() throws {
        let root = try Self.packageRoot()
        let tidepool = ProcessInfo.processInfo.environment["TIDEPOOL_BINARY"].map { URL(fileURLWithPath: $0) }
            ?? root.appendingPathComponent(".build/debug/tidepool")
        guard FileManager.default.isExecutableFile(atPath: tidepool.path) else {
            Issue.record("""
                no tidepool executable at \(tidepool.path): run `swift build` (or scripts/test) first, \
                or set TIDEPOOL_BINARY to the executable to test
                """)
            return
        }
        let script = root.appendingPathComponent("Tests/reference/differential.py")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "--tidepool", tidepool.path,
                             "--cases", String(Self.cases), "--seed", String(Self.seed)]
        process.currentDirectoryURL = root
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do {
            try process.run()
        } catch {
            Issue.record("could not start python3 for \(script.path): \(error)")
            return
        }
        // Read everything before waiting, so a full pipe cannot stall the child.
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()

        let output = String(decoding: data, as: UTF8.self)
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        let tail = lines.suffix(60).joined(separator: "\n")
        #expect(process.terminationStatus == 0,
                "differential.py exited with \(process.terminationStatus); the end of its output:\n\(tail)")
        #expect(lines.contains { $0.hasPrefix("\(Self.cases) passed, 0 failed") },
                "expected \"\(Self.cases) passed, 0 failed\"; the end of the output:\n\(tail)")
    }

    /// The package root: the nearest directory above this file that holds Package.swift.
    static func packageRoot(from file: String = #filePath) throws -> URL {
        var directory = URL(fileURLWithPath: file).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory
            }
            directory = directory.deletingLastPathComponent()
        }
        throw PackageRootNotFound(file: file)
    }

    struct PackageRootNotFound: Error, CustomStringConvertible {
        var file: String
        var description: String { "no Package.swift above \(file)" }
    }
}
