import QuiesceCore
import QuiesceRuntime
import Testing

@Suite("Timer set")
struct TimerSetTests {
    private func at(_ milliseconds: Int) -> Timestamp { Timestamp(sinceOrigin: .milliseconds(milliseconds)) }

    @Test("Expired timers come out earliest first, once, and the next deadline follows")
    func earliestFirst() {
        var timers = TimerSet<String>()
        timers.schedule("c", at: at(30))
        timers.schedule("a", at: at(10))
        timers.schedule("b", at: at(20))
        #expect(timers.nextDeadline == at(10))
        #expect(timers.popExpired(now: at(20)) == ["a", "b"])
        #expect(timers.popExpired(now: at(20)) == [])
        #expect(timers.nextDeadline == at(30))
        #expect(timers.popExpired(now: at(100)) == ["c"])
        #expect(timers.nextDeadline == nil)
    }

    @Test("A moved timer fires at its new deadline only, a cancelled one never")
    func movedAndCancelled() {
        var timers = TimerSet<String>()
        timers.schedule("lost", at: at(10))
        timers.schedule("lost", at: at(50))
        timers.schedule("retransmit", at: at(20))
        timers.cancel("retransmit")
        #expect(timers.nextDeadline == at(50), "stale entries do not wake the loop")
        #expect(timers.popExpired(now: at(49)) == [])
        #expect(timers.popExpired(now: at(50)) == ["lost"])
        timers.schedule("lost", at: at(60))
        timers.schedule("lost", at: at(60))
        #expect(timers.popExpired(now: at(60)) == ["lost"], "rescheduled to the same deadline: fires once")
        timers.schedule("suspect", at: at(90))
        timers.schedule("suspect", at: at(70))
        #expect(timers.nextDeadline == at(70), "moved earlier: the earlier deadline counts")
        #expect(timers.popExpired(now: at(100)) == ["suspect"], "and it fires once")
    }

    @Test("Thousands of moves leave the same answers as a plain table of deadlines")
    func matchesAPlainTable() {
        var timers = TimerSet<Int>()
        var plain: [Int: Timestamp] = [:]
        var generator = SystemRandomNumberGenerator()
        for step in 0..<20_000 {
            let key = Int.random(in: 0..<300, using: &generator)
            if Int.random(in: 0..<10, using: &generator) == 0 {
                timers.cancel(key)
                plain[key] = nil
            } else {
                let deadline = at(step + Int.random(in: 0..<500, using: &generator))
                timers.schedule(key, at: deadline)
                plain[key] = deadline
            }
            if step % 97 == 0 {
                let now = at(step)
                let expired = plain.filter { $0.value <= now }
                #expect(Set(timers.popExpired(now: now)) == Set(expired.keys))
                for key in expired.keys { plain[key] = nil }
                #expect(timers.nextDeadline == plain.values.min())
            }
        }
    }
}
