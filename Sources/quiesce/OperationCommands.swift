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

    @OptionGroup(title: "Scheduling") var scheduling: SchedulingFlags

    /// - Parameter maxUnavailable: for a rolling restart, how many instances may restart at once.
    func run(_ kind: Operation.Kind, maxUnavailable: Int? = nil) throws {
        let command = kind == .rollingRestart ? "restart" : kind.rawValue
        try followReport(connection, what: command) { client, timeout, progress in
            try client.operation(
                kind, service: service, maxUnavailable: maxUnavailable, scheduling: scheduling.scheduling,
                timeout: timeout, progress: progress)
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
        abstract: "Stop a service and its dependents, then start them again once it is ready.",
        discussion: """
            With --rolling, the service's instances are restarted a few at a time instead, each ready \
            again before the next is taken down, never leaving fewer than min_ready ready; its \
            dependents keep running. It is refused when even one instance down would leave fewer \
            than min_ready ready, and stops at the first instance that does not come back.
            """
    )

    @OptionGroup var options: OperationOptions

    @Flag(help: "Restart the instances a few at a time, leaving the dependents running.")
    var rolling = false

    @Option(
        name: .customLong("max-unavailable"),
        help: ArgumentHelp("With --rolling: how many instances may restart at once.", valueName: "n"))
    var maxUnavailable: Int?

    func validate() throws {
        if rolling, let choice = options.scheduling.choice {
            throw ValidationError(
                "--\(choice.rawValue) orders several services; a rolling restart orders one service's instances, so leave it out"
            )
        }
        if let maxUnavailable {
            guard rolling else {
                throw ValidationError("--max-unavailable applies to a rolling restart; add --rolling")
            }
            guard (1...InstanceCount.maximum).contains(maxUnavailable) else {
                throw ValidationError(
                    "--max-unavailable \(maxUnavailable) is out of range; give 1 to \(InstanceCount.maximum) (default 1)"
                )
            }
        }
    }

    func run() throws {
        if rolling {
            try options.run(.rollingRestart, maxUnavailable: maxUnavailable ?? 1)
        } else {
            try options.run(.restart)
        }
    }
}
