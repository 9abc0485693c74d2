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

            With --json, stdout is one JSON document: the file written with -o (if any) and the \
            timeline's rows (each instance's phases and marks), its waves and its critical path.
            """
    )

    @Argument(help: ArgumentHelp("The JSON report.", valueName: "report.json"))
    var report: String

    @Option(
        name: [.short, .long], help: ArgumentHelp("Write the SVG to this file instead of stdout.", valueName: "file"))
    var output: String?

    @Flag(help: "Print the timeline's rows as one JSON document; the SVG goes only to -o FILE, which it names.")
    var json = false

    /// `quiesce timeline --json`: the SVG written and what it draws.
    struct Document: Encodable {
        /// The SVG's path, when `-o` was given.
        var file: String?
        var rows: [TimelineDocument.Row]
        var waves: [TimelineDocument.Wave]
        var criticalPath: [String]
        var endSeconds: Double
    }

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
        if !json || output != nil {
            try OutputFile.write(TimelineDrawing.svg(timeline), to: output, command: "timeline")
        }
        if json {
            let drawn = TimelineDocument(timeline)
            printLine(
                JSONText.encode(
                    Document(
                        file: output, rows: drawn.rows, waves: drawn.waves, criticalPath: drawn.criticalPath,
                        endSeconds: drawn.endSeconds)))
        }
    }
}
