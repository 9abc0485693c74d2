import ArgumentParser

struct ShutdownCommand: ParsableCommand, CoordinatorRequest {
    static let configuration = CommandConfiguration(
        commandName: "shutdown",
        abstract: "Shut the fleet down, as a SIGTERM to the coordinator would, and wait for the report.",
        discussion: "Exits with the coordinator's exit code. Run it again during a shutdown to escalate."
    )
    static let defaultTimeout = Duration.seconds(30)
    static let timeoutHelp = "Give up when the coordinator stays silent this long."

    @OptionGroup var connection: CoordinatorOptions<ShutdownCommand>

    func run() throws {
        try followReport(connection, what: "shutdown") { client, timeout, progress in
            try client.shutdown(timeout: timeout, progress: progress)
        }
    }
}
