/// What a coordinator's startups and shutdowns looked like over time: one row per service instance
/// with its phases as segments, the waves, and the marks of what went wrong (a timeout, a kill, a
/// lost agent). ``TimelineRecorder`` builds it from the events; the JSON report carries it and
/// `quiesce timeline` draws it. Times are offsets from the coordinator's start.
public struct Timeline: Equatable, Sendable {
    /// What an instance was doing during a segment.
    public enum Phase: String, Hashable, Sendable, CaseIterable {
        /// From its start order until it is ready.
        case starting
        case ready
        /// Its readiness checks failed after it was ready.
        case unready
        /// From its stop order, reporting not ready, for the service's `drain`.
        case draining
        /// From the stop signal (after the drain) until its outcome.
        case stopping
    }

    /// Something that went wrong, drawn as a mark on the instance's row.
    public enum MarkKind: String, Hashable, Sendable, CaseIterable {
        case timedOut = "timed_out"
        case killed
        case lost
        case failed
    }

    public struct Segment: Equatable, Sendable {
        public var phase: Phase
        public var from: Duration
        public var to: Duration

        public init(_ phase: Phase, from: Duration, to: Duration) {
            self.phase = phase
            self.from = from
            self.to = to
        }
    }

    public struct Mark: Equatable, Sendable {
        public var kind: MarkKind
        public var at: Duration

        public init(_ kind: MarkKind, at: Duration) {
            self.kind = kind
            self.at = at
        }
    }

    /// One instance of a service.
    public struct Row: Equatable, Sendable {
        public var service: String
        public var instance: String
        public var segments: [Segment]
        public var marks: [Mark]
        /// The code of its last stop outcome (`stopped`, `timed_out`, …), once it has one.
        public var outcome: String?

        public init(
            service: String, instance: String, segments: [Segment] = [], marks: [Mark] = [], outcome: String? = nil
        ) {
            self.service = service
            self.instance = instance
            self.segments = segments
            self.marks = marks
            self.outcome = outcome
        }
    }

    /// One wave of a startup or a shutdown.
    public struct Wave: Equatable, Sendable {
        public var run: CoordinatorEvent.Run
        public var number: Int
        public var began: Duration
        /// `nil` while it runs.
        public var ended: Duration?

        public init(run: CoordinatorEvent.Run, number: Int, began: Duration, ended: Duration?) {
            self.run = run
            self.number = number
            self.began = began
            self.ended = ended
        }
    }

    /// In the order they were first started (those never started last), then by service and instance.
    public var rows: [Row]
    public var waves: [Wave]
    /// The services that set the shutdown's length, one per wave (the report's critical path).
    public var criticalPath: [String]
    /// Where the timeline ends: the last event, or when it was taken.
    public var end: Duration

    public init(rows: [Row] = [], waves: [Wave] = [], criticalPath: [String] = [], end: Duration = .zero) {
        self.rows = rows
        self.waves = waves
        self.criticalPath = criticalPath
        self.end = end
    }
}

/// Builds a ``Timeline`` from the coordinator's events, one event at a time.
public struct TimelineRecorder: Sendable {
    private let origin: Timestamp
    private var rows: [Timeline.Row] = []
    private var rowIndex: [InstanceID: Int] = [:]
    /// The phase each row is in and since when; absent once it has stopped.
    private var open: [Int: (phase: Timeline.Phase, since: Duration, drainEnds: Duration?)] = [:]
    private var waves: [Timeline.Wave] = []
    private var last: Duration = .zero

    /// - Parameter origin: the time offsets are measured from (the coordinator's start).
    public init(origin: Timestamp) {
        self.origin = origin
    }

