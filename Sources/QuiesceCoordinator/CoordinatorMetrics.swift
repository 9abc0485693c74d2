import CoreMetrics
import Prometheus
import QuiesceCore

/// The coordinator's Prometheus metrics: swift-metrics instruments made by swift-prometheus's factory
/// into a registry of their own, fed from the event stream and, once a second, from the services'
/// states. Labels are bounded: service names come from the configuration, outcomes, states, runs,
/// orders and rejection reasons from fixed lists; no label holds an instance id or a peer address.
final class CoordinatorMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory

    /// Buckets for stops, starts, waves and runs: from 10 ms to the longest timeouts a fleet sets.
    static let durationBuckets: [Duration] = [
        .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(20), .seconds(30), .seconds(60),
        .seconds(120), .seconds(300),
    ]

    /// Buckets for heartbeat round trips: from 100 µs (loopback) to 5 s (a congested link).
    static let roundTripBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
    ]

    init(services: [String]) {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Self.durationBuckets
        factory.durationHistogramBuckets["quiesce_heartbeat_round_trip_seconds"] = Self.roundTripBuckets
        self.factory = factory
        // Every series a scrape should find from the start, at 0.
        for reason in CoordinatorEvent.Rejection.allCases { _ = rejections(reason) }
        for order in ["start", "stop", "kill"] {
            _ = CoreMetrics.Counter(label: "quiesce_orders_total", dimensions: [("order", order)], factory: factory)
        }
        for name in [
            "quiesce_orders_retransmitted_total", "quiesce_agents_lost_total", "quiesce_registrations_total",
            "quiesce_event_subscribers_dropped_total",
        ] {
            _ = CoreMetrics.Counter(label: name, factory: factory)
        }
        _ = CoreMetrics.Gauge(label: "quiesce_agents_connected", factory: factory)
        _ = CoreMetrics.Timer(label: "quiesce_heartbeat_round_trip_seconds", factory: factory)
        for service in services {
            for state in ServiceState.allCases {
                _ = CoreMetrics.Gauge(
                    label: "quiesce_instances", dimensions: [("service", service), ("state", Self.label(state))],
                    factory: factory)
            }
        }
    }

    /// Counts and times what `event` tells.
    func record(_ event: CoordinatorEvent) {
        switch event.kind {
        case .agentRegistered:
            CoreMetrics.Counter(label: "quiesce_registrations_total", factory: factory).increment()
        case .agentLost:
            CoreMetrics.Counter(label: "quiesce_agents_lost_total", factory: factory).increment()
        case .ordered(let order, _, _, _):
            CoreMetrics.Counter(
                label: "quiesce_orders_total", dimensions: [("order", order.rawValue)], factory: factory
            ).increment()
        case .orderRetransmitted:
            CoreMetrics.Counter(label: "quiesce_orders_retransmitted_total", factory: factory).increment()
        case .serviceStopped(let service, let outcome, let after):
            time(
                "quiesce_stop_duration_seconds", after ?? .zero,
                [("service", service), ("outcome", outcome.code)])
        case .serviceReady(let service, let after?):
            time("quiesce_start_duration_seconds", after, [("service", service)])
        case .heartbeatRoundTrip(_, let after):
            time("quiesce_heartbeat_round_trip_seconds", after, [])
        case .waveEnded(let run, _, let after):
            time("quiesce_wave_duration_seconds", after, [("run", run.rawValue)])
        case .runEnded(let run, nil, let after, let result, _):
            time("quiesce_\(run.rawValue)_duration_seconds", after, [])
            CoreMetrics.Counter(
                label: "quiesce_\(run.rawValue)s_total", dimensions: [("result", result)], factory: factory
            )
            .increment()
        default:
            break
        }
    }

    /// A rejection counter grew by `count`.
    func rejected(_ reason: CoordinatorEvent.Rejection, count: Int) {
        rejections(reason).increment(by: count)
    }

    /// A subscriber of `quiesce events` was dropped for reading too slowly.
    func subscriberDropped() {
        CoreMetrics.Counter(label: "quiesce_event_subscribers_dropped_total", factory: factory).increment()
    }

    /// The instances of each service in each state, and the connected agents.
    func refresh(_ status: [ServiceStatus]) {
        var connected = 0
        for service in status {
            var counts: [ServiceState: Int] = [:]
            for instance in service.instances {
                counts[instance.state, default: 0] += 1
                if instance.connected { connected += 1 }
            }
            for state in ServiceState.allCases {
                CoreMetrics.Gauge(
                    label: "quiesce_instances",
                    dimensions: [("service", service.service), ("state", Self.label(state))], factory: factory
                )
                .record(counts[state] ?? 0)
            }
        }
        CoreMetrics.Gauge(label: "quiesce_agents_connected", factory: factory).record(connected)
    }

    /// A state as a label value: `timed_out`, as outcome codes are written.
    static func label(_ state: ServiceState) -> String {
        String(state.rawValue.map { $0 == " " ? "_" : $0 })
    }

    private func rejections(_ reason: CoordinatorEvent.Rejection) -> CoreMetrics.Counter {
        CoreMetrics.Counter(
            label: "quiesce_rejections_total", dimensions: [("reason", reason.rawValue)], factory: factory)
    }

    private func time(_ label: String, _ duration: Duration, _ dimensions: [(String, String)]) {
        let (seconds, attoseconds) = duration.components
        CoreMetrics.Timer(label: label, dimensions: dimensions, factory: factory)
            .recordNanoseconds(max(seconds * 1_000_000_000 + attoseconds / 1_000_000_000, 0))
    }
}
