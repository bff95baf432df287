import Dispatch
import Foundation
import Synchronization

/// JSON-RPC messages, one per line, on standard input; answers on standard output. Requests
/// run concurrently (a slow `work` call does not hold up an `add`); each answer is written
/// whole under a lock. Ends when standard input closes and the last answer is written.
struct StdioServer: Sendable {
    let handler: MCPHandler

    func run() async {
        let handler = self.handler
        await withCheckedContinuation { (finished: CheckedContinuation<Void, Never>) in
            // Reading blocks, so it gets its own thread rather than one of the few the
            // concurrency runtime has.
            let reader = Thread {
                let output = Mutex(FileHandle.standardOutput)
                let answers = DispatchGroup()
                while let line = readLine(strippingNewline: true) {
                    guard !line.isEmpty else { continue }
                    DispatchQueue.global().async(group: answers) {
                        guard case .response(let response) = handler.handle(Data(line.utf8)) else { return }
                        var data = MCPHandler.encode(response)
                        data.append(0x0A)
                        output.withLock { $0.write(data) }
                    }
                }
                answers.wait()
                finished.resume()
            }
            reader.start()
        }
    }
}
