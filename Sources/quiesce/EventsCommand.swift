import ArgumentParser
import QuiesceCommandLine
import QuiesceCore
import QuiesceWire

struct EventsCommand: ParsableCommand, CoordinatorRequest {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Follow everything the coordinator does, one line per event with its time, or JSON lines.",
        discussion: """
            Registrations, refusals and rejections, orders (start, stop, kill, retransmitted), readiness, \
            outcomes, lost agents, waves and runs. Ends with the fleet's shutdown, exiting 0; exits 69 if \
            the coordinator goes silent or never answers, 77 if it refuses this subscriber or drops it for \
            reading too slowly. A stream has no single document: with -o json, as with -o json-lines, each \
            event is one JSON object per line.
            """
    )
    static let defaultTimeout = Duration.seconds(10)
    static let timeoutHelp = "How long the coordinator may stay silent (it sends a heartbeat each second)."

    @OptionGroup var connection: CoordinatorOptions<EventsCommand>

    func run() throws {
        try connection.withLeader(for: "events", streaming: true) { client in
            try client.events(timeout: connection.timeout) { event in
                printLine(connection.output.format == .text ? EventLine.text(event) : JSONText.line(event))
                return !(event.type == "run_ended" && event.run == "shutdown" && event.operation == nil)
            }
        }
    }
}
