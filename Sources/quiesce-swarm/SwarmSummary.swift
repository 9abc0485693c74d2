import Foundation

/// The figures of one swarm run against one server (the coordinator, or the floor), merged from the
/// records of every swarm process that took part.
struct SwarmSummary {
    /// One wave over every process.
    struct Wave {
        var size = 0
        var answered = 0
        var acknowledged = 0
        var firstOrder: UInt64?
        var lastAnswer: UInt64?
        var lastAcknowledgement: UInt64?
    }

    var agents = 0
    var registered = 0
    var refused = 0
    var repeatedOrders = 0
    var complete = true
    /// From the first connection to the last welcome, in seconds; `nil` unless every agent was welcomed.
    var registerAll: Double?
    var startupWaves: [Wave] = []
    var shutdownWaves: [Wave] = []

    init(merging records: [SwarmRecord]) {
        let began = records.map(\.began).min() ?? 0
        for record in records {
            agents += record.agents
            registered += record.registered
            refused += record.refused
            repeatedOrders += record.repeatedOrders
            complete = complete && record.complete
            startupWaves = Self.merge(startupWaves, record.startupWaves)
            shutdownWaves = Self.merge(shutdownWaves, record.shutdownWaves)
        }
        if registered == agents, let last = records.compactMap(\.lastWelcome).max() {
            registerAll = Double(last - began) / 1e9
        }
        complete = complete && !records.isEmpty && waveTimes.count == startupWaves.count + shutdownWaves.count
    }

    private static func merge(_ merged: [Wave], _ waves: [SwarmRecord.Wave]) -> [Wave] {
        waves.enumerated().map { index, wave in
            var sum = index < merged.count ? merged[index] : Wave()
            sum.size += wave.size
            sum.answered += wave.answered
            sum.firstOrder = [sum.firstOrder, wave.firstOrder].compactMap { $0 }.min()
            sum.lastAnswer = [sum.lastAnswer, wave.lastAnswer].compactMap { $0 }.max()
            sum.acknowledged += wave.acknowledged
            sum.lastAcknowledgement = [sum.lastAcknowledgement, wave.lastAcknowledgement].compactMap { $0 }.max()
            return sum
        }
    }

    /// Each startup wave's time, from its first order's arrival to the moment the server had handled
    /// its last answer: the next wave's first order, or, for the last wave, which nothing follows, its
    /// last answer. `nil` for a wave not answered in full.
    var startupTimes: [Double?] {
        startupWaves.indices.map { index in
            let wave = startupWaves[index]
            let next = index + 1 < startupWaves.count ? startupWaves[index + 1].firstOrder : wave.lastAnswer
            guard wave.answered == wave.size, let first = wave.firstOrder, let end = next else { return nil }
            return Self.milliseconds(from: first, to: end)
        }
    }

    /// Each shutdown wave's time, from its first order's arrival to the arrival of the last
    /// acknowledgement of its answers (the server had handled them). A coordinator that has finished
    /// closes its connections 50 ms after its last acknowledgement, and an agent's socket discards
    /// what it has not read by then: of the last wave, the acknowledgements that arrived count.
    var shutdownTimes: [Double?] {
        shutdownWaves.map { wave in
            guard wave.answered == wave.size, wave.acknowledged > 0, let first = wave.firstOrder,
                let end = [wave.lastAnswer, wave.lastAcknowledgement].compactMap({ $0 }).max()
            else { return nil }
            return Self.milliseconds(from: first, to: end)
        }
    }

    /// The time of every wave that was answered in full, startup waves then shutdown waves.
    var waveTimes: [Double] { (startupTimes + shutdownTimes).compactMap { $0 } }

    private static func milliseconds(from start: UInt64, to end: UInt64) -> Double {
        Double(end - min(start, end)) / 1e6
    }

    /// From the last answer of a wave to the first order of the next, within each phase: the
    /// server's reaction, which the wave times leave out.
    var handoffs: [Double] {
        [startupWaves, shutdownWaves].flatMap { waves in
            zip(waves, waves.dropFirst()).compactMap { previous, next in
                guard let last = previous.lastAnswer, let first = next.firstOrder else { return nil }
                return Double(first - min(first, last)) / 1e6
            }
        }
    }

    /// Whether every wave, within each phase, was ordered only after every agent of the wave before
    /// it had answered: no instance of a wave's services is ordered before every instance of the
    /// services the wave before holds has answered. (An answer is recorded when sent, an order when it
    /// arrives: a coordinator that waited cannot fail this.) `false` when a wave was not answered.
    var wavesInOrder: Bool {
        [startupWaves, shutdownWaves].allSatisfy { waves in
            zip(waves, waves.dropFirst()).allSatisfy { previous, next in
                guard previous.answered == previous.size, let last = previous.lastAnswer else { return false }
                return next.firstOrder.map { $0 >= last } ?? (next.size == 0)
            }
        }
    }

    /// The nearest-rank `fraction` percentile of `values`.
    static func percentile(_ fraction: Double, of values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted[max(0, Int((fraction * Double(sorted.count)).rounded(.up)) - 1)]
    }

    /// Lines for people: registration, then each phase's waves.
    func lines(title: String) -> [String] {
        func text(_ value: Double?, _ unit: String = "ms") -> String {
            value.map { String(format: "%.1f %@", $0, unit) } ?? "n/a"
        }
        func list(_ times: [Double?]) -> String {
            times.map { text($0) }.joined(separator: ", ")
        }
        return [
            "\(title): \(registered)/\(agents) agents registered in \(text(registerAll, "s"))"
                + (refused > 0 ? ", \(refused) refused" : "") + (complete ? "" : " (INCOMPLETE)"),
            "  waves, fan-out to last answer, over all \(waveTimes.count) waves: p50 \(text(Self.percentile(0.5, of: waveTimes)))"
                + ", p99 \(text(Self.percentile(0.99, of: waveTimes))), max \(text(waveTimes.max()))",
            "  startup waves: \(list(startupTimes))",
            "  shutdown waves: \(list(shutdownTimes))",
            "  last answer to next wave's first order: p99 \(text(Self.percentile(0.99, of: handoffs)))"
                + "; orders repeated: \(repeatedOrders)" + (wavesInOrder ? "" : "; A WAVE WAS ORDERED EARLY"),
        ]
    }
}
