import QuiesceCore
import QuiesceWire
import Testing

/// QSC/1.4: a coordinator that does not lead answers `register` and operator requests with
/// `standby`, naming the leader when it knows it, and its `status` says whether it leads.
@Suite("QSC/1.4 standby coordinators")
struct StandbyWireTests {
    @Test("A standby answer names the leader and its epoch when known, and reads back")
    func standbyRoundTrip() throws {
        let known = Envelope(
            id: 4, replyTo: 1, message: .standby(leader: "tcp://10.0.0.5:7700", leaderEpoch: 72_057_594_037_927_950))
        #expect(
            bodyText(of: known)
                == #"{"id":4,"leader":"tcp:\/\/10.0.0.5:7700","leader_epoch":72057594037927950,"reply_to":1,"type":"standby"}"#
        )
        #expect(try WireCodec.decode(WireCodec.encode(known)) == known)
        let unknown = Envelope(id: 5, replyTo: 2, message: .standby(leader: nil, leaderEpoch: nil))
        #expect(bodyText(of: unknown) == #"{"id":5,"reply_to":2,"type":"standby"}"#)
        #expect(try WireCodec.decode(WireCodec.encode(unknown)) == unknown)
    }

    @Test("A leader named with control characters reaches no log unescaped")
    func leaderIsPeerText() throws {
        let decoded = try WireCodec.decode(
            frames(#"{"id":4,"leader":"tcp://a:1\u001b[2J","reply_to":1,"type":"standby"}"#))
        guard case .standby(let leader?, nil) = decoded.message else {
            Issue.record("not a standby answer: \(decoded.message)")
            return
        }
        #expect(!leader.contains("\u{1b}"))
        #expect(leader.hasPrefix("tcp://a:1"))
    }

    @Test("A status says whether its coordinator leads; one of an earlier revision says nothing")
    func statusLeadership() throws {
        let standby = StatusDocument(
            phase: "standby", services: [],
            leadership: LeadershipDocument(.standingBy(leader: "tcp://10.0.0.5:7700", epoch: 9)))
        let reply = Envelope(id: 6, replyTo: 3, message: .statusReply(standby))
        #expect(
            bodyText(of: reply).contains(
                #""leadership":{"leader":"tcp:\/\/10.0.0.5:7700","leader_epoch":9,"role":"standby"}"#))
        #expect(try WireCodec.decode(WireCodec.encode(reply)) == reply)
        #expect(LeadershipDocument(.leading(epoch: 12)) == LeadershipDocument(role: "leader", epoch: 12))
        #expect(LeadershipDocument(.leading(epoch: 12)).leads)
        #expect(!LeadershipDocument(.campaigning(problem: "etcd unreachable")).leads)
        #expect(LeadershipDocument(.campaigning(problem: "etcd unreachable")).reason == "etcd unreachable")

        let earlier = try WireCodec.decode(
            frames(#"{"id":6,"reply_to":3,"status":{"phase":"running","services":[]},"type":"status_reply"}"#))
        guard case .statusReply(let document) = earlier.message else {
            Issue.record("not a status reply: \(earlier.message)")
            return
        }
        #expect(document.leadership == nil)
    }
}
