/// Which ZeroMQ routing id speaks for which service. The newest registration of a service wins.
struct AgentRegistry {
    private var routingIDByService: [String: [UInt8]] = [:]
    private var serviceByRoutingID: [[UInt8]: String] = [:]

    mutating func bind(_ service: String, to routingID: [UInt8]) {
        if let old = routingIDByService[service] { serviceByRoutingID[old] = nil }
        routingIDByService[service] = routingID
        serviceByRoutingID[routingID] = service
    }

    func service(for routingID: [UInt8]) -> String? { serviceByRoutingID[routingID] }

    func routingID(for service: String) -> [UInt8]? { routingIDByService[service] }
}
