import ArgumentParser
import Foundation
import QuiesceCommandLine
import QuiesceCore
import QuiesceDiagrams
import QuiesceWire

struct TimelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeline",
        abstract: "Draw the startup and shutdown timeline of a saved JSON report as SVG.",
        discussion: """
            The report is what quiesce coordinator --json or quiesce shutdown --json printed; its timeline \
            field holds each instance's phases. One row per instance, bars for starting, ready, draining \
            and stopping, the waves behind them, the critical path outlined, timeouts, kills and lost \
            agents marked.
            """
    )

    @Argument(help: ArgumentHelp("The JSON report.", valueName: "report.json"))
    var report: String

    @Option(
        name: [.short, .long], help: ArgumentHelp("Write the SVG to this file instead of stdout.", valueName: "file"))
    var output: String?

    func run() throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: report))
        } catch {
            printError("timeline: cannot read \(report): \(error.localizedDescription)")
            throw ExitCode(CoordinatorExitCode.invalidConfiguration)
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        guard let document = try? decoder.decode(ReportDocument.self, from: data) else {
            printError(
                "timeline: \(report) is not a Quiesce JSON report; save one with quiesce coordinator --json > \(report)"
            )
            throw ExitCode(CoordinatorExitCode.invalidConfiguration)
        }
        guard let timelineDocument = document.timeline else {
            printError(
                "timeline: \(report) holds no timeline: it is an operation's report or comes from an earlier quiesce; save the fleet's report with quiesce coordinator --json"
            )
            throw ExitCode(CoordinatorExitCode.invalidConfiguration)
        }
        guard let timeline = timelineDocument.timeline else {
            printError("timeline: the timeline in \(report) has a phase, mark or time this quiesce does not know")
            throw ExitCode(CoordinatorExitCode.invalidConfiguration)
        }
        try OutputFile.write(TimelineDrawing.svg(timeline), to: output, command: "timeline")
    }
}
