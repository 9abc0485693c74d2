import Foundation
import QuiesceCore
import Testing

@testable import QuiesceWire

@Suite("Event and timeline documents")
struct EventDocumentTests {
    @Test("An event's document holds its type, sequence, times and only the fields of its type")
    func eventFields() throws {
        let encoded = WireCodec.encode(Envelope(id: 1, replyTo: 3, message: .event(sampleEvent)))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(encoded[1])) as? [String: Any])
        let event = try #require(object["event"] as? [String: Any])
        #expect(
            Set(event.keys) == [
                "seq", "type", "time", "offset_seconds", "service", "outcome", "clean", "reason", "duration_seconds",
            ])
        #expect(event["type"] as? String == "service_stopped")
        #expect(event["outcome"] as? String == "stopped")
        #expect(event["duration_seconds"] as? Double == 1.25)
    }

    @Test("A wave's and a run's events carry their run, numbers and result")
    func waveAndRunFields() {
        let began = EventDocument(
            CoordinatorEvent(at: .zero, .waveBegan(.startup, number: 1, total: 2, services: ["cache", "database"])),
            seq: 1, time: 0, offset: .zero)
        #expect(
            began.run == "startup" && began.wave == 1 && began.waves == 2 && began.services == ["cache", "database"])
        let ended = EventDocument(
            CoordinatorEvent(
                at: .zero,
                .runEnded(.shutdown, operation: "stop api", after: .seconds(2), result: "completed", exitCode: 0)),
            seq: 2, time: 0, offset: .zero)
        #expect(ended.operation == "stop api" && ended.result == "completed" && ended.exitCode == 0)
        #expect(ended.durationSeconds == 2)
    }

    @Test("A timeline document gives back its timeline; one with an unknown phase or a negative time gives none")
    func timelineRoundTrip() throws {
        let document = try #require(reportWithTimeline.timeline)
        let timeline = try #require(document.timeline)
        #expect(TimelineDocument(timeline) == document)
        var unknown = document
        unknown.rows[0].segments[0].phase = "sleeping"
        #expect(unknown.timeline == nil)
        var negative = document
        negative.rows[0].marks[0].atSeconds = -1
        #expect(negative.timeline == nil)
        var reversed = document
        reversed.rows[0].segments[0].toSeconds = 0.5
        #expect(reversed.timeline == nil, "a segment ends after it begins")
    }

    @Test("Names in an event from a peer arrive escaped")
    func sanitized() throws {
        var event = sampleEvent
        event.service = "api\u{1B}[2J"
        let decoded = try WireCodec.decode(WireCodec.encode(Envelope(id: 1, message: .event(event))))
        guard case .event(let document) = decoded.message else {
            Issue.record("not an event")
            return
        }
        #expect(document.service?.contains("\u{1B}") == false)
    }
}
