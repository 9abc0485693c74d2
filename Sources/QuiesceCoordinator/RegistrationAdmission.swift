import QuiesceCore

/// The coordinator's rules for an agent's registration before and after its state machine judges it:
/// a rate limit, the answer to a registration repeated on the connection that made it, and when to
/// probe the connection a service registered on before, so that an agent that came back on a new
/// connection is let in once the old one is found closed.
///
/// It does no I/O and reads no clock: the runtime gives it the time and carries out what it decides.
struct RegistrationAdmission {
    /// Registrations handled per second at most; past it they are dropped, counted and logged.
    static let registrationsPerSecond = 100

    /// What to do with a registration that was allowed to be sent.
    enum Decision: Equatable {
        /// Over the rate limit: drop it unanswered, count it and log it.
        case rateLimited
        /// A registration retransmitted by the agent already registered on the same connection (the
        /// welcome was lost or late): welcome it again, and tell the state machine nothing.
        case welcomeAgain
        /// A registration for the state machine to judge.
        case register
    }

    /// The second of monotonic time being counted, and how many registrations arrived in it.
    private var window: (second: Int64, count: Int) = (0, 0)

    /// A registration of `service` arrived on `routingID` at `now`. `isConnected` tells whether the
    /// state machine has `service`'s agent connected; `registry` which connection it registered on.
    /// Every registration counts towards the limit, repeated ones too.
    mutating func registrationReceived(
        of service: String, on routingID: [UInt8], registry: AgentRegistry, isConnected: Bool, now: Timestamp
    ) -> Decision {
        let second = now.sinceOrigin.components.seconds
        window = window.second == second ? (second, window.count + 1) : (second, 1)
        guard window.count <= Self.registrationsPerSecond else { return .rateLimited }
        if registry.service(for: routingID) == service, isConnected { return .welcomeAgain }
        return .register
    }

    /// The state machine refused a registration of `service` on `routingID`. When it did so because an
    /// agent of `service` is connected already, on another connection, that connection may have closed
    /// without the coordinator noticing yet (its agent restarted or reconnected): the answer is that
    /// connection, to probe with a heartbeat. If the heartbeat cannot be routed, the runtime reports the
    /// connection closed and asks the state machine again. `nil`: the refusal stands.
    static func connectionToProbe(
        after refusal: CoordinatorStateMachine.RegistrationRefusal, of service: String, on routingID: [UInt8],
        registry: AgentRegistry
    ) -> [UInt8]? {
        guard case .alreadyConnected = refusal, let previous = registry.routingID(for: service), previous != routingID
        else { return nil }
        return previous
    }
}
