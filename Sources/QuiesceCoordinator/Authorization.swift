import QuiesceWire

/// Who may send what to the coordinator: the rules as data, in one place.
///
/// A connection's identity is the User-Id its CURVE handshake was given by the ZAP handler
/// (`agent:SERVICE`, `admin:NAME` or `reader:NAME`, see ``Authenticator``), or ``localAdmin`` for
/// every peer of the admin plane. Without a `security:` block every peer of the main socket is
/// trusted: the coordinator then listens on an `ipc://` socket only its user can reach, or was told
/// `--insecure` (`PlainConnection` in QuiesceRuntime).
struct Authorization {
    /// The identity of every peer of the admin plane (`coordinator.admin_bind`), with or without security.
    static let localAdmin = "admin:local"

    /// Who may send a message.
    enum Senders: Hashable {
        /// The agent of one service only: `agent:SERVICE`.
        case agent(of: String)
        /// Admins: `admin:NAME`, and ``Authorization/localAdmin``.
        case admins
        /// Admins and readers (`reader:NAME`).
        case adminsAndReaders
        /// Any peer, whatever its identity or its lack of one: the codec and the state machine judge the rest.
        case anyone

        /// Whether `identity` is one of these senders.
        func include(_ identity: String) -> Bool {
            switch self {
            case .agent(let service): identity == "agent:\(service)"
            case .admins: identity.hasPrefix("admin:")
            case .adminsAndReaders: identity.hasPrefix("admin:") || identity.hasPrefix("reader:")
            case .anyone: true
            }
        }
    }

    /// Who may send a message, and what anyone else who sends it is told.
    struct Rule: Equatable {
        var senders: Senders
        /// The answer to a refused sender; `nil` when it is told nothing.
        var refusal: Message?
    }

    /// The rule for `message`. `agent` is the service whose connected agent registered the connection
    /// the message came on (see ``AgentRegistry/connectedAgent(at:stamped:currentEpoch:isConnected:)``):
    /// whatever such a connection sends, only that agent may send it.
    static func rule(for message: Message, fromAgentOf agent: String?) -> Rule {
        if case .register(let service, _, _, _, _) = message {
            return Rule(
                senders: .agent(of: service),
                refusal: .refused(reason: "this key may not be the agent of service \"\(service)\""))
        }
        if let agent {
            return Rule(senders: .agent(of: agent), refusal: nil)
        }
        switch message {
        case .statusRequest, .eventsRequest:
            return Rule(senders: .adminsAndReaders, refusal: .error(notAllowed))
        case .shutdownRequest, .operationRequest:
            return Rule(senders: .admins, refusal: .error(notAllowed))
        default:
            return Rule(senders: .anyone, refusal: nil)
        }
    }

    /// What a refused admin or reader request is answered.
    private static let notAllowed = "not allowed for this key"

    /// The identities whose keys are allowed now; `nil` without a `security:` block. A key revoked by a
    /// reload takes its identity out of this set, so that its open connections are refused from then on.
    var allowedIdentities: Set<String>?

    /// Whether a peer of `identity` (`nil`: the connection has none) may send what `senders` may send.
    func permits(_ identity: String?, as senders: Senders) -> Bool {
        if senders == .anyone { return true }
        if identity == Self.localAdmin { return senders.include(Self.localAdmin) }
        guard let allowedIdentities else { return true }
        guard let identity, allowedIdentities.contains(identity) else { return false }
        return senders.include(identity)
    }
}
