import QuiesceCore

/// The timers a state machine asked for, as data: at most one deadline per key.
///
/// A coordinator of thousands of agents holds two liveness timers per agent and pushes them back at
/// every message, so no operation scans the timers: deadlines sit in a binary heap. A timer pushed
/// back keeps its entry, which, when it reaches the top, goes back in at the new deadline: moving a
/// timer later costs a table update. A timer moved earlier gets a new entry, and the old one, like a
/// cancelled timer's, stays in the heap, recognised as stale by its serial number, until it reaches
/// the top or the heap is rebuilt (when stale entries outnumber the live ones).
public struct TimerSet<Key: Hashable> {
    private struct Entry {
        var deadline: Timestamp
        var serial: UInt64
        var key: Key
    }

    /// The live deadline of each key, with the serial of its entry in the heap.
    private var live: [Key: (deadline: Timestamp, serial: UInt64)] = [:]
    /// A min-heap on (deadline, serial): live entries and stale ones.
    private var heap: [Entry] = []
    private var nextSerial: UInt64 = 0

    public init() {}

    /// Sets (or moves) the deadline of `key`.
    public mutating func schedule(_ key: Key, at deadline: Timestamp) {
        if let current = live[key], current.deadline <= deadline {
            // Its entry in the heap is due no later: it is moved when it reaches the top.
            live[key] = (deadline, current.serial)
            return
        }
        nextSerial += 1
        live[key] = (deadline, nextSerial)
        push(Entry(deadline: deadline, serial: nextSerial, key: key))
        if heap.count > 2 * live.count + 64 { rebuild() }
    }

    public mutating func cancel(_ key: Key) {
        live[key] = nil
    }

    /// The earliest deadline, if any.
    public var nextDeadline: Timestamp? {
        mutating get {
            dropStaleTop()
            return heap.first?.deadline
        }
    }

    /// Removes and returns the keys whose deadline is at or before `now`, earliest first.
    public mutating func popExpired(now: Timestamp) -> [Key] {
        var expired: [Key] = []
        while true {
            dropStaleTop()
            guard let top = heap.first, top.deadline <= now else { return expired }
            popTop()
            live[top.key] = nil
            expired.append(top.key)
        }
    }

    /// Drops stale entries from the top, and puts back at its deadline a timer moved later.
    private mutating func dropStaleTop() {
        while let top = heap.first {
            guard let current = live[top.key], current.serial == top.serial else {
                popTop()
                continue
            }
            guard current.deadline > top.deadline else { return }
            popTop()
            push(Entry(deadline: current.deadline, serial: current.serial, key: top.key))
        }
    }

    private mutating func rebuild() {
        heap = live.map { Entry(deadline: $0.value.deadline, serial: $0.value.serial, key: $0.key) }
        for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
    }

    private static func precedes(_ lhs: Entry, _ rhs: Entry) -> Bool {
        (lhs.deadline, lhs.serial) < (rhs.deadline, rhs.serial)
    }

    private mutating func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.precedes(heap[child], heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func popTop() {
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        if !heap.isEmpty { siftDown(0) }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            var smallest = left
            if left + 1 < heap.count, Self.precedes(heap[left + 1], heap[left]) { smallest = left + 1 }
            guard Self.precedes(heap[smallest], heap[parent]) else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
