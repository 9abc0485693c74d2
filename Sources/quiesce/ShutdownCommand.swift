import ArgumentParser

struct ShutdownCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shutdown",
        abstract: "Shut the fleet down, as a SIGTERM to the coordinator would, and wait for the report.",
        discussion: "Exits with the coordinator's exit code. Run it again during a shutdown to escalate."
    )

    @Option(name: .long, help: "The coordinator's endpoint.")
    var coordinator: String

    @Flag(help: "Print the final report as JSON instead of a table.")
    var json = false

    @Option(name: .long, help: "Give up when the coordinator stays silent this long.")
    var timeout: String = "30s"

    @OptionGroup var curve: CurveOptions

    func run() throws {
        try followReport(coordinator: coordinator, curve: curve, timeout: timeout, json: json, what: "shutdown") {
            client, timeout in
            try client.shutdown(timeout: timeout, progress: printLine)
        }
    }
}
