import QuiesceCore

/// Which ZeroMQ routing id speaks for which instance of a service. The newest registration of an
/// instance wins.
struct AgentRegistry {
    private var routingIDByInstance: [InstanceID: [UInt8]] = [:]
    private var instanceByRoutingID: [[UInt8]: InstanceID] = [:]

    /// Makes `routingID` the connection of instance `id`'s agent; its previous connection no longer
    /// speaks for it.
    mutating func bind(_ id: InstanceID, to routingID: [UInt8]) {
        if let old = routingIDByInstance[id] { instanceByRoutingID[old] = nil }
        routingIDByInstance[id] = routingID
        instanceByRoutingID[routingID] = id
    }

    /// The instance whose agent registered on `routingID` last, if any.
    func instance(for routingID: [UInt8]) -> InstanceID? { instanceByRoutingID[routingID] }

    /// The connection of every instance's newest registration.
    var routingIDs: [[UInt8]] { Array(routingIDByInstance.values) }

    /// The connection of the newest registration of instance `id`, if any.
    func routingID(for id: InstanceID) -> [UInt8]? { routingIDByInstance[id] }

    /// The instance whose connected agent speaks on `routingID`, for a message stamped `epoch`: `nil`
    /// when no agent registered on that connection, when that agent is no longer connected
    /// (`isConnected` says, for an instance), or when the message is stamped for another start of
    /// the coordinator than `currentEpoch`. A message with no epoch (sent before a welcome) is not
    /// fenced.
    func connectedAgent(
        at routingID: [UInt8], stamped epoch: UInt64?, currentEpoch: UInt64, isConnected: (InstanceID) -> Bool
    ) -> InstanceID? {
        guard let id = instance(for: routingID), isConnected(id), epoch.map({ $0 == currentEpoch }) ?? true
        else { return nil }
        return id
    }
}
