import QuiesceCore
import Testing

@testable import QuiesceCoordinator

@Suite("Registration admission")
struct RegistrationAdmissionTests {
    private let firstConnection: [UInt8] = [0, 1]
    private let secondConnection: [UInt8] = [0, 2]
    private let limit = RegistrationAdmission.registrationsPerSecond

    /// A registration of `service` from `sender` on `routingID` at `now`, with nothing registered yet
    /// and, unless `awaited`, for a service that is not waiting for its agent.
    private func arrival(
        _ admission: inout RegistrationAdmission, of service: InstanceID = "api", from sender: String = "agent:api",
        on routingID: [UInt8]? = nil, registry: AgentRegistry = AgentRegistry(), awaited: Bool = false,
        isConnected: Bool = false, now: Timestamp
    ) -> RegistrationAdmission.Decision {
        admission.registrationReceived(
            of: service, from: sender, on: routingID ?? firstConnection, registry: registry, awaited: awaited,
            isConnected: isConnected, now: now)
    }

    // MARK: Rate limit

    @Test(
        "Up to the limit in one second every registration of a sender goes to the state machine; past it they are dropped"
    )
    func rateLimit() {
        var admission = RegistrationAdmission()
        let now = Timestamp(sinceOrigin: .milliseconds(10))
        for _ in 0..<limit {
            #expect(arrival(&admission, now: now) == .register)
        }
        #expect(arrival(&admission, now: now + .milliseconds(900)) == .rateLimited)
        #expect(arrival(&admission, of: "database", now: now + .milliseconds(980)) == .rateLimited)
    }

    @Test("The count starts again at the next second of monotonic time, not a second after the first")
    func windowPerSecond() {
        var admission = RegistrationAdmission()
        let late = Timestamp(sinceOrigin: .milliseconds(999))
        for _ in 0..<limit {
            #expect(arrival(&admission, now: late) == .register)
        }
        #expect(arrival(&admission, now: late) == .rateLimited)
        // 1 ms later is the next second: the full limit again.
        let next = Timestamp(sinceOrigin: .seconds(1))
        for _ in 0..<limit {
            #expect(arrival(&admission, now: next) == .register)
        }
        #expect(arrival(&admission, now: next + .milliseconds(999)) == .rateLimited)
        #expect(arrival(&admission, now: Timestamp(sinceOrigin: .seconds(2))) == .register)
    }

    @Test("A second with registrations counts from one again, even after seconds with none")
    func quietSeconds() {
        var admission = RegistrationAdmission()
        #expect(arrival(&admission, now: .zero) == .register)
        let later = Timestamp(sinceOrigin: .seconds(60))
        for _ in 0..<limit {
            #expect(arrival(&admission, now: later) == .register)
        }
        #expect(arrival(&admission, now: later) == .rateLimited)
    }

    // MARK: Per sender

    @Test("One sender past its limit leaves every other sender its own")
    func limitPerSender() {
        var admission = RegistrationAdmission()
        for _ in 0..<limit {
            #expect(arrival(&admission, of: "cache", from: "agent:cache", now: .zero) == .register)
        }
        #expect(arrival(&admission, of: "cache", from: "agent:cache", now: .zero) == .rateLimited)
        for _ in 0..<limit {
            #expect(arrival(&admission, of: "database", from: "agent:database", now: .zero) == .register)
        }
        #expect(arrival(&admission, of: "database", from: "agent:database", now: .zero) == .rateLimited)
        #expect(arrival(&admission, of: "cache", from: "connection:0.1", now: .zero) == .register)
    }

