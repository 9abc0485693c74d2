import QuiesceCore

/// The timeline of a coordinator's startups and shutdowns in the JSON report (`timeline`): each
/// instance's phases with their start and end offsets, in seconds from the coordinator's start.
public struct TimelineDocument: Codable, Equatable, Sendable {
    public struct Segment: Codable, Equatable, Sendable {
        /// `starting`, `ready`, `unready`, `draining` or `stopping`.
        public var phase: String
        public var fromSeconds: Double
        public var toSeconds: Double
    }

    public struct Mark: Codable, Equatable, Sendable {
        /// `timed_out`, `killed`, `lost` or `failed`.
        public var kind: String
        public var atSeconds: Double
    }

    public struct Row: Codable, Equatable, Sendable {
        public var service: String
        public var instance: String
        public var segments: [Segment]
        public var marks: [Mark]
        public var outcome: String?
    }

    public struct Wave: Codable, Equatable, Sendable {
        /// `startup` or `shutdown`.
        public var run: String
        public var number: Int
        public var beganSeconds: Double
        public var endedSeconds: Double?
    }

    public var rows: [Row]
    public var waves: [Wave]
    public var criticalPath: [String]
    public var endSeconds: Double

    public init(_ timeline: Timeline) {
        rows = timeline.rows.map { row in
            Row(
                service: row.service, instance: row.instance,
                segments: row.segments.map {
                    Segment(phase: $0.phase.rawValue, fromSeconds: $0.from.seconds, toSeconds: $0.to.seconds)
                },
                marks: row.marks.map { Mark(kind: $0.kind.rawValue, atSeconds: $0.at.seconds) }, outcome: row.outcome)
        }
        waves = timeline.waves.map {
            Wave(
                run: $0.run.rawValue, number: $0.number, beganSeconds: $0.began.seconds, endedSeconds: $0.ended?.seconds
            )
        }
        criticalPath = timeline.criticalPath
        endSeconds = timeline.end.seconds
    }

    /// The timeline this document describes; `nil` when a phase, mark or run is not one this revision
    /// knows, or a time is not a finite offset of at most a day.
    public var timeline: Timeline? {
        func offset(_ seconds: Double) -> Duration? {
            guard seconds.isFinite, (0...Duration.longestSetting.seconds).contains(seconds) else { return nil }
            return .seconds(seconds)
        }
        var rows: [Timeline.Row] = []
        for row in self.rows {
            var segments: [Timeline.Segment] = []
            for segment in row.segments {
                guard let phase = Timeline.Phase(rawValue: segment.phase), let from = offset(segment.fromSeconds),
                    let to = offset(segment.toSeconds), from <= to
                else { return nil }
                segments.append(Timeline.Segment(phase, from: from, to: to))
            }
            var marks: [Timeline.Mark] = []
            for mark in row.marks {
                guard let kind = Timeline.MarkKind(rawValue: mark.kind), let at = offset(mark.atSeconds) else {
                    return nil
                }
                marks.append(Timeline.Mark(kind, at: at))
            }
            rows.append(
                Timeline.Row(
                    service: row.service, instance: row.instance, segments: segments, marks: marks,
                    outcome: row.outcome))
        }
        var waves: [Timeline.Wave] = []
        for wave in self.waves {
            guard let run = CoordinatorEvent.Run(rawValue: wave.run), let began = offset(wave.beganSeconds) else {
                return nil
            }
            let ended = wave.endedSeconds.flatMap(offset)
            waves.append(Timeline.Wave(run: run, number: wave.number, began: began, ended: ended))
        }
        guard let end = offset(endSeconds) else { return nil }
        return Timeline(rows: rows, waves: waves, criticalPath: criticalPath, end: end)
    }
}
