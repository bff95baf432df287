import Controller
import FuzzSupport
import Pool
import Scaler

/// The config loader on arbitrary bytes, with no file: the bytes parsed as `DocumentLoader`
/// parses a file (YAML, and JSON when they start with `{` or `[`), then decoded by
/// `TidepoolConfig.decode`. `InputError`s and `CaseError`s are expected; a crash, a trap, a
/// hang or an ASan report is a finding, and so is a broken invariant:
/// - a JSON error names a line of the input, a YAML error a line no further than its breaks;
/// - the parsed tree, written as JSON and parsed again, is the same tree;
/// - a config that decodes re-validates: its JSON rendering decodes to the same config (and a
///   rejected one is rejected with the same error).
/// Files the config names (`hpa:`, `token_file:`) resolve under /nonexistent, so nothing is read.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // YAML always (a JSON document is YAML too); JSON when DocumentLoader would take it as JSON.
    exercise(bytes, source: "tidepool.yaml")
    let first = bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
    if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
        exercise(bytes, source: "tidepool.json")
    }
    return 0
}

@_cdecl("fuzz_config_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv)
}

private let baseDirectory = "/nonexistent"

private func exercise(_ bytes: [UInt8], source: String) {
    let document: JSONValue
    do {
        document = try DocumentLoader.parse(bytes, source: source)
    } catch {
        checkPosition(of: error, in: bytes)
        return
    }
    // The tree as JSON and back: what `tidepool validate` and the JSON path rely on.
    var writer = JSONWriter(reservingCapacity: bytes.count + 64)
    writer.value(document)
    let reparsed: JSONValue
    do {
        reparsed = try JSONParser.parse(writer.bytes)
    } catch {
        check(false, "\(source): the parsed tree written as JSON does not parse: \(error)\n\(writer.string)")
        return
    }
    check(reparsed == document, "\(source): the parsed tree written as JSON reads back differently\n\(writer.string)")

    let value = confined(document)
    let config: TidepoolConfig
    do {
        config = try TidepoolConfig.decode(value, baseDirectory: baseDirectory)
    } catch {
        check(!error.message.isEmpty, "\(source): a CaseError without a message")
        _ = error.description
        // The same document from its JSON rendering fails the same way.
        do {
            _ = try TidepoolConfig.decode(confined(reparsed), baseDirectory: baseDirectory)
            check(false, "\(source): rejected (\(error)) but its JSON rendering decodes")
        } catch let again {
            check(again == error, "\(source): rejected with \(error) but its JSON rendering with \(again)")
        }
        return
    }
    _ = config.summary
    // Re-validate: the decoded config's document, from JSON, decodes to the same config.
    let again: TidepoolConfig
    do {
        again = try TidepoolConfig.decode(confined(reparsed), baseDirectory: baseDirectory)
    } catch {
        check(false, "\(source): decodes, but its JSON rendering does not: \(error)")
        return
    }
    check(again.gateway == config.gateway && again.admin == config.admin && again.controller == config.controller,
          "\(source): the JSON rendering decodes to other gateway, admin or controller settings")
    check(again.servers == config.servers, "\(source): the JSON rendering decodes to other servers")
    check(again.autoscalers.map(\.name) == config.autoscalers.map(\.name) && again.summary == config.summary,
          "\(source): the JSON rendering decodes to other autoscalers")
    for server in config.servers {
        check(config.server(server.id) != nil, "\(source): server \(server.id) cannot be found by its id")
    }
}

/// A parse error names a place inside the input: JSON by line and column, YAML (whose line
/// breaks also include \r, NEL, LS and PS) no further than its count of breaks.
private func checkPosition(of error: InputError, in bytes: [UInt8]) {
    check(!error.message.isEmpty, "an InputError without a message")
    let message = error.message
    let text = String(decoding: bytes, as: UTF8.self)
    if message.hasPrefix("malformed JSON at line ") {
        let numbers = message.dropFirst("malformed JSON at line ".count).split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
        check(numbers.count == 2, "a JSON error without line and column: \(message)")
        let lines = bytes.reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        check(numbers[0] >= 1 && numbers[0] <= lines && numbers[1] >= 1, "a JSON error at line \(numbers[0]) of \(lines): \(message)")
    } else if message.hasPrefix("malformed YAML: ") {
        let rest = message.dropFirst("malformed YAML: ".count)
        let head = rest.prefix { $0.isNumber || $0 == ":" }
        let numbers = head.split(separator: ":").compactMap { Int($0) }
        guard numbers.count == 2 else { return }  // errors without a mark
        let breaks = text.unicodeScalars.reduce(1) { count, scalar in
            count + (["\n", "\r", "\u{85}", "\u{2028}", "\u{2029}"].contains(scalar) ? 1 : 0)
        }
        check(numbers[0] >= 1 && numbers[0] <= breaks + 1 && numbers[1] >= 1, "a YAML error at line \(numbers[0]) of at most \(breaks): \(message)")
    } else {
        check(message == "the document is empty", "an unexpected InputError: \(message)")
    }
}

/// The document with the file names of `hpa:` and `token_file:` made relative, so they resolve
/// under /nonexistent: the fuzzer must not read (or hang on) /dev/zero or the like.
private func confined(_ value: JSONValue) -> JSONValue {
    switch value {
    case .object(var object):
        for index in object.entries.indices {
            let entry = object.entries[index]
            if entry.key == "hpa" || entry.key == "token_file", case .string(let path) = entry.value {
                object.entries[index].value = .string(path.hasPrefix("/") ? "." + path : path)
            } else {
                object.entries[index].value = confined(entry.value)
            }
        }
        return .object(object)
    case .array(let elements):
        return .array(elements.map(confined))
    default:
        return value
    }
}
