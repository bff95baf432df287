import ArgumentParser
import Controller

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a config file (and the HPA files it names) without starting anything.",
        discussion: """
            Decodes every key (shared/spec/config.md), checks that group members and autoscaler \
            targets name existing servers and that listen addresses parse, and prints what the file \
            means: each server with its mode and strategy, each autoscaler with its target. An error \
            names the file and the field and exits 1.
            """
    )

    @Option(name: .long, help: ArgumentHelp("The configuration file (YAML or JSON), or - for standard input.", valueName: "file"))
    var config: String

    func run() throws {
        let loaded: TidepoolConfig
        do {
            loaded = try TidepoolConfig.load(path: config)
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
        print("\(config == "-" ? "<stdin>" : config): valid")
        print(loaded.summary)
    }
}
