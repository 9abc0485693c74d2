import QuiesceRuntime
import Testing

@Suite("Plain connections")
struct PlainConnectionTests {
    private static let user: UInt32 = 1000

    private func verdict(
        _ endpoint: String, _ side: PlainConnection.Side, insecure: Bool = false, mode: UInt32 = 0o40700,
        owner: UInt32 = user
    ) -> PlainConnection.Verdict {
        PlainConnection.verdict(
            endpoint: endpoint, side: side, insecure: insecure,
            socketDirectory: .found(path: "/run/q", mode: mode, owner: owner, currentUser: Self.user))
    }

    private func refusal(_ verdict: PlainConnection.Verdict) -> String? {
        if case .refused(let text) = verdict { return text }
        return nil
    }

    @Test(
        "Plain TCP is refused on every side without --insecure, loopback included",
        arguments: [
            "tcp://127.0.0.1:7700", "tcp://localhost:7700", "tcp://[::1]:7700", "tcp://0.0.0.0:7700",
            "tcp://10.0.0.5:7700",
        ])
    func tcpRefused(endpoint: String) {
        for side in [PlainConnection.Side.coordinator, .agent, .command("status")] {
            #expect(refusal(verdict(endpoint, side)) != nil, "\(side)")
        }
    }

    @Test("The coordinator's refusal says what plain mode allows and the fixes")
    func coordinatorRefusal() throws {
        let text = try #require(refusal(verdict("tcp://127.0.0.1:7700", .coordinator)))
        #expect(
            text.hasPrefix(
                "coordinator: refusing to listen on tcp://127.0.0.1:7700 without keys: any user of this host"))
        for part in [
            "shut the fleet down", "register as any service's agent", "quiesce keygen --fleet FILE --out keys",
            "--keys keys", "ipc://", "chmod 700", "--insecure",
        ] {
            #expect(text.contains(part), "\(part)")
        }
    }

    @Test("The agent's and a command's refusals name the impostors and the fixes")
    func clientRefusals() throws {
        let agent = try #require(refusal(verdict("tcp://127.0.0.1:7700", .agent)))
        #expect(agent.hasPrefix("agent: refusing to connect to tcp://127.0.0.1:7700 without keys"))
        #expect(agent.contains("pose as the coordinator"))
        let status = try #require(refusal(verdict("tcp://127.0.0.1:7700", .command("shutdown"))))
        #expect(status.hasPrefix("shutdown: refusing to connect to tcp://127.0.0.1:7700 without keys"))
        #expect(status.contains("answer as the coordinator"))
        for text in [agent, status] {
            #expect(text.contains("--keys DIR"))
            #expect(text.contains("--key and --server-key"))
            #expect(text.contains("--insecure"))
        }
    }

    @Test("Beyond loopback the messages say anyone who can reach the address")
    func beyondLoopback() throws {
        let text = try #require(refusal(verdict("tcp://0.0.0.0:7700", .coordinator)))
        #expect(text.contains("anyone who can reach it"))
        #expect(!text.contains("any user of this host"))
    }

    @Test("--insecure lets plain TCP through with a one-line warning")
    func insecureWarns() {
        let result = verdict("tcp://127.0.0.1:7700", .agent, insecure: true)
        guard case .insecure(let warning) = result else {
            Issue.record("not allowed: \(result)")
            return
        }
        #expect(warning.hasPrefix("warning: --insecure: tcp://127.0.0.1:7700 is used without keys"))
        #expect(warning.contains("any user of this host can stop the fleet and pose as an agent or as the coordinator"))
        #expect(!warning.contains("\n"))
    }

    @Test("inproc:// never leaves the process")
    func inproc() {
        #expect(verdict("inproc://fleet", .coordinator) == .allowed)
    }

    @Test("The coordinator binds ipc:// without --insecure in a directory only its user or root owns and opens")
    func coordinatorPrivateDirectory() {
        #expect(verdict("ipc:///run/q/fleet.sock", .coordinator, mode: 0o40700) == .allowed)
        #expect(verdict("ipc:///run/q/fleet.sock", .coordinator, mode: 0o40700, owner: 0) == .allowed)
        let open = refusal(verdict("ipc:///run/q/fleet.sock", .coordinator, mode: 0o40755))
        #expect(
            open?.contains(
                "(/run/q: the socket's directory may be opened by group or others (mode 0755), who could connect to the socket; run chmod 700 /run/q)"
            ) == true)
        let foreign = refusal(verdict("ipc:///run/q/fleet.sock", .coordinator, mode: 0o40700, owner: 1001))
        #expect(foreign?.contains("is owned by user 1001") == true)
    }

    @Test("An agent or a command connects to ipc:// where nobody else could have put the socket")
    func clientDirectory() {
        for side in [PlainConnection.Side.agent, .command("status")] {
            #expect(verdict("ipc:///run/q/admin.sock", side, mode: 0o40755) == .allowed)
            #expect(verdict("ipc:///run/q/admin.sock", side, mode: 0o40700) == .allowed)
            #expect(refusal(verdict("ipc:///run/q/admin.sock", side, mode: 0o41777))?.contains("chmod go-w") == true)
            #expect(refusal(verdict("ipc:///run/q/admin.sock", side, mode: 0o40755, owner: 1001)) != nil)
        }
    }

    @Test("An ipc:// directory that cannot be read is refused, naming it, and --insecure still passes")
    func unreadableDirectory() {
        let missing = PlainConnection.verdict(
            endpoint: "ipc:///nowhere/a.sock", side: .agent, insecure: false,
            socketDirectory: .unreadable(path: "/nowhere", reason: "No such file or directory"))
        #expect(refusal(missing)?.contains("(/nowhere: No such file or directory)") == true)
        let insecure = PlainConnection.verdict(
            endpoint: "ipc:///nowhere/a.sock", side: .agent, insecure: true,
            socketDirectory: .unreadable(path: "/nowhere", reason: "No such file or directory"))
        #expect(insecure != .allowed && refusal(insecure) == nil)
    }
}
