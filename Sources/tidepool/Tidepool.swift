import ArgumentParser

@main
struct Tidepool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tidepool",
        abstract: "An autoscaler for MCP servers, faithful to the Kubernetes HorizontalPodAutoscaler.",
        version: "0.1.0",
        subcommands: [Run.self, ControllerCommand.self, Status.self, Record.self, Evaluate.self, ReplayCommand.self, Scrape.self, Validate.self]
    )
}
