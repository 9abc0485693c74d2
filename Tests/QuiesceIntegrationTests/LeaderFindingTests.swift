import Foundation
import QuiesceCore
import QuiesceWire
import Testing

/// The CLI given two coordinators, played by ``StandInCoordinator``s that answer as a leader or a
/// standby (docs/protocol.md §7.11): it asks each for its status and sends its request to the leader.
@Suite("Commands find the leader among several coordinators", .serialized)
struct LeaderFindingTests {
    /// How a stand-in answers: its status's leadership, and what it says to every other request.
    struct Script {
        var leadership: LeadershipDocument
        var phase: String
        /// The answer to a request other than `status_request`; `nil` leaves it unanswered.
        var answer: Message?
    }

    static let report = ReportDocument(
        ShutdownReport(
            entries: [.init(service: "api", wave: 1, outcome: .acknowledged(.notStarted), duration: .zero)],
            total: .milliseconds(20), termination: .completed, criticalPath: ["api"]))

    /// Runs `quiesce arguments` while `standIns` answer it as `scripts` say, until it ends (a minute
    /// at most); returns its exit code and the requests each stand-in received.
    static func run(
        _ arguments: [String], in fleet: Fleet, standIns: [StandInCoordinator], scripts: [Script]
    ) async throws -> (status: Int32?, requests: [[String]]) {
        let process = try fleet.start(arguments, log: "command")
        var requests: [[String]] = standIns.map { _ in [] }
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning, Date() < deadline {
            for (index, standIn) in standIns.enumerated() {
                guard let (sender, envelope) = try standIn.poll(milliseconds: 20) else { continue }
                requests[index].append(envelope.message.type)
                let script = scripts[index]
                let answer: Message? =
                    if case .statusRequest = envelope.message {
                        .statusReply(StatusDocument(phase: script.phase, services: [], leadership: script.leadership))
                    } else {
                        script.answer
                    }
                if let answer { try standIn.send(Envelope(id: 900, replyTo: envelope.id, message: answer), to: sender) }
            }
        }
        return (await fleet.waitForExit(process), requests)
    }

    static func twoStandIns() throws -> (endpoints: [String], standIns: [StandInCoordinator]) {
        let endpoints = try [0, 1].map { _ in "tcp://127.0.0.1:\(try FreePort.pick())" }
        return (endpoints, try endpoints.map { try StandInCoordinator(endpoint: $0) })
    }

    @Test("status asks both, shows each one's role, and prints the leader's status as one JSON document")
    func statusFindsTheLeader() async throws {
        let fleet = try Fleet(config: "services:\n  api: {}\n", secure: false)
        defer { fleet.tearDown() }
        let (endpoints, standIns) = try Self.twoStandIns()
        defer { for standIn in standIns { standIn.close() } }
        let scripts = [
            Script(
                leadership: LeadershipDocument(role: "standby", leader: endpoints[1], leaderEpoch: 9), phase: "standby",
                answer: nil),
            Script(leadership: LeadershipDocument(role: "leader", epoch: 9), phase: "running", answer: nil),
        ]
        let list = endpoints.joined(separator: ",")
        let json = try await Self.run(
            ["status", "--coordinator", list, "--json"], in: fleet, standIns: standIns, scripts: scripts)
        #expect(json.status == 0)
        #expect(json.requests == [["status_request"], ["status_request"]])
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(fleet.output("command.out").utf8)) as? [String: Any])
        #expect(document["phase"] as? String == "running", "the leader's status")
        let coordinators = try #require(document["coordinators"] as? [[String: Any]])
        #expect(coordinators.map { $0["endpoint"] as? String } == endpoints)
        #expect(coordinators.map { $0["role"] as? String } == ["standby", "leader"])
        #expect(coordinators[1]["epoch"] as? Int == 9)
        #expect(fleet.output("command.err").contains("status: using the coordinator at \(endpoints[1]), which leads"))

        let text = try await Self.run(
            ["status", "--coordinator", list], in: fleet, standIns: standIns, scripts: scripts)
        #expect(text.status == 0)
        let firstLine = fleet.output("command.out").split(separator: "\n").first.map(String.init)
        #expect(
            firstLine
                == "coordinators: \(endpoints[0]) standby (leader \(endpoints[1])), \(endpoints[1]) leader (epoch 9)")
    }

    @Test("shutdown goes to the one whose status says it leads; answered standby there, it asks the leader named")
    func shutdownFollowsTheStandbysAnswer() async throws {
        let fleet = try Fleet(config: "services:\n  api: {}\n", secure: false)
        defer { fleet.tearDown() }
        let (endpoints, standIns) = try Self.twoStandIns()
        defer { for standIn in standIns { standIn.close() } }
        // a still says it leads, but has stepped down by the time the request comes; b has taken over.
        let scripts = [
            Script(
                leadership: LeadershipDocument(role: "leader", epoch: 5), phase: "running",
                answer: .standby(leader: endpoints[1], leaderEpoch: 9)),
            Script(
                leadership: LeadershipDocument(role: "standby", leader: endpoints[0], leaderEpoch: 5), phase: "standby",
                answer: .report(Self.report)),
        ]
        let result = try await Self.run(
            ["shutdown", "--coordinator", endpoints.joined(separator: ","), "--json"], in: fleet, standIns: standIns,
            scripts: scripts)
        #expect(result.status == 0)
        #expect(result.requests == [["status_request", "shutdown_request"], ["status_request", "shutdown_request"]])
        let errors = fleet.output("command.err")
        #expect(errors.contains("shutdown: using the coordinator at \(endpoints[0]), which leads"))
        #expect(
            errors.contains(
                "shutdown: the coordinator at \(endpoints[0]) stands by; the coordinator at \(endpoints[1]) leads; asking it"
            ))
        let document = try JSONSerialization.jsonObject(with: Data(fleet.output("command.out").utf8)) as? [String: Any]
        #expect(document?["services"] != nil, "stdout is the report alone")
    }

    @Test("None leading, the command says each one's role and exits 69")
    func noLeader() async throws {
        let fleet = try Fleet(config: "services:\n  api: {}\n", secure: false)
        defer { fleet.tearDown() }
        let (endpoints, standIns) = try Self.twoStandIns()
        defer { for standIn in standIns { standIn.close() } }
        let standby = Script(
            leadership: LeadershipDocument(role: "campaigning", reason: "etcd unreachable"), phase: "campaigning",
            answer: nil)
        let result = try await Self.run(
            ["stop", "api", "--coordinator", endpoints.joined(separator: ",")], in: fleet, standIns: standIns,
            scripts: [standby, standby])
        #expect(result.status == 69)
        #expect(result.requests == [["status_request"], ["status_request"]], "no request went to a coordinator")
        #expect(
            fleet.output("command.err").contains(
                "stop: none of the 2 coordinators leads: \(endpoints[0]) campaigning (etcd unreachable)"))
    }
}
