/// A targeted stop, start or restart of one service, run while the rest of the fleet keeps running.
///
/// - `stop SERVICE` stops the service and everything that depends on it, in waves, as a shutdown would.
/// - `start SERVICE` starts it and whatever it needs that is not running, in waves, as a startup would.
/// - `restart SERVICE` stops it and its dependents, then starts them all again.
/// - `restart SERVICE --rolling` restarts its instances a few at a time, each ready again before the
///   next goes, never leaving fewer than `min_ready` ready; its dependents keep running.
public struct Operation: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        case stop, start, restart
        case rollingRestart = "rolling_restart"
    }

    public var kind: Kind
    public var service: String
    /// Set when the service's own agent asked for the stop (it received SIGTERM): that agent exits
    /// once its service has stopped, while the agents of the dependents stay, ready to start again.
    public var requestedByAgent: Bool
    /// The instance whose agent asked, when one did: it alone of its service is stopped, after the
    /// dependents only if the other instances' ready ones would be fewer than `min_ready`.
    public var instance: String?
    /// For a rolling restart: how many instances may be restarting at once (at least 1).
    public var maxUnavailable: Int
    /// How its stop and start order the services, when the request chose; the coordinator's
    /// `scheduling` otherwise.
    public var scheduling: Scheduling?

    public init(
        kind: Kind, service: String, requestedByAgent: Bool = false, instance: String? = nil, maxUnavailable: Int = 1,
        scheduling: Scheduling? = nil
    ) {
        self.kind = kind
        self.service = service
        self.requestedByAgent = requestedByAgent
        self.instance = instance
        self.maxUnavailable = max(1, maxUnavailable)
        self.scheduling = scheduling
    }

    /// The operation as the command that asks for it reads: `stop api`, `restart db --rolling`,
    /// `restart db --rolling --max-unavailable 2`.
    public var commandText: String {
        switch kind {
        case .stop, .start, .restart: "\(kind.rawValue) \(service)"
        case .rollingRestart:
            "restart \(service) --rolling" + (maxUnavailable > 1 ? " --max-unavailable \(maxUnavailable)" : "")
        }
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
    /// A rolling restart's instances, each with its stop and its return.
    public var rolling: RollingRestartReport?

    public init(
        operation: Operation, stop: ShutdownReport? = nil, startFailure: StartupFailure? = nil,
        interrupted: Bool = false, rolling: RollingRestartReport? = nil
    ) {
        self.operation = operation
        self.stop = stop
        self.startFailure = startFailure
        self.interrupted = interrupted
        self.rolling = rolling
    }

    /// 0 when everything stopped cleanly and started; as the coordinator's codes otherwise. A rolling
    /// restart stopped by an instance that did not come back is a failed start.
    public var exitCode: Int32 {
        if interrupted { return CoordinatorExitCode.killedRemaining }
        if startFailure != nil || rolling?.failure != nil { return CoordinatorExitCode.startupFailed }
        return stop?.exitCode ?? CoordinatorExitCode.clean
    }
}

/// Why an operation was not begun.
public enum OperationRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    case unknownService(String, suggestion: String?)
    /// The fleet is starting, shutting down, or already running an operation.
    case busy(String)
    /// A rolling restart would take the service below `min_ready`: taking one instance down would
    /// leave `wouldLeave` ready.
    case belowMinReady(String, wouldLeave: Int, minReady: Int)
    /// A rolling restart of a service none of whose instances runs.
    case nothingToRestart(String)

    public var description: String {
        switch self {
        case .unknownService(let name, let suggestion):
            "service \"\(name)\" is not in the coordinator's configuration"
                + (suggestion.map(NameSuggestion.phrase(suggesting:)) ?? "")
        case .busy(let what):
            "the coordinator is busy (\(what)); try again when it is done"
        case .belowMinReady(let service, let wouldLeave, let minReady):
            "rolling restart of \(service) would leave \(wouldLeave) ready instance\(wouldLeave == 1 ? "" : "s"), "
                + "below min_ready \(minReady); scale \(service) up, lower min_ready, or restart without --rolling"
        case .nothingToRestart(let service):
            "no instance of \(service) is running, so there is nothing to restart one at a time; "
                + "start it with `quiesce start \(service)`"
        }
    }
}
