/// Which ZeroMQ routing id speaks for which service. The newest registration of a service wins.
struct AgentRegistry {
    private var routingIDByService: [String: [UInt8]] = [:]
    private var serviceByRoutingID: [[UInt8]: String] = [:]

    /// Makes `routingID` the connection of `service`'s agent; its previous connection no longer speaks for it.
    mutating func bind(_ service: String, to routingID: [UInt8]) {
        if let old = routingIDByService[service] { serviceByRoutingID[old] = nil }
        routingIDByService[service] = routingID
        serviceByRoutingID[routingID] = service
    }

    /// The service whose agent registered on `routingID` last, if any.
    func service(for routingID: [UInt8]) -> String? { serviceByRoutingID[routingID] }

    /// The connection of the newest registration of `service`, if any.
    func routingID(for service: String) -> [UInt8]? { routingIDByService[service] }

    /// The service whose connected agent speaks on `routingID`, for a message stamped `epoch`: `nil`
    /// when no agent registered on that connection, when that agent is no longer connected
    /// (`isConnected` says, for a service), or when the message is stamped for another start of the
    /// coordinator than `currentEpoch`. A message with no epoch (sent before a welcome) is not fenced.
    func connectedAgent(
        at routingID: [UInt8], stamped epoch: UInt64?, currentEpoch: UInt64, isConnected: (String) -> Bool
    ) -> String? {
        guard let service = service(for: routingID), isConnected(service), epoch.map({ $0 == currentEpoch }) ?? true
        else { return nil }
        return service
    }
}
