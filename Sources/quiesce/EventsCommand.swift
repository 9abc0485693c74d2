import ArgumentParser
import QuiesceCore
import QuiesceWire

struct EventsCommand: ParsableCommand, CoordinatorRequest {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Follow everything the coordinator does, one line per event with its time, or JSON lines.",
        discussion: """
            Registrations, refusals and rejections, orders (start, stop, kill, retransmitted), readiness, \
            outcomes, lost agents, waves and runs. Ends with the fleet's shutdown, exiting 0; exits 1 if \
            the coordinator goes silent or drops this subscriber for reading too slowly.
            """
    )
    static let defaultTimeout = Duration.seconds(10)
    static let timeoutHelp = "How long the coordinator may stay silent (it sends a heartbeat each second)."
    static let jsonHelp = "Print each event as one JSON object per line."

    @OptionGroup var connection: CoordinatorOptions<EventsCommand>

    func run() throws {
        let client = try connection.makeClient(for: "events")
        defer { client.close() }
        do {
            try client.events(timeout: connection.timeout) { event in
                printLine(connection.json ? JSONText.line(event) : EventLine.text(event))
                return !(event.type == "run_ended" && event.run == "shutdown" && event.operation == nil)
            }
        } catch {
            printError("events: \(error)")
            throw ExitCode.failure
        }
    }
}
