import ArgumentParser
import Logging

/// `--log-level`, shared by the commands that log.
struct LoggingOptions: ParsableArguments {
    @Option(
        help: "Log level on stderr: trace, debug, info, notice, warning, error, critical.",
        transform: { text in
            guard let level = Logger.Level(rawValue: text) else {
                throw ValidationError(
                    "log level \"\(text)\" is not one of trace, debug, info, notice, warning, error, critical")
            }
            return level
        })
    var logLevel: Logger.Level = .info

    /// Sends logs to stderr and returns a logger labelled `label`.
    func makeLogger(_ label: String) -> Logger {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: label)
    }
}
