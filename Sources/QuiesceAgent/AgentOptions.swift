import QuiesceCore
import ZeroMQ

/// How an agent is run: `quiesce agent --name NAME --coordinator ENDPOINT[,ENDPOINT...] -- COMMAND ...`.
public struct AgentOptions: Sendable {
    /// The service name to register as.
    public var name: String
    /// Which instance of the service this agent is, unique among the service's agents (``InstanceID``).
    public var instance: String
    /// The coordinators' endpoints, at least one: a leader and its standbys, of which the agent obeys
    /// the one that welcomed it with the highest epoch (``LeaderFollowing``).
    public var coordinators: [String]
    public var command: [String]
    public var settings = AgentStateMachine.Settings()
    /// This agent's keys and each coordinator's public key, by the position of its endpoint in
    /// ``coordinators``, for CURVE connections; plain when `nil`.
    public var curve: (keys: CurveKeyPair, serverKeys: [String])?
    /// Where to serve `/healthz` and `/readyz`; not served when `nil`.
    public var health: (host: String, port: Int)?

    public init(name: String, instance: String, coordinators: [String], command: [String]) {
        precondition(!coordinators.isEmpty, "an agent has at least one coordinator")
        self.name = name
        self.instance = instance
        self.coordinators = coordinators
        self.command = command
    }

    /// The keys of the connection to the coordinator at position `index`, or `nil` for a plain one.
    func credentials(ofCoordinator index: Int) -> (keys: CurveKeyPair, serverKey: String)? {
        curve.map { ($0.keys, $0.serverKeys[index]) }
    }
}
