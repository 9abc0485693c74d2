import ArgumentParser

struct ShutdownCommand: ParsableCommand, CoordinatorRequest {
    static let configuration = CommandConfiguration(
        commandName: "shutdown",
        abstract: "Shut the fleet down, as a SIGTERM to the coordinator would, and wait for the report.",
        discussion: """
            Exits with the coordinator's exit code. Run it again during a shutdown to escalate. \
            --eager stops each service as soon as all its dependents have stopped, instead of waiting \
            for the whole wave; without --eager or --waves, the coordinator's scheduling applies.
            """
    )
    static let defaultTimeout = Duration.seconds(30)
    static let timeoutHelp = "Give up when the coordinator stays silent this long."

    @OptionGroup var connection: CoordinatorOptions<ShutdownCommand>

    @OptionGroup(title: "Scheduling") var scheduling: SchedulingFlags

    func run() throws {
        try followReport(connection, what: "shutdown") { client, timeout, progress in
            try client.shutdown(scheduling: scheduling.scheduling, timeout: timeout, progress: progress)
        }
    }
}
