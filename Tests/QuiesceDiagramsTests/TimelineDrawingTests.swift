import QuiesceCore
import Testing

@testable import QuiesceDiagrams

@Suite("Timeline drawing")
struct TimelineDrawingTests {
    /// Two services, the second of two instances, one of which timed out and was killed.
    static let timeline = Timeline(
        rows: [
            Timeline.Row(
                service: "database", instance: "db-1",
                segments: [
                    .init(.starting, from: .zero, to: .seconds(1)), .init(.ready, from: .seconds(1), to: .seconds(5)),
                    .init(.stopping, from: .seconds(7), to: .seconds(8)),
                ], outcome: "stopped"),
            Timeline.Row(
                service: "api", instance: "web-1",
                segments: [
                    .init(.starting, from: .seconds(1), to: .seconds(2)),
                    .init(.ready, from: .seconds(2), to: .seconds(5)),
                    .init(.draining, from: .seconds(5), to: .seconds(6)),
                    .init(.stopping, from: .seconds(6), to: .seconds(7)),
                ], outcome: "stopped"),
            Timeline.Row(
                service: "api", instance: "web-2",
                segments: [
                    .init(.starting, from: .seconds(1), to: .seconds(2)),
                    .init(.ready, from: .seconds(2), to: .seconds(5)),
                    .init(.stopping, from: .seconds(5), to: .seconds(7)),
                ], marks: [.init(.timedOut, at: .seconds(7)), .init(.killed, at: .seconds(7))], outcome: "timed_out"),
        ],
        waves: [
            .init(run: .startup, number: 1, began: .zero, ended: .seconds(1)),
            .init(run: .startup, number: 2, began: .seconds(1), ended: .seconds(2)),
            .init(run: .shutdown, number: 1, began: .seconds(5), ended: .seconds(7)),
            .init(run: .shutdown, number: 2, began: .seconds(7), ended: .seconds(8)),
        ],
        criticalPath: ["api", "database"], end: .seconds(8))

    @Test("One row per instance, each with one bar per phase it went through, in a well-formed document")
    func oneRowPerInstance() throws {
        let svg = try #require(SVGStructure(TimelineDrawing.svg(Self.timeline)))
        let rows = svg.elements(named: "g", classed: "row")
        #expect(
            rows.map { "\($0.attributes["data-service"]!)/\($0.attributes["data-instance"]!)" } == [
                "database/db-1", "api/web-1", "api/web-2",
            ])
        let bars = svg.elements(named: "rect", classed: "bar")
        #expect(bars.filter { $0.groupInstance == "db-1" }.count == 3)
        #expect(bars.filter { $0.groupInstance == "web-1" }.count == 4)
        #expect(bars.filter { $0.groupInstance == "web-2" }.count == 3)
        #expect(svg.elements(named: "rect", classed: "draining").count == 1)
        #expect(svg.elements(named: "rect", classed: "band").count == 4)
    }

    @Test("The critical path's stopping bars are outlined, its starting bars are not; marks sit on their rows")
    func criticalPathAndMarks() throws {
        let svg = try #require(SVGStructure(TimelineDrawing.svg(Self.timeline)))
        let critical = svg.elements(named: "rect", classed: "critical")
        #expect(critical.count == 4, "api's two drain and stop bars on web-1, its stop on web-2, database's stop")
        #expect(critical.allSatisfy { !($0.attributes["class"] ?? "").contains("starting") })
        let marks = svg.elements(named: "g", classed: "mark").filter { $0.group != nil }
        #expect(marks.map { $0.attributes["class"]! } == ["mark timed_out", "mark killed"])
        #expect(marks.allSatisfy { $0.groupInstance == "web-2" })
    }

    @Test("Bars are placed on the time axis: 8 s across 800 pixels, ticks every second")
    func barsFollowTheAxis() {
        let layout = TimelineLayout(Self.timeline, chartWidth: 800)
        let ready = layout.rows[0].bars[1]
        #expect(abs(ready.x - (layout.chartX + 100)) < 0.001)
        #expect(abs(ready.width - 400) < 0.001)
        #expect(layout.ticks.map(\.label) == (0...8).map { "\($0)s" })
        #expect(TimelineLayout.tickStep(for: 0.3) == 0.05)
        let short = TimelineLayout(Timeline(rows: [], waves: [], criticalPath: [], end: .milliseconds(300)))
        #expect(short.ticks.map(\.label) == ["0s", "0.05s", "0.1s", "0.15s", "0.2s", "0.25s", "0.3s"])
    }

    @Test("Service names are escaped: the document stays well-formed and shows the name as written")
    func namesAreEscaped() throws {
        var timeline = Self.timeline
        timeline.rows[0].service = "a<b>&\"c'"
        let text = TimelineDrawing.svg(timeline, title: "<script>")
        #expect(!text.contains("<script>"))
        let svg = try #require(SVGStructure(text))
        #expect(svg.elements(named: "g", classed: "row").first?.attributes["data-service"] == "a<b>&\"c'")
        #expect(svg.texts.contains("a<b>&\"c'"))
        #expect(!text.contains("http://") || !text.contains("href"), "no external reference")
    }
}
