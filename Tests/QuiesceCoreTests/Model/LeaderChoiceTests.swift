import QuiesceCore
import Testing

@Suite("A tool choosing the leader among several coordinators")
struct LeaderChoiceTests {
    @Test("The one that leads is chosen, wherever it is listed")
    func theLeader() {
        let standby = LeaderChoice.Role.standby(leader: "tcp://b:7700", leaderEpoch: 9)
        #expect(LeaderChoice.leader(among: [standby, .leader(epoch: 9)]) == 1)
        #expect(LeaderChoice.leader(among: [.leader(epoch: 9), standby]) == 0)
    }

    @Test("Of two that say they lead, the highest epoch; of equal epochs, the first")
    func highestEpoch() {
        #expect(LeaderChoice.leader(among: [.leader(epoch: 5), .leader(epoch: 9)]) == 1)
        #expect(LeaderChoice.leader(among: [.leader(epoch: 9), .leader(epoch: 5)]) == 0)
        #expect(LeaderChoice.leader(among: [.leader(epoch: 5), .leader(epoch: 5)]) == 0)
    }

    @Test("A coordinator running alone leads, below any elected leader")
    func alone() {
        #expect(LeaderChoice.leader(among: [.unanswered("timeout"), .alone]) == 1)
        #expect(LeaderChoice.leader(among: [.alone, .leader(epoch: 1 << 56)]) == 1)
    }

    @Test("None leads: no choice, and each coordinator's role is said")
    func noneLeads() {
        let roles: [LeaderChoice.Role] = [
            .standby(leader: nil, leaderEpoch: nil), .notLeading(role: "campaigning", reason: "etcd unreachable"),
            .unanswered("nothing within 5s"),
        ]
        #expect(LeaderChoice.leader(among: roles) == nil)
        #expect(
            LeaderChoice.noLeader(endpoints: ["tcp://a:1", "tcp://b:1", "tcp://c:1"], roles: roles)
                == "none of the 3 coordinators leads: tcp://a:1 standby (no leader known); "
                + "tcp://b:1 campaigning (etcd unreachable); tcp://c:1 no answer: nothing within 5s")
    }

    @Test("Roles read as the status header shows them")
    func text() {
        #expect(LeaderChoice.Role.leader(epoch: 7).text == "leader (epoch 7)")
        #expect(LeaderChoice.Role.alone.text == "leader")
        #expect(
            LeaderChoice.Role.standby(leader: "tcp://a:7700", leaderEpoch: 7).text == "standby (leader tcp://a:7700)")
    }
}