    @Test("Past its sender's limit, the first registration in a second of a service awaiting its agent gets in")
    func awaitedServiceAdmitted() {
        var admission = RegistrationAdmission()
        for _ in 0..<limit {
            #expect(arrival(&admission, of: "flood", from: "connection:0.1", now: .zero) == .register)
        }
        #expect(arrival(&admission, of: "flood", from: "connection:0.1", now: .zero) == .rateLimited)
        #expect(arrival(&admission, of: "database", from: "connection:0.1", awaited: true, now: .zero) == .register)
        #expect(
            arrival(&admission, of: "database", from: "connection:0.1", awaited: true, now: .zero) == .rateLimited,
            "only the first in the second")
        #expect(arrival(&admission, of: "cache", from: "connection:0.1", awaited: true, now: .zero) == .register)
        #expect(
            arrival(&admission, of: "api", from: "connection:0.1", awaited: false, now: .zero) == .rateLimited,
            "a service whose agent is connected, or that is not in the fleet, gets no exception")
        let next = Timestamp(sinceOrigin: .seconds(1))
        for _ in 0..<limit {
            #expect(arrival(&admission, of: "flood", from: "connection:0.1", now: next) == .register)
        }
        #expect(arrival(&admission, of: "flood", from: "connection:0.1", now: next) == .rateLimited)
        #expect(arrival(&admission, of: "database", from: "connection:0.1", awaited: true, now: next) == .register)
    }

    @Test("Senders past the table's bound share one count, and the table is emptied at the next second")
    func senderTableBounded() {
        var admission = RegistrationAdmission()
        let bound = RegistrationAdmission.maximumSendersPerSecond
        for index in 0..<bound {
            #expect(arrival(&admission, from: "connection:\(index)", now: .zero) == .register)
        }
        // New senders now share one count: together they get one sender's limit.
        for index in 0..<limit {
            #expect(arrival(&admission, from: "connection:new-\(index)", now: .zero) == .register)
        }
        #expect(arrival(&admission, from: "connection:new-\(limit)", now: .zero) == .rateLimited)
        #expect(
            arrival(&admission, from: "connection:0", now: .zero) == .register, "a sender in the table keeps its count")
        let next = Timestamp(sinceOrigin: .seconds(1))
        for _ in 0..<limit {
            #expect(arrival(&admission, from: "connection:new-\(limit)", now: next) == .register)
        }
        #expect(arrival(&admission, from: "connection:new-\(limit)", now: next) == .rateLimited)
    }

    @Test(
        "A fleet of 10,000 instances registering in one second is welcomed, repeats included, while one flooding sender is held"
    )
    func wholeFleetAtOnce() {
        var admission = RegistrationAdmission()
        var registry = AgentRegistry()
        let now = Timestamp(sinceOrigin: .milliseconds(200))
        for _ in 0..<limit {
            #expect(arrival(&admission, of: "api", from: "agent:api", now: now) == .register)
        }
        var welcomed = 0
        for index in 0..<10_000 {
            let instance = InstanceID(service: "web", instance: "i\(index)")
            let connection: [UInt8] = [0, UInt8(index >> 8), UInt8(index & 0xFF)]
            let sender = "connection:\(index)"
            // The first registration, then its retransmission (the welcome was late), with the flood between.
            if arrival(&admission, of: instance, from: sender, on: connection, awaited: true, now: now) == .register {
                registry.bind(instance, to: connection)
                let repeated = arrival(
                    &admission, of: instance, from: sender, on: connection, registry: registry, isConnected: true,
                    now: now)
                if repeated == .welcomeAgain { welcomed += 1 }
            }
            #expect(arrival(&admission, of: "api", from: "agent:api", now: now) == .rateLimited)
        }
        #expect(welcomed == 10_000)
    }

    // MARK: Repeated registration

    @Test("A registration repeated on the connection of the connected agent is welcomed again")
    func repeatedRegistration() {
        var admission = RegistrationAdmission()
        var registry = AgentRegistry()
        registry.bind("api", to: firstConnection)
        #expect(
            arrival(&admission, on: firstConnection, registry: registry, isConnected: true, now: .zero) == .welcomeAgain
        )
    }

    @Test("A registration is not a repeat on another connection, for another service, or once the agent is gone")
    func notRepeated() {
        var admission = RegistrationAdmission()
        var registry = AgentRegistry()
        registry.bind("api", to: firstConnection)
        #expect(
            arrival(&admission, on: secondConnection, registry: registry, isConnected: true, now: .zero) == .register)
        #expect(
            arrival(&admission, of: "database", on: firstConnection, registry: registry, isConnected: false, now: .zero)
                == .register)
        #expect(
            arrival(&admission, on: firstConnection, registry: registry, isConnected: false, now: .zero) == .register)
    }

    @Test("Repeated registrations count towards the limit, and past it are dropped, not welcomed")
    func repeatedRegistrationsAreLimited() {
        var admission = RegistrationAdmission()
        var registry = AgentRegistry()
        registry.bind("api", to: firstConnection)
        for _ in 0..<limit {
            #expect(arrival(&admission, registry: registry, isConnected: true, now: .zero) == .welcomeAgain)
        }
        #expect(arrival(&admission, registry: registry, isConnected: true, now: .zero) == .rateLimited)
        #expect(arrival(&admission, of: "database", now: .zero) == .rateLimited)
    }

    // MARK: Probing the previous connection

    @Test("Refused as already connected on another connection: that connection is probed")
    func probePreviousConnection() {
        var registry = AgentRegistry()
        registry.bind("api", to: firstConnection)
        #expect(
            RegistrationAdmission.connectionToProbe(
                after: .alreadyConnected("api"), of: "api", on: secondConnection, registry: registry)
                == firstConnection)
    }

    @Test("Refused as already connected on the same connection, or with no connection known: the refusal stands")
    func noConnectionToProbe() {
        var registry = AgentRegistry()
        registry.bind("api", to: firstConnection)
        #expect(
            RegistrationAdmission.connectionToProbe(
                after: .alreadyConnected("api"), of: "api", on: firstConnection, registry: registry) == nil)
        #expect(
            RegistrationAdmission.connectionToProbe(
                after: .alreadyConnected("database"), of: "database", on: secondConnection, registry: registry) == nil)
    }

    @Test(
        "Any other refusal stands without a probe",
        arguments: [
            CoordinatorStateMachine.RegistrationRefusal.unknownService("api", suggestion: nil),
            .finished,
        ])
    func otherRefusals(refusal: CoordinatorStateMachine.RegistrationRefusal) {
        var registry = AgentRegistry()
        registry.bind("api", to: firstConnection)
        #expect(
            RegistrationAdmission.connectionToProbe(after: refusal, of: "api", on: secondConnection, registry: registry)
                == nil)
    }
}