    public mutating func record(_ event: CoordinatorEvent) {
        let at = max(event.at - origin, .zero)
        last = max(last, at)
        switch event.kind {
        case .agentRegistered(let id, _):
            _ = row(of: id)
        case .ordered(.start, let id, _, _):
            enter(.starting, row: row(of: id), at: at)
        case .ordered(.stop, let id, _, let drain):
            let index = row(of: id)
            if let drain, drain > .zero {
                enter(.draining, row: index, at: at, drainEnds: at + drain)
            } else {
                enter(.stopping, row: index, at: at)
            }
        case .ordered(.kill, let id, _, _):
            let index = row(of: id)
            mark(.killed, row: index, at: at)
            if open[index] == nil { enter(.stopping, row: index, at: at) }
        case .instanceReady(let id):
            enter(.ready, row: row(of: id), at: at, unless: [.ready, .draining, .stopping])
        case .serviceReady(let service, _):
            for index in indices(of: service) where open[index]?.phase == .starting {
                enter(.ready, row: index, at: at)
            }
        case .instanceUnready(let id, _):
            enter(.unready, row: row(of: id), at: at, unless: [.unready, .draining, .stopping])
        case .instanceFailed(let id, _):
            let index = row(of: id)
            mark(.failed, row: index, at: at)
            close(index, at: at)
        case .instanceStopped(let id, let outcome, _):
            conclude(row(of: id), outcome: outcome, at: at)
        case .serviceStopped(let service, let outcome, _):
            // A service of several instances had each concluded on its own already.
            for index in indices(of: service) where open[index] != nil || rows[index].outcome == nil {
                conclude(index, outcome: outcome, at: at)
            }
        case .agentLost(let id):
            mark(.lost, row: row(of: id), at: at)
        case .waveBegan(let run, let number, _, _):
            waves.append(Timeline.Wave(run: run, number: number, began: at, ended: nil))
        case .waveEnded(let run, let number, _):
            if let index = waves.lastIndex(where: { $0.run == run && $0.number == number && $0.ended == nil }) {
                waves[index].ended = at
            }
        case .registrationRefused, .rejected, .orderRetransmitted, .instanceStarted, .killing, .heartbeatRoundTrip,
            .agentSuspect,
            .agentResponsive, .runBegan, .runEnded:
            break
        }
    }

    /// The timeline so far, its open segments and waves ending `now`.
    public func timeline(now: Timestamp, criticalPath: [String]) -> Timeline {
        let end = max(last, now - origin)
        var rows = rows
        for (index, state) in open {
            rows[index].segments += Self.segments(state.phase, from: state.since, to: end, drainEnds: state.drainEnds)
        }
        let waves = waves.map { wave in
            var wave = wave
            if wave.ended == nil { wave.ended = end }
            return wave
        }
        let ordered = rows.sorted { first, second in
            let a = first.segments.first?.from ?? end
            let b = second.segments.first?.from ?? end
            return (a, first.service, first.instance) < (b, second.service, second.instance)
        }
        return Timeline(rows: ordered, waves: waves, criticalPath: criticalPath, end: end)
    }

    private mutating func row(of id: InstanceID) -> Int {
        if let index = rowIndex[id] { return index }
        rows.append(Timeline.Row(service: id.service, instance: id.instance))
        rowIndex[id] = rows.count - 1
        return rows.count - 1
    }

    private func indices(of service: String) -> [Int] {
        rows.indices.filter { rows[$0].service == service }
    }

    /// Closes the row's segment under way and opens one of `phase`, unless it is in one of `unless`.
    private mutating func enter(
        _ phase: Timeline.Phase, row index: Int, at: Duration, drainEnds: Duration? = nil,
        unless: Set<Timeline.Phase> = []
    ) {
        if let current = open[index]?.phase, unless.contains(current) { return }
        close(index, at: at)
        open[index] = (phase, at, drainEnds)
    }

    private mutating func close(_ index: Int, at: Duration) {
        guard let state = open.removeValue(forKey: index) else { return }
        rows[index].segments += Self.segments(state.phase, from: state.since, to: at, drainEnds: state.drainEnds)
    }

    private mutating func conclude(_ index: Int, outcome: ShutdownOutcome, at: Duration) {
        close(index, at: at)
        rows[index].outcome = outcome.code
        switch outcome {
        case .timedOut: mark(.timedOut, row: index, at: at)
        case .lost: mark(.lost, row: index, at: at)
        case .killed, .acknowledged(.killedAfterTimeout), .acknowledged(.killed): mark(.killed, row: index, at: at)
        default: break
        }
    }

    /// Marks the row, unless its last mark is of the same kind already (a kill ordered, then its outcome).
    private mutating func mark(_ kind: Timeline.MarkKind, row index: Int, at: Duration) {
        guard rows[index].marks.last?.kind != kind else { return }
        rows[index].marks.append(Timeline.Mark(kind, at: at))
    }

    /// A phase's segment from `from` to `to`; a drain that ends before `to` is followed by stopping.
    private static func segments(_ phase: Timeline.Phase, from: Duration, to: Duration, drainEnds: Duration?)
        -> [Timeline.Segment]
    {
        guard phase == .draining, let drainEnds, drainEnds < to else {
            return [Timeline.Segment(phase, from: from, to: to)]
        }
        return [
            Timeline.Segment(.draining, from: from, to: drainEnds),
            Timeline.Segment(.stopping, from: drainEnds, to: to),
        ]
    }
}
