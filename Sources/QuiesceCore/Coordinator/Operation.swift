/// A targeted stop, start or restart of one service, run while the rest of the fleet keeps running.
///
/// - `stop SERVICE` stops the service and everything that depends on it, in waves, as a shutdown would.
/// - `start SERVICE` starts it and whatever it needs that is not running, in waves, as a startup would.
/// - `restart SERVICE` stops it and its dependents, then starts them all again.
public struct Operation: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        case stop, start, restart
    }

    public var kind: Kind
    public var service: String
    /// Set when the service's own agent asked for the stop (it received SIGTERM): that agent exits
    /// once its service has stopped, while the agents of the dependents stay, ready to start again.
    public var requestedByAgent: Bool
    /// The instance whose agent asked, when one did: it alone of its service is stopped, after the
    /// dependents only if the other instances' ready ones would be fewer than `min_ready`.
    public var instance: String?

    public init(kind: Kind, service: String, requestedByAgent: Bool = false, instance: String? = nil) {
        self.kind = kind
        self.service = service
        self.requestedByAgent = requestedByAgent
        self.instance = instance
    }

    /// The one instance the operation is about, when an agent asked for it.
    public var instanceID: InstanceID? {
        instance.map { InstanceID(service: service, instance: $0) }
    }
}

/// How a targeted operation ended.
public struct OperationReport: Equatable, Sendable {
    public var operation: Operation
    /// The stop step's report (stop and restart).
    public var stop: ShutdownReport?
    /// Set when the start step failed (start and restart).
    public var startFailure: StartupFailure?
    /// Set when a full shutdown began before the operation ended.
    public var interrupted: Bool

    public init(
        operation: Operation, stop: ShutdownReport? = nil, startFailure: StartupFailure? = nil,
        interrupted: Bool = false
    ) {
        self.operation = operation
        self.stop = stop
        self.startFailure = startFailure
        self.interrupted = interrupted
    }

    /// 0 when everything stopped cleanly and started; as the coordinator's codes otherwise.
    public var exitCode: Int32 {
        if interrupted { return CoordinatorExitCode.killedRemaining }
        if startFailure != nil { return CoordinatorExitCode.startupFailed }
        return stop?.exitCode ?? CoordinatorExitCode.clean
    }
}

/// Why an operation was not begun.
public enum OperationRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    case unknownService(String, suggestion: String?)
    /// The fleet is starting, shutting down, or already running an operation.
    case busy(String)

    public var description: String {
        switch self {
        case .unknownService(let name, let suggestion):
            "service \"\(name)\" is not in the coordinator's configuration"
                + (suggestion.map(NameSuggestion.phrase(suggesting:)) ?? "")
        case .busy(let what):
            "the coordinator is busy (\(what)); try again when it is done"
        }
    }
}
