/// Why a command got no answer from the coordinator, told from what its connection saw, and what to
/// try: nothing listening, plain against a secured coordinator (or the reverse), a server key that is
/// not the coordinator's, a key the coordinator does not know, or a coordinator that went silent.
public struct NoAnswerDiagnosis: Sendable, Equatable {
    /// What the command's connection saw, in the order it saw it.
    public enum Observation: Sendable, Equatable {
        /// Nothing accepted the connection; the socket tries again.
        case connectionRefused
        /// The connection was made; the handshake begins.
        case connected
        /// One side uses CURVE and the other does not.
        case mechanismMismatch
        /// The coordinator's ZAP handler refused the command's key.
        case keyRefused
        /// Any other failed handshake: for a CURVE client, a server that could not read its greeting.
        case handshakeFailed
        /// The handshake completed.
        case handshakeSucceeded
        /// The coordinator answered the request.
        case answered
    }

    private var refused = false
    private var connected = false
    private var mismatch = false
    private var keyRefused = false
    private var handshakeFailed = false
    private var handshakeSucceeded = false
    private var answered = false

    public init() {}

    /// Records what the connection saw.
    public mutating func observe(_ observation: Observation) {
        switch observation {
        case .connectionRefused: refused = true
        case .connected: connected = true
        case .mechanismMismatch: mismatch = true
        case .keyRefused: keyRefused = true
        case .handshakeFailed: handshakeFailed = true
        case .handshakeSucceeded: handshakeSucceeded = true
        case .answered: answered = true
        }
    }

    /// The message for a command that waited `timeout` for `endpoint` in vain. Silence after an answer
    /// is a coordinator that went silent, not one that never answered.
    /// - Parameter secured: whether the command connected with CURVE keys.
    public func explanation(endpoint: String, secured: Bool, timeout: Duration) -> String {
        let wait = timeout.configurationText
        if answered {
            return "the coordinator at \(endpoint) went silent for \(wait)"
        }
        let unanswered = "no answer from \(endpoint) within \(wait)"
        if keyRefused {
            return "\(unanswered): the coordinator refused this key; give the admin key of its fleet "
                + "(--keys DIR, or --key DIR/admin.key_secret), or a key its security: block lists"
        }
        if mismatch {
            return secured
                ? "\(unanswered): it listens without keys, and this command uses keys; "
                    + "drop --keys/--key/--server-key and add --insecure, or give the coordinator its keys"
                : "\(unanswered): it is secured with CURVE keys and this command has none; "
                    + "give --keys DIR (from quiesce keygen --fleet) or --key FILE --server-key KEY"
        }
        if handshakeFailed && !handshakeSucceeded {
            return secured
                ? "\(unanswered): the handshake failed, so --server-key is probably not the coordinator's "
                    + "public key; give its coordinator.key (or --keys DIR of its fleet)"
                : "\(unanswered): the handshake failed, so it is probably secured with CURVE keys and this "
                    + "command has none; give --keys DIR (from quiesce keygen --fleet) or --key FILE --server-key KEY "
                    + "(else it is no Quiesce coordinator)"
        }
        if handshakeSucceeded {
            return "\(unanswered): the connection was made but nothing answered; "
                + "is this a Quiesce coordinator, and is it overloaded? Try a longer --timeout"
        }
        if refused && !connected {
            return "\(unanswered): nothing listens there; is the coordinator running, "
                + "and is this the endpoint it binds (coordinator.bind, --bind)?"
        }
        return "\(unanswered): no connection could be made; check the host, the port and any firewall between"
    }
}
