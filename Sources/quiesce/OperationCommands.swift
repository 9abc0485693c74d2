import ArgumentParser
import QuiesceCore

/// What `stop`, `start` and `restart` share: the service, the coordinator, and following the
/// operation's progress to its report.
struct OperationOptions: ParsableArguments {
    @Argument(help: "The service, as the configuration names it.")
    var service: String

    @Option(name: .long, help: "The coordinator's endpoint.")
    var coordinator: String

    @Flag(help: "Print the report as JSON instead of a table.")
    var json = false

    @Option(name: .long, help: "Give up when the coordinator stays silent this long.")
    var timeout: String = "60s"

    @OptionGroup var curve: CurveOptions

    func run(_ kind: Operation.Kind) throws {
        try followReport(coordinator: coordinator, curve: curve, timeout: timeout, json: json, what: kind.rawValue) {
            client, timeout in
            try client.operation(kind, service: service, timeout: timeout, progress: printLine)
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
