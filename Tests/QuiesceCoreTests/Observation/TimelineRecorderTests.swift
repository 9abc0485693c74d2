import Testing

@testable import QuiesceCore

@Suite("Timeline recorder")
struct TimelineRecorderTests {
    static let database = InstanceID(service: "database", instance: "db")
    static let web1 = InstanceID(service: "api", instance: "web-1")
    static let web2 = InstanceID(service: "api", instance: "web-2")
    static let origin = Timestamp(sinceOrigin: .seconds(100))

    static func at(_ seconds: Int) -> Timestamp { origin + .seconds(seconds) }

    @Test("A startup then a shutdown: each instance's phases, offsets from the origin, the drain before the stop")
    func startupAndShutdown() {
        var recorder = TimelineRecorder(origin: Self.origin)
        recorder.record(CoordinatorEvent(at: Self.at(0), .agentRegistered(Self.database, host: "h")))
        recorder.record(
            CoordinatorEvent(at: Self.at(0), .waveBegan(.startup, number: 1, total: 1, services: ["database"])))
        recorder.record(CoordinatorEvent(at: Self.at(1), .ordered(.start, Self.database, timeout: nil, drain: nil)))
        recorder.record(CoordinatorEvent(at: Self.at(2), .instanceReady(Self.database)))
        recorder.record(CoordinatorEvent(at: Self.at(2), .serviceReady("database", after: .seconds(1))))
        recorder.record(CoordinatorEvent(at: Self.at(2), .waveEnded(.startup, number: 1, after: .seconds(2))))
        recorder.record(
            CoordinatorEvent(at: Self.at(5), .ordered(.stop, Self.database, timeout: .seconds(10), drain: .seconds(1))))
        recorder.record(
            CoordinatorEvent(
                at: Self.at(8), .serviceStopped("database", .acknowledged(.stopped(.exited(0))), after: .seconds(3))))
        let timeline = recorder.timeline(now: Self.at(9), criticalPath: ["database"])
        #expect(
            timeline.rows == [
                Timeline.Row(
                    service: "database", instance: "db",
                    segments: [
                        .init(.starting, from: .seconds(1), to: .seconds(2)),
                        .init(.ready, from: .seconds(2), to: .seconds(5)),
                        .init(.draining, from: .seconds(5), to: .seconds(6)),
                        .init(.stopping, from: .seconds(6), to: .seconds(8)),
                    ], outcome: "stopped")
            ])
        #expect(timeline.waves == [Timeline.Wave(run: .startup, number: 1, began: .zero, ended: .seconds(2))])
        #expect(timeline.end == .seconds(9))
        #expect(timeline.criticalPath == ["database"])
    }

    @Test("Instances of one service conclude on their own; a timeout, its kill and a lost agent are marked once each")
    func instancesAndMarks() {
        var recorder = TimelineRecorder(origin: Self.origin)
        for id in [Self.web1, Self.web2] {
            recorder.record(CoordinatorEvent(at: Self.at(0), .ordered(.start, id, timeout: nil, drain: nil)))
        }
        recorder.record(CoordinatorEvent(at: Self.at(1), .serviceReady("api", after: .seconds(1))))
        for id in [Self.web1, Self.web2] {
            recorder.record(CoordinatorEvent(at: Self.at(2), .ordered(.stop, id, timeout: .seconds(1), drain: .zero)))
        }
        recorder.record(
            CoordinatorEvent(
                at: Self.at(3), .instanceStopped(Self.web1, .acknowledged(.stopped(.exited(0))), after: nil)))
        recorder.record(CoordinatorEvent(at: Self.at(5), .ordered(.kill, Self.web2, timeout: nil, drain: nil)))
        recorder.record(CoordinatorEvent(at: Self.at(5), .instanceStopped(Self.web2, .timedOut, after: nil)))
        recorder.record(CoordinatorEvent(at: Self.at(5), .serviceStopped("api", .timedOut, after: nil)))
        recorder.record(CoordinatorEvent(at: Self.at(6), .agentLost(Self.web2)))
        let rows = recorder.timeline(now: Self.at(6), criticalPath: []).rows
        #expect(rows.map(\.outcome) == ["stopped", "timed_out"], "the service's outcome leaves web-1's as it was")
        #expect(rows[0].segments.map(\.phase) == [.starting, .ready, .stopping])
        #expect(rows[0].marks.isEmpty)
        #expect(rows[1].segments.last == Timeline.Segment(.stopping, from: .seconds(2), to: .seconds(5)))
        #expect(
            rows[1].marks == [
                .init(.killed, at: .seconds(5)), .init(.timedOut, at: .seconds(5)), .init(.lost, at: .seconds(6)),
            ])
    }

    @Test("What is still under way when the timeline is taken ends there; a restarted instance gets new segments")
    func openSegmentsAndRestarts() {
        var recorder = TimelineRecorder(origin: Self.origin)
        recorder.record(CoordinatorEvent(at: Self.at(0), .ordered(.start, Self.web1, timeout: nil, drain: nil)))
        recorder.record(CoordinatorEvent(at: Self.at(1), .instanceReady(Self.web1)))
        recorder.record(CoordinatorEvent(at: Self.at(2), .instanceUnready(Self.web1, reason: "check failed")))
        recorder.record(CoordinatorEvent(at: Self.at(3), .instanceReady(Self.web1)))
        recorder.record(CoordinatorEvent(at: Self.at(4), .instanceFailed(Self.web1, reason: "exit code 1")))
        recorder.record(CoordinatorEvent(at: Self.at(5), .ordered(.start, Self.web1, timeout: nil, drain: nil)))
        let row = recorder.timeline(now: Self.at(7), criticalPath: []).rows[0]
        #expect(row.segments.map(\.phase) == [.starting, .ready, .unready, .ready, .starting])
        #expect(row.segments.last == Timeline.Segment(.starting, from: .seconds(5), to: .seconds(7)))
        #expect(row.marks == [.init(.failed, at: .seconds(4))])
    }

    @Test("Rows follow the order instances were first started; a kill the agent made after the timeout is marked")
    func orderAndAgentKill() {
        var recorder = TimelineRecorder(origin: Self.origin)
        recorder.record(CoordinatorEvent(at: Self.at(0), .agentRegistered(Self.web1, host: "h")))
        recorder.record(CoordinatorEvent(at: Self.at(0), .agentRegistered(Self.database, host: "h")))
        recorder.record(CoordinatorEvent(at: Self.at(1), .ordered(.start, Self.database, timeout: nil, drain: nil)))
        recorder.record(CoordinatorEvent(at: Self.at(2), .ordered(.start, Self.web1, timeout: nil, drain: nil)))
        recorder.record(CoordinatorEvent(at: Self.at(3), .ordered(.stop, Self.web1, timeout: .seconds(1), drain: nil)))
        recorder.record(
            CoordinatorEvent(at: Self.at(4), .serviceStopped("api", .acknowledged(.killedAfterTimeout), after: nil)))
        let rows = recorder.timeline(now: Self.at(5), criticalPath: []).rows
        #expect(rows.map(\.service) == ["database", "api"], "database started first, though api registered first")
        #expect(rows[1].marks == [.init(.killed, at: .seconds(4))])
        #expect(rows[1].outcome == "killed_after_timeout")
    }
}
