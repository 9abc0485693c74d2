/// Whether the agent knows that its coordinator is the real one, and so what a start order may ask of
/// it.
///
/// A plain connection reaches whoever listens at the coordinator's endpoint: a local user who binds
/// that port first is, to a plain agent, the coordinator. Only a CURVE connection, on which the
/// coordinator proves that it holds the secret of the agent's `--server-key`, authenticates it.
public enum CoordinatorTrust: Hashable, Sendable {
    /// CURVE with the coordinator's public key: the coordinator proved who it is.
    case authenticated
    /// Plain: the peer may be anyone who could listen at the endpoint.
    case unauthenticated

    /// Why the agent does not run `probe`, sent with a start order by a coordinator of this trust;
    /// `nil` when it may run it.
    ///
    /// An unauthenticated coordinator may ask for TCP checks only, which open and close a connection
    /// and send nothing: an `exec` check is a shell command, and an `http` check a request to any
    /// URL from where the agent stands.
    public func refusal(of probe: ReadinessProbe) -> ProbeRefusal? {
        switch (self, probe.check) {
        case (.authenticated, _), (.unauthenticated, .tcp): nil
        case (.unauthenticated, .http): ProbeRefusal(kind: .http)
        case (.unauthenticated, .exec): ProbeRefusal(kind: .exec)
        }
    }
}

/// A readiness check the agent will not run on an unauthenticated coordinator's word; its description
/// is the reason the agent gives the coordinator with `start_failed`, and names the fixes.
public struct ProbeRefusal: Hashable, Sendable, CustomStringConvertible {
    /// The kind of check refused.
    public var kind: ReadinessProbe.Check.Kind

    public var description: String {
        "the agent does not run an \(kind) readiness check sent by a coordinator it has not authenticated; "
            + "give the check to the agent with --ready-\(kind), or connect it with --key and --server-key"
    }
}
