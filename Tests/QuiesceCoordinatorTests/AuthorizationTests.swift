import QuiesceCore
import QuiesceWire
import Testing

@testable import QuiesceCoordinator

@Suite("Authorization")
struct AuthorizationTests {
    private static let register = Message.register(service: "api", host: "web-1", agentPID: 7, snapshot: .idle)
    private static let notAllowed = Message.error("not allowed for this key")

    // MARK: The rules

    @Test("Only the agent of a service may register as it, and anyone else is told so")
    func registerRule() {
        let rule = Authorization.Rule(
            senders: .agent(of: "api"), refusal: .refused(reason: "this key may not be the agent of service \"api\""))
        #expect(Authorization.rule(for: Self.register, fromAgentOf: nil) == rule)
        // A registration is judged by the service it names, whatever connection it came on.
        #expect(Authorization.rule(for: Self.register, fromAgentOf: "database") == rule)
    }

    @Test(
        "Whatever a connected agent's connection sends, only that agent may send it, and a refusal is not answered",
        arguments: [
            Message.heartbeat, .started(pid: 42), .ready, .stopRequest, .stopped(.stopped(.exited(0))),
            .statusRequest, .shutdownRequest(), .operationRequest(.restart, service: "api"), .eventsRequest,
        ])
    func agentConnectionRule(message: Message) {
        #expect(
            Authorization.rule(for: message, fromAgentOf: "api")
                == Authorization.Rule(senders: .agent(of: "api"), refusal: nil))
    }

    @Test("Admins and readers may ask for the status and the events; only admins for a shutdown or an operation")
    func operatorRules() {
        #expect(
            Authorization.rule(for: .statusRequest, fromAgentOf: nil)
                == Authorization.Rule(senders: .adminsAndReaders, refusal: Self.notAllowed))
        #expect(
            Authorization.rule(for: .eventsRequest, fromAgentOf: nil)
                == Authorization.Rule(senders: .adminsAndReaders, refusal: Self.notAllowed))
        #expect(
            Authorization.rule(for: .shutdownRequest(), fromAgentOf: nil)
                == Authorization.Rule(senders: .admins, refusal: Self.notAllowed))
        #expect(
            Authorization.rule(for: .operationRequest(.stop, service: "api"), fromAgentOf: nil)
                == Authorization.Rule(senders: .admins, refusal: Self.notAllowed))
    }

    @Test(
        "Anything else, from a connection no connected agent registered, is left to the codec and the machine",
        arguments: [
            Message.heartbeat, .started(pid: 42), .ready, .exited(.exited(1)), .ack,
            .welcome(
                heartbeatInterval: .seconds(1), lostAfter: .seconds(5)),
        ])
    func anyoneRule(message: Message) {
        #expect(
            Authorization.rule(for: message, fromAgentOf: nil) == Authorization.Rule(senders: .anyone, refusal: nil))
    }

    // MARK: Who is permitted

    @Test("Without security every peer of the main socket is trusted, with an identity or without one")
    func withoutSecurity() {
        let authorization = Authorization(allowedIdentities: nil)
        for identity in [nil, "agent:database", "reader:dashboard"] {
            #expect(authorization.permits(identity, as: .agent(of: "api")))
            #expect(authorization.permits(identity, as: .admins))
            #expect(authorization.permits(identity, as: .adminsAndReaders))
            #expect(authorization.permits(identity, as: .anyone))
        }
    }

    @Test("The admin plane is an admin, with or without security, and never an agent")
    func localAdmin() {
        for authorization in [Authorization(allowedIdentities: nil), Authorization(allowedIdentities: [])] {
            #expect(authorization.permits(Authorization.localAdmin, as: .admins))
            #expect(authorization.permits(Authorization.localAdmin, as: .adminsAndReaders))
            #expect(authorization.permits(Authorization.localAdmin, as: .anyone))
            #expect(!authorization.permits(Authorization.localAdmin, as: .agent(of: "api")))
        }
    }

    @Test("With security each identity may send what its role allows, and nothing else")
    func roles() {
        let authorization = Authorization(allowedIdentities: ["agent:api", "admin:ops", "reader:dashboard"])

        #expect(authorization.permits("agent:api", as: .agent(of: "api")))
        #expect(!authorization.permits("agent:api", as: .agent(of: "database")))
        #expect(!authorization.permits("agent:api", as: .admins))
        #expect(!authorization.permits("agent:api", as: .adminsAndReaders))

        #expect(authorization.permits("admin:ops", as: .admins))
        #expect(authorization.permits("admin:ops", as: .adminsAndReaders))
        #expect(!authorization.permits("admin:ops", as: .agent(of: "api")))

        #expect(authorization.permits("reader:dashboard", as: .adminsAndReaders))
        #expect(!authorization.permits("reader:dashboard", as: .admins))
        #expect(!authorization.permits("reader:dashboard", as: .agent(of: "api")))
    }

    @Test("With security a connection without an identity, or with a revoked one, may send only what anyone may")
    func unknownAndRevoked() {
        let authorization = Authorization(allowedIdentities: ["admin:ops"])
        for identity in [nil, "admin:former", "agent:api"] {
            #expect(!authorization.permits(identity, as: .agent(of: "api")))
            #expect(!authorization.permits(identity, as: .admins))
            #expect(!authorization.permits(identity, as: .adminsAndReaders))
            #expect(authorization.permits(identity, as: .anyone))
        }
    }

    @Test("A key revoked by a reload loses its rights from then on")
    func revocation() {
        var authorization = Authorization(allowedIdentities: ["agent:api", "admin:ops"])
        #expect(authorization.permits("agent:api", as: .agent(of: "api")))
        authorization.allowedIdentities = ["admin:ops"]
        #expect(!authorization.permits("agent:api", as: .agent(of: "api")))
        #expect(authorization.permits("admin:ops", as: .admins))
    }

    @Test("Who may send what, message by message, as one table")
    func table() {
        let authorization = Authorization(allowedIdentities: [
            "agent:api", "agent:database", "admin:ops", "reader:dashboard",
        ])
        let identities: [String?] = ["agent:api", "agent:database", "admin:ops", "reader:dashboard", nil]
        func permitted(_ message: Message, fromAgentOf agent: String? = nil) -> [Bool] {
            let rule = Authorization.rule(for: message, fromAgentOf: agent)
            return identities.map { authorization.permits($0, as: rule.senders) }
        }
        // Columns: agent:api, agent:database, admin:ops, reader:dashboard, no identity.
        let table: [(Message, agent: String?, [Bool])] = [
            (Self.register, nil, [true, false, false, false, false]),
            (.ready, "api", [true, false, false, false, false]),
            (.statusRequest, nil, [false, false, true, true, false]),
            (.eventsRequest, nil, [false, false, true, true, false]),
            (.shutdownRequest(), nil, [false, false, true, false, false]),
            (.operationRequest(.start, service: "api"), nil, [false, false, true, false, false]),
            (.heartbeat, nil, [true, true, true, true, true]),
        ]
        for (message, agent, expected) in table {
            #expect(permitted(message, fromAgentOf: agent) == expected, "\(message)")
        }
    }
}
