import QuiesceCore

/// Where everything of a timeline drawing goes, in pixels: pure geometry, tested without drawing.
struct TimelineLayout {
    struct Bar: Equatable {
        var phase: Timeline.Phase
        var x: Double
        var width: Double
        var from: Duration
        var to: Duration
        /// A draining or stopping bar of a service on the shutdown's critical path.
        var critical: Bool
    }

    struct Mark: Equatable {
        var kind: Timeline.MarkKind
        var x: Double
        var at: Duration
    }

    struct Row {
        var service: String
        var instance: String
        var label: String
        var y: Double
        var bars: [Bar]
        var marks: [Mark]
        var critical: Bool
        var outcome: String?
    }

    struct Band {
        var run: CoordinatorEvent.Run
        var number: Int
        var x: Double
        var width: Double
        var began: Duration
        var ended: Duration
    }

    struct Tick: Equatable {
        var x: Double
        var label: String
    }

    var rows: [Row]
    var bands: [Band]
    var ticks: [Tick]
    /// The chart's left edge, after the labels, and its width.
    var chartX: Double
    var chartWidth: Double
    var chartTop: Double
    var chartBottom: Double
    var width: Double
    var height: Double

    static let rowHeight = 22.0
    static let barHeight = 14.0
    static let labelSize = 12.0
    static let margin = 16.0

    init(_ timeline: Timeline, chartWidth: Double = 900) {
        let severalInstances = Dictionary(grouping: timeline.rows, by: \.service).filter { $0.value.count > 1 }
        let labels = timeline.rows.map { row in
            severalInstances[row.service] == nil ? row.service : "\(row.service)/\(row.instance)"
        }
        let labelWidth = min(max(labels.map { SVGText.width(of: $0, size: Self.labelSize) }.max() ?? 0, 60), 260)
        chartX = Self.margin + labelWidth + 12
        self.chartWidth = chartWidth
        chartTop = 44
        let end = max(timeline.end.seconds, 0.001)
        let scale = chartWidth / end
        let chartX = chartX
        func x(_ offset: Duration) -> Double { chartX + min(max(offset.seconds, 0), end) * scale }
        let critical = Set(timeline.criticalPath)
        rows = zip(timeline.rows, labels).enumerated().map { index, pair in
            let (row, label) = pair
            let onPath = critical.contains(row.service)
            return Row(
                service: row.service, instance: row.instance, label: label,
                y: 44 + Double(index) * Self.rowHeight,
                bars: row.segments.map { segment in
                    Bar(
                        phase: segment.phase, x: x(segment.from), width: max(x(segment.to) - x(segment.from), 1),
                        from: segment.from, to: segment.to,
                        critical: onPath && (segment.phase == .draining || segment.phase == .stopping))
                },
                marks: row.marks.map { Mark(kind: $0.kind, x: x($0.at), at: $0.at) }, critical: onPath,
                outcome: row.outcome)
        }
        chartBottom = chartTop + Double(max(rows.count, 1)) * Self.rowHeight
        bands = timeline.waves.map { wave in
            let ended = wave.ended ?? timeline.end
            return Band(
                run: wave.run, number: wave.number, x: x(wave.began), width: max(x(ended) - x(wave.began), 1),
                began: wave.began, ended: ended)
        }
        let step = Self.tickStep(for: end)
        // A millionth of a step more, so that an end on a tick (0.3 s by steps of 0.05) has its tick.
        ticks = (0...Int((end / step + 1e-6).rounded(.down))).map { index in
            let seconds = Double(index) * step
            return Tick(x: chartX + seconds * scale, label: Duration.configurationText(seconds: seconds))
        }
        width = chartX + chartWidth + Self.margin + 24
        height = chartBottom + 90
    }

    /// The step between two labelled ticks: a round number of seconds giving at most 10 ticks.
    static func tickStep(for end: Double) -> Double {
        let steps = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600]
        return steps.first { end / $0 <= 10 } ?? 7200
    }

}
