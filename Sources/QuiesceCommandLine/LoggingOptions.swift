import ArgumentParser
import Logging

/// `--log-level`, shared by the commands that log.
public struct LoggingOptions: ParsableArguments {
    @Option(
        name: .customLong("log-level"),
        help: ArgumentHelp(
            "Log level on stderr: trace, debug, info, notice, warning, error, critical (default: $QUIESCE_LOG_LEVEL, else info).",
            valueName: "log-level"))
    var logLevelFlag: String?

    public init() {}

    public func validate() throws {
        _ = try level()
    }

    /// `--log-level`, else `QUIESCE_LOG_LEVEL`, else info.
    public var logLevel: Logger.Level {
        (try? level()) ?? .info
    }

    private func level() throws -> Logger.Level {
        guard let text = EnvironmentDefault.value(logLevelFlag, orVariable: EnvironmentDefault.logLevel) else {
            return .info
        }
        guard let level = Logger.Level(rawValue: text) else {
            let source = logLevelFlag != nil ? "--log-level" : EnvironmentDefault.logLevel
            throw ValidationError(
                "\(source): log level \"\(text)\" is not one of trace, debug, info, notice, warning, error, critical")
        }
        return level
    }

    /// Sends logs to stderr and returns a logger labelled `label`.
    public func makeLogger(_ label: String) -> Logger {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: label)
    }
}
