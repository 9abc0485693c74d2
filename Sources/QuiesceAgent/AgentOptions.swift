import QuiesceCore
import ZeroMQ

/// How an agent is run: `quiesce agent --name NAME --coordinator ENDPOINT -- COMMAND ...`.
public struct AgentOptions: Sendable {
    /// The service name to register as.
    public var name: String
    /// Which instance of the service this agent is, unique among the service's agents (``InstanceID``).
    public var instance: String
    public var coordinator: String
    public var command: [String]
    public var settings = AgentStateMachine.Settings()
    /// This agent's keys and the coordinator's public key, for a CURVE connection; plain when `nil`.
    public var curve: (keys: CurveKeyPair, serverKey: String)?
    /// Where to serve `/healthz` and `/readyz`; not served when `nil`.
    public var health: (host: String, port: Int)?

    public init(name: String, instance: String, coordinator: String, command: [String]) {
        self.name = name
        self.instance = instance
        self.coordinator = coordinator
        self.command = command
    }
}
