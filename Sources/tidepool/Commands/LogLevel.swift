import ArgumentParser
import Logging
import Pool

/// `--log-level` of the long-running commands: checks the name, then sends every log line
/// through the key=value handler at that level. Returns the command's logger.
func bootstrapLogging(levelNamed name: String) throws -> Logger {
    guard let level = Logger.Level(rawValue: name) else {
        throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
    }
    LoggingSystem.bootstrap { label in KeyValueLogHandler(label: label, level: level) }
    return Logger(label: "tidepool")
}
