import ArgumentParser
import CMallocTuning
import Controller
import Foundation
import Scaler

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one HPA reconcile on a case file and print the decision.",
        discussion: """
            A case is one controller sync as data: the HPA, the scale, the pods, what each metric \
            observed, and the controller's history (shared/spec/reconcile-case.md). JSON or YAML.

            With --batch, FILE holds one JSON case per line and one outcome per line is printed; \
            a malformed line prints {"line": N, "error": "..."} and the batch goes on.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case json, text
    }

    @Argument(help: "The case file (JSON or YAML), or - for standard input.")
    var caseFile: String?

    @Option(name: .long, help: ArgumentHelp("Evaluate a JSON Lines file of cases, one per line (- for standard input).", valueName: "file"))
    var batch: String?

    @Option(help: "json: the outcome object; text: a readable summary (single case only).")
    var format: Format = .json

    func validate() throws {
        if (caseFile == nil) == (batch == nil) {
            throw ValidationError("Give either a case file or --batch FILE.")
        }
        if batch != nil && format == .text {
            throw ValidationError("--format text is for a single case; a batch prints JSON Lines.")
        }
    }

    func run() throws {
        if let batch {
            try runBatch(batch)
            return
        }
        do {
            let decision = try CaseEvaluation.evaluate(path: caseFile!)
            switch format {
            case .json:
                let tree = try JSONParser.parse(decision.jsonString())
                print(tree.prettyPrinted())
            case .text:
                print(CaseEvaluation.text(decision))
            }
        } catch let error as InputError {
            printError(error.description)
            throw ExitCode(1)
        }
    }

    private func runBatch(_ path: String) throws {
        let descriptor: Int32 = path == "-" ? 0 : open(path, O_RDONLY)
        guard descriptor >= 0 else {
            printError("\(path): cannot be opened (\(String(cString: strerror(errno))))")
            throw ExitCode(1)
        }
        defer { if descriptor != 0 { close(descriptor) } }
        #if canImport(Glibc)
        // Each run of lines writes its outcomes into a buffer of a few hundred kilobytes. glibc
        // maps a block that large afresh, faults its pages in and unmaps it when it is freed,
        // run after run; kept in the heap, they took a tenth off the batch's time.
        tidepool_keep_blocks_in_heap(64 << 20, 256 << 20)
        #endif
        let result = BatchEvaluation.run(inputDescriptor: descriptor) { bytes in
            bytes.withUnsafeBufferPointer { pointer in
                var offset = 0
                while offset < pointer.count {
                    let written = write(1, pointer.baseAddress! + offset, pointer.count - offset)
                    if written <= 0 { if errno == EINTR { continue }; return }
                    offset += written
                }
            }
        }
        if let readError = result.readError {
            printError("\(path): cannot be read (\(readError)); \(result.evaluated + result.failed) lines before that were evaluated")
            throw ExitCode(1)
        }
        if result.failed > 0 {
            printError("\(path): \(result.failed) of \(result.evaluated + result.failed) lines failed")
            throw ExitCode(1)
        }
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("tidepool: \(message)\n".utf8))
}
