import Foundation

enum Tools {
    static var descriptions: [[String: Any]] { [
        tool("add", "Adds two numbers.", ["a": "number", "b": "number"]),
        tool("multiply", "Multiplies two numbers.", ["a": "number", "b": "number"]),
        tool("work", "Burns ms milliseconds of CPU time, then answers.", ["ms": "number"]),
        ["name": "identify", "description": "Says which server process answered.",
         "inputSchema": ["type": "object", "properties": [String: Any]()]],
    ] }

    private static func tool(_ name: String, _ description: String, _ arguments: [String: String]) -> [String: Any] {
        [
            "name": name, "description": description,
            "inputSchema": [
                "type": "object",
                "properties": arguments.mapValues { ["type": $0] },
                "required": arguments.keys.sorted(),
            ],
        ]
    }

    static func call(_ name: String, arguments: [String: Any], serverName: String) throws -> [String: Any] {
        switch name {
        case "add":
            let (a, b) = try numbers(arguments)
            return text(format(a + b))
        case "multiply":
            let (a, b) = try numbers(arguments)
            return text(format(a * b))
        case "work":
            let ms = try number(arguments, "ms")
            guard ms >= 0, ms <= 60_000 else { throw MCPHandler.Failure(code: -32602, message: "ms must be between 0 and 60000") }
            burnCPU(milliseconds: ms)
            return text("worked \(format(ms)) ms")
        case "identify":
            return text("\(serverName) pid=\(getpid())")
        default:
            throw MCPHandler.Failure(code: -32602, message: "Unknown tool: \(name)")
        }
    }

    private static func numbers(_ arguments: [String: Any]) throws -> (Double, Double) {
        (try number(arguments, "a"), try number(arguments, "b"))
    }

    private static func number(_ arguments: [String: Any], _ key: String) throws -> Double {
        guard let value = arguments[key] as? NSNumber, !(arguments[key] is Bool && value.objCType.pointee == 0x63) else {
            throw MCPHandler.Failure(code: -32602, message: "argument \(key) must be a number")
        }
        return value.doubleValue
    }

    private static func text(_ value: String) -> [String: Any] {
        ["content": [["type": "text", "text": value]], "isError": false]
    }

    /// Whole numbers print without a fraction ("5", not "5.0").
    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// Spins until this thread has used `milliseconds` of CPU time: load that a CPU metric sees,
    /// and that takes longer when the machine is busy, as real work does.
    static func burnCPU(milliseconds: Double) {
        let budget = UInt64(milliseconds * 1_000_000)
        let start = threadCPUNanoseconds()
        var sink: UInt64 = 0
        while threadCPUNanoseconds() &- start < budget {
            for index in 0..<1000 { sink = sink &* 6364136223846793005 &+ UInt64(index) }
        }
        if sink == 42 { print("", terminator: "") }
    }

    private static func threadCPUNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
