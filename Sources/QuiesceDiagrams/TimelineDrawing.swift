import QuiesceCore

/// A coordinator's startups and shutdowns drawn as SVG, as `systemd-analyze plot` draws a boot: one
/// row per service instance with a bar for each phase (starting, ready, unready, draining, stopping),
/// the waves as bands behind them, the critical path outlined in red, timeouts, kills, lost agents
/// and failures marked, and a time axis in seconds.
public enum TimelineDrawing {
    static let colors: [Timeline.Phase: String] = [
        .starting: "#f2b134", .ready: "#4caf50", .unready: "#b0b0b0", .draining: "#64b5f6", .stopping: "#1f5fa8",
    ]

    /// The drawing, a self-contained SVG document.
    public static func svg(_ timeline: Timeline, title: String = "Quiesce timeline") -> String {
        let layout = TimelineLayout(timeline)
        let n = SVGText.number
        var style = """
            .label { font-size: 12px; fill: #1a1a1a; }
            .label.critical { fill: #b71c1c; font-weight: bold; }
            .tick { font-size: 10px; fill: #555555; }
            .grid { stroke: #e4e4e4; stroke-width: 1; }
            .band.startup { fill: #f3f8ee; }
            .band.shutdown { fill: #fbf1e6; }
            .band-label { font-size: 10px; fill: #666666; }
            .bar.critical { stroke: #d62728; stroke-width: 2; }
            .legend { font-size: 11px; fill: #333333; }
            .title { font-size: 14px; font-weight: bold; fill: #1a1a1a; }
            """
        for phase in Timeline.Phase.allCases {
            style += "\n.bar.\(phase.rawValue) { fill: \(colors[phase]!); }"
        }
        var svg = SVGText.header(width: layout.width, height: layout.height, title: title, style: style)
        svg += "<text class=\"title\" x=\"\(n(TimelineLayout.margin))\" y=\"20\">\(SVGText.escaped(title))</text>\n"
        for band in layout.bands {
            let name = "\(band.run.rawValue) wave \(band.number)"
            svg += """
                <rect class="band \(band.run.rawValue)" x="\(n(band.x))" y="\(n(layout.chartTop - 14))" \
                width="\(n(band.width))" height="\(n(layout.chartBottom - layout.chartTop + 14))">\
                <title>\(name): \(seconds(band.began))–\(seconds(band.ended))</title></rect>

                """
            let short = band.run == .startup ? "S\(band.number)" : "D\(band.number)"
            if band.width >= 18 {
                svg +=
                    "<text class=\"band-label\" x=\"\(n(band.x + 3))\" y=\"\(n(layout.chartTop - 4))\">\(short)</text>\n"
            }
        }
        for tick in layout.ticks {
            svg += """
                <line class="grid" x1="\(n(tick.x))" y1="\(n(layout.chartTop - 14))" x2="\(n(tick.x))" \
                y2="\(n(layout.chartBottom))"/><text class="tick" x="\(n(tick.x))" y="\(n(layout.chartBottom + 14))" \
                text-anchor="middle">\(tick.label)</text>

                """
        }
        svg += """
            <text class="tick" x="\(n(layout.chartX + layout.chartWidth))" y="\(n(layout.chartBottom + 28))" \
            text-anchor="end">seconds since the coordinator started</text>

            """
        for row in layout.rows {
            let center = row.y + TimelineLayout.rowHeight / 2
            svg += """
                <g class="row" data-service="\(SVGText.escaped(row.service))" data-instance="\(SVGText.escaped(row.instance))">\
                <text class="label\(row.critical ? " critical" : "")" x="\(n(layout.chartX - 8))" y="\(n(center + 4))" \
                text-anchor="end">\(SVGText.escaped(row.label))</text>

                """
            for bar in row.bars {
                svg += """
                    <rect class="bar \(bar.phase.rawValue)\(bar.critical ? " critical" : "")" x="\(n(bar.x))" \
                    y="\(n(center - TimelineLayout.barHeight / 2))" width="\(n(bar.width))" \
                    height="\(n(TimelineLayout.barHeight))"><title>\(SVGText.escaped(row.label)) \
                    \(bar.phase.rawValue): \(seconds(bar.from))–\(seconds(bar.to))</title></rect>

                    """
            }
            for mark in row.marks {
                svg += self.mark(mark, center: center, label: SVGText.escaped(row.label))
            }
            svg += "</g>\n"
        }
        svg += legend(x: TimelineLayout.margin, y: layout.chartBottom + 48)
        svg += "</svg>\n"
        return svg
    }

    private static func seconds(_ offset: Duration) -> String {
        offset.configurationText
    }

    private static func mark(_ mark: TimelineLayout.Mark, center: Double, label: String) -> String {
        let n = SVGText.number
        let x = mark.x
        let title = "<title>\(label) \(mark.kind.rawValue.replacingUnderscores) at \(seconds(mark.at))</title>"
        let shape: String
        switch mark.kind {
        case .timedOut:
            shape = """
                <path d="M \(n(x)) \(n(center - 8)) L \(n(x + 6)) \(n(center)) L \(n(x)) \(n(center + 8)) \
                L \(n(x - 6)) \(n(center)) z" fill="#ff9800" stroke="#5d3a00" stroke-width="1"/>
                """
        case .killed:
            shape = """
                <path d="M \(n(x - 5)) \(n(center - 5)) L \(n(x + 5)) \(n(center + 5)) M \(n(x + 5)) \(n(center - 5)) \
                L \(n(x - 5)) \(n(center + 5))" stroke="#000000" stroke-width="2.5"/>
                """
        case .lost:
            shape = """
                <circle cx="\(n(x))" cy="\(n(center))" r="5" fill="#8e24aa" stroke="#ffffff" stroke-width="1"/>
                """
        case .failed:
            shape = """
                <path d="M \(n(x)) \(n(center - 7)) L \(n(x + 6)) \(n(center + 5)) L \(n(x - 6)) \(n(center + 5)) z" \
                fill="#d62728"/>
                """
        }
        return "<g class=\"mark \(mark.kind.rawValue)\">\(title)\(shape)</g>\n"
    }

    private static func legend(x: Double, y: Double) -> String {
        let n = SVGText.number
        var svg = ""
        var position = x
        for phase in Timeline.Phase.allCases {
            svg += """
                <rect x="\(n(position))" y="\(n(y - 9))" width="14" height="10" fill="\(colors[phase]!)"/>\
                <text class="legend" x="\(n(position + 18))" y="\(n(y))">\(phase.rawValue)</text>

                """
            position += 30 + SVGText.width(of: phase.rawValue, size: 11)
        }
        svg += """
            <rect x="\(n(position))" y="\(n(y - 9))" width="14" height="10" fill="#ffffff" stroke="#d62728" \
            stroke-width="2"/><text class="legend" x="\(n(position + 18))" y="\(n(y))">critical path</text>

            """
        position = x
        for kind in Timeline.MarkKind.allCases {
            let name = kind.rawValue.replacingUnderscores
            svg += Self.mark(TimelineLayout.Mark(kind: kind, x: position + 6, at: .zero), center: y + 16, label: name)
            svg += "<text class=\"legend\" x=\"\(n(position + 16))\" y=\"\(n(y + 20))\">\(name)</text>\n"
            position += 34 + SVGText.width(of: name, size: 11)
        }
        svg += """
            <text class="legend" x="\(n(position + 12))" y="\(n(y + 20))">S1, D1: startup and shutdown waves</text>

            """
        return svg
    }
}

extension String {
    fileprivate var replacingUnderscores: String { String(map { $0 == "_" ? " " : $0 }) }
}
