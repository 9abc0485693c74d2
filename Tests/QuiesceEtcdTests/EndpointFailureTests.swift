import Foundation
import QuiesceEtcd
import Testing

/// Several endpoints, and etcd gone or frozen mid-call: typed errors within the timeout, never a hang.
@Suite(
    "etcd endpoints and failures",
    .enabled(if: EtcdServer.isInstalled, "etcd is not installed: apt-get install -y etcd-server"))
struct EndpointFailureTests {
    @Test("An endpoint list whose first member is down still works")
    func firstMemberDown() async throws {
        try await withServer { server in
            let down = "http://127.0.0.1:\(try FreePort.pick())"
            try await withClient([down, server.endpoint]) { etcd in
                try await etcd.put("/k", value: "v")
                #expect(try await etcd.range(.key("/k")).map(\.valueText) == ["v"])
                let lease = try await etcd.grant(ttl: .seconds(120)).lease
                #expect(try await etcd.keepAlive(lease) == .seconds(120))
            }
        }
    }

    @Test("When no endpoint answers, the error names each endpoint and why, without waiting for the timeout")
    func noneAnswers() async throws {
        let endpoints = ["http://127.0.0.1:\(try FreePort.pick())", "http://127.0.0.1:\(try FreePort.pick())"]
        // A timeout no loaded machine reaches: a refused connection must end the call before it.
        try await withClient(endpoints, timeout: .seconds(300)) { etcd in
            let error = await caught { _ = try await etcd.range(.key("/k")) }
            guard case .unreachable(operation: "range", let failures) = error else {
                Issue.record("expected unreachable, got \(String(describing: error))")
                return
            }
            #expect(failures.map(\.endpoint) == endpoints)
            let text = String(describing: error!)
            #expect(text.contains(endpoints[0]) && text.contains(endpoints[1]), "\(text)")
            #expect(text.lowercased().contains("refused"), "\(text)")
        }
    }

    @Test("A frozen etcd gives a timeout error within the call's timeout, and answers again once thawed")
    func frozenServer() async throws {
        try await withEtcd { server, setup in
            let lease = try await setup.grant(ttl: .seconds(600)).lease
            try await withClient([server.endpoint], timeout: .seconds(2)) { etcd in
                try await frozenCalls(server, etcd, lease)
            }
        }
    }

    private func frozenCalls(_ server: EtcdServer, _ etcd: EtcdClient, _ lease: EtcdLease) async throws {
        server.freeze()
        for call in ["range", "lease keep-alive"] {
            let start = ContinuousClock.now
            let error = await caught {
                if call == "range" {
                    _ = try await etcd.range(.key("/k"))
                } else {
                    _ = try await etcd.keepAlive(lease)
                }
            }
            let took = ContinuousClock.now - start
            guard case .timedOut(operation: call, endpoint: server.endpoint, _) = error else {
                Issue.record("\(call): expected a timeout, got \(String(describing: error))")
                continue
            }
            #expect(took >= .seconds(2) && took < .seconds(120), "\(call) took \(took)")
        }
        server.thaw()
        let back = try await waitUntil(within: .seconds(120)) { (try? await etcd.range(.key("/k"))) != nil }
        #expect(back)
    }

    @Test("etcd killed during a campaign ends the call with a typed error, long before its timeout")
    func killedMidCall() async throws {
        try await withServer { server in
            try await withClient([server.endpoint]) { etcd in
                let first = try await etcd.grant(ttl: .seconds(600)).lease
                let second = try await etcd.grant(ttl: .seconds(600)).lease
                _ = try await etcd.campaign("/e", value: "a", lease: first, timeout: .seconds(60))
                let start = ContinuousClock.now
                let waiting = Task {
                    await caught {
                        _ = try await etcd.campaign("/e", value: "b", lease: second, timeout: .seconds(600))
                    }
                }
                let queued = try await waitUntil(within: .seconds(120)) {
                    try await etcd.range(.prefix("/e/")).count == 2
                }
                #expect(queued)
                await server.stop()
                let error = await waiting.value
                #expect(ContinuousClock.now - start < .seconds(300), "the campaign's end did not wait for its timeout")
                guard case .connectionLost(operation: "campaign", endpoint: server.endpoint, _) = error else {
                    Issue.record("expected a lost connection, got \(String(describing: error))")
                    return
                }
                let after = await caught { _ = try await etcd.range(.key("/k")) }
                guard case .unreachable = after else {
                    Issue.record("expected unreachable once etcd is gone, got \(String(describing: after))")
                    return
                }
            }
        }
    }

    @Test("An observer's stream ends with a typed error when etcd goes")
    func observerEnds() async throws {
        try await withServer { server in
            try await withClient([server.endpoint]) { etcd in
                let lease = try await etcd.grant(ttl: .seconds(600)).lease
                _ = try await etcd.campaign("/o", value: "a", lease: lease, timeout: .seconds(60))
                var leaders = etcd.observe("/o").makeAsyncIterator()
                #expect(try await leaders.next()?.valueText == "a")
                await server.stop()
                do {
                    let next = try await leaders.next()
                    Issue.record("expected the stream to fail, got \(String(describing: next))")
                } catch let error as EtcdError {
                    guard case .connectionLost(operation: "observe", _, _) = error else {
                        Issue.record("expected a lost connection, got \(error)")
                        return
                    }
                }
            }
        }
    }
}
