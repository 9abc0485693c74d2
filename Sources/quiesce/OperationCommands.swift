import ArgumentParser
import QuiesceCore

/// What `stop`, `start` and `restart` share: the service, the coordinator, and following the
/// operation's progress to its report.
struct OperationOptions: ParsableArguments, CoordinatorRequest {
    static let defaultTimeout = Duration.seconds(60)
    static let timeoutHelp = "Give up when the coordinator stays silent this long."

    @Argument(help: "The service, as the configuration names it.")
    var service: String

    @OptionGroup var connection: CoordinatorOptions<OperationOptions>

    func run(_ kind: Operation.Kind) throws {
        try followReport(connection, what: kind.rawValue) { client, timeout, progress in
            try client.operation(kind, service: service, timeout: timeout, progress: progress)
        }
    }
}

struct StopServiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stop",
        abstract: "Stop a service and everything that depends on it, in waves; the rest keeps running."
    )

    @OptionGroup var options: OperationOptions

    func run() throws { try options.run(.stop) }
}

struct StartServiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Start a service and whatever it needs that is not running, in waves."
    )

    @OptionGroup var options: OperationOptions

    func run() throws { try options.run(.start) }
}

struct RestartServiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restart",
        abstract: "Stop a service and its dependents, then start them again once it is ready."
    )

    @OptionGroup var options: OperationOptions

    func run() throws { try options.run(.restart) }
}
