import QuiesceCore

/// In these tests a string literal names an instance: `"api/b"` is instance `b` of `api`, and a
/// plain `"api"` the one instance of `api` the fixtures register, from host `host-api` (an agent that
/// names no instance is the instance its host names).
extension InstanceID: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        let parts = value.split(separator: "/", maxSplits: 1).map(String.init)
        self.init(service: parts[0], instance: parts.count == 2 ? parts[1] : "host-\(parts[0])")
    }
}

extension InstanceID {
    /// The one instance of `service` the fixtures register, from host `host-SERVICE`.
    static func only(_ service: String) -> InstanceID {
        InstanceID(stringLiteral: service)
    }
}

/// The seed fleet's services have one instance each: their status is that instance's.
extension ServiceStatus {
    private var only: InstanceStatus? { instances.count == 1 ? instances[0] : nil }
    var connected: Bool { only?.connected ?? false }
    var suspect: Bool { only?.suspect ?? false }
    var host: String? { only?.host }
    var pid: Int32? { only?.pid }
    var uptime: Duration? { only?.uptime }
    var sinceLastChange: Duration? { only?.sinceLastChange }
    var detail: String? { only?.detail }
}

extension ShutdownReport.Entry {
    /// The report line of a service of one instance, `host-SERVICE`, which has the service's outcome.
    static func only(service: String, wave: Int, outcome: ShutdownOutcome, duration: Duration?) -> Self {
        Self(
            service: service, wave: wave, outcome: outcome, duration: duration,
            instances: [.init(instance: "host-\(service)", outcome: outcome, duration: duration)])
    }
}
