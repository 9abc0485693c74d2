import QuiesceCore
import QuiesceWire
import Testing

@testable import quiesce

@Suite("Event lines")
struct EventLineTests {
    static func line(_ kind: CoordinatorEvent.Kind) -> String {
        EventLine.text(
            EventDocument(
                CoordinatorEvent(at: .zero, kind), seq: 1, time: 1_796_140_000.25, offset: .seconds(3)))
    }

    @Test("A line is the UTC time, the type, what it is about, then its fields")
    func lines() {
        #expect(
            Self.line(.agentRegistered(InstanceID(service: "api", instance: "web-1"), host: "h1"))
                == "2026-12-01T15:46:40.250Z agent_registered api/web-1 host=h1")
        #expect(
            Self.line(
                .ordered(.stop, InstanceID(service: "api", instance: "web-1"), timeout: .seconds(10), drain: .zero))
                == "2026-12-01T15:46:40.250Z stop_ordered api/web-1 timeout=10s drain=0s")
        #expect(
            Self.line(.serviceStopped("api", .timedOut, after: .milliseconds(12_500)))
                == "2026-12-01T15:46:40.250Z service_stopped api outcome=timed_out duration=12.5s (timed out (no acknowledgement; kill ordered))"
        )
        #expect(
            Self.line(.waveBegan(.shutdown, number: 1, total: 2, services: ["api", "worker"]))
                == "2026-12-01T15:46:40.250Z wave_began run=shutdown wave=1/2 services=api,worker")
        #expect(
            Self.line(.runEnded(.shutdown, operation: "stop api", after: .seconds(2), result: "completed", exitCode: 0))
                == "2026-12-01T15:46:40.250Z run_ended run=shutdown operation=\"stop api\" result=completed exit_code=0 duration=2s"
        )
        #expect(
            Self.line(.rejected(.failedHandshake, total: 7))
                == "2026-12-01T15:46:40.250Z rejected rejection=failed_handshake total=7")
    }
}
