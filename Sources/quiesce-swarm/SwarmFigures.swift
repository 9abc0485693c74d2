import Foundation

/// The one-line JSON of a swarm run: the coordinator's figures beside the floor's.
struct SwarmFigures {
    var coordinator: SwarmSummary
    var floor: SwarmSummary?
    var cpuSeconds: Double?
    var peakRSSKB: Double?
    var floorPeakRSSKB: Double?

    var json: String {
        let times = coordinator.waveTimes
        let floorTimes = floor?.waveTimes ?? []
        let fields: [(String, Any?)] = [
            ("agents", coordinator.agents),
            ("registered", coordinator.registered),
            ("complete", coordinator.complete && (floor?.complete ?? true)),
            ("waves_in_order", coordinator.wavesInOrder),
            ("register_all_s", coordinator.registerAll.map(Self.rounded)),
            ("wave_p50_ms", SwarmSummary.percentile(0.5, of: times).map(Self.rounded)),
            ("wave_p99_ms", SwarmSummary.percentile(0.99, of: times).map(Self.rounded)),
            ("wave_max_ms", times.max().map(Self.rounded)),
            ("handoff_p99_ms", SwarmSummary.percentile(0.99, of: coordinator.handoffs).map(Self.rounded)),
            ("repeated_orders", coordinator.repeatedOrders),
            ("floor_register_all_s", floor?.registerAll.map(Self.rounded)),
            ("floor_p50_ms", SwarmSummary.percentile(0.5, of: floorTimes).map(Self.rounded)),
            ("floor_p99_ms", SwarmSummary.percentile(0.99, of: floorTimes).map(Self.rounded)),
            ("coordinator_cpu_s", cpuSeconds.map(Self.rounded)),
            ("coordinator_rss_mb", peakRSSKB.map { Self.rounded($0 / 1024) }),
            ("floor_rss_mb", floorPeakRSSKB.map { Self.rounded($0 / 1024) }),
        ]
        return "{"
            + fields.map { key, value in
                "\"\(key)\": " + (value.map { "\($0)" } ?? "null")
            }.joined(separator: ", ") + "}"
    }

    private static func rounded(_ value: Double) -> Double {
        (value * 1000).rounded() / 1000
    }
}
