import Foundation
import QuiesceCore

/// How an agent is run: `quiesce agent --name NAME --coordinator ENDPOINT -- COMMAND ...`.
public struct AgentOptions: Sendable {
    /// The service name to register as.
    public var name: String
    public var coordinator: String
    public var command: [String]
    /// Sent to the process group on a stop order.
    public var stopSignal: Int32 = SIGTERM
    /// Used when the agent stops its service on its own (its own SIGTERM) without an order.
    public var localStopTimeout: Duration = .seconds(10)
    /// How often to repeat a registration that has not been answered.
    public var registrationRetry: Duration = .seconds(1)
    /// How often to repeat a final report that has not been acknowledged, and for how long.
    public var reportRetry: Duration = .milliseconds(500)
    public var reportPatience: Duration = .seconds(5)

    public init(name: String, coordinator: String, command: [String]) {
        self.name = name
        self.coordinator = coordinator
        self.command = command
    }
}

/// The agent's documented exit codes, beyond the child's own status.
public enum AgentExitCode {
    /// The coordinator refused the registration (unknown or duplicate name).
    public static let refused: Int32 = 78
    /// The service's command could not be started.
    public static let spawnFailed: Int32 = 127
    /// The service was killed with SIGKILL (after its stop timeout or on a kill order): 128 + 9.
    public static let killed: Int32 = 137
}
