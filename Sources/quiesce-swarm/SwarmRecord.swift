import Foundation

/// What one swarm process measured, in nanoseconds of the system's monotonic clock
/// (`CLOCK_MONOTONIC`, the same for every process of the host), so that the records of several
/// processes against the same coordinator can be merged.
struct SwarmRecord: Codable, Sendable {
    /// When one wave's first order reached any of this process's agents, when the last of them
    /// answered it, and, for a stop order, when the last answer's acknowledgement arrived (the
    /// coordinator had handled it).
    struct Wave: Codable, Sendable {
        /// Agents of this process in the wave.
        var size = 0
        /// Of them, those that answered, and those whose answer was acknowledged.
        var answered = 0
        var acknowledged = 0
        var firstOrder: UInt64?
        var lastAnswer: UInt64?
        var lastAcknowledgement: UInt64?

        /// An order of this wave reached an agent at `now`.
        mutating func ordered(at now: UInt64) {
            if firstOrder == nil { firstOrder = now }
        }

        /// An agent of this wave answered its order for the first time at `now`.
        mutating func answered(at now: UInt64) {
            answered += 1
            lastAnswer = now
        }

        /// An agent of this wave received the acknowledgement of its answer at `now`.
        mutating func acknowledged(at now: UInt64) {
            acknowledged += 1
            lastAcknowledgement = now
        }
    }

    /// Agents this process simulated.
    var agents = 0
    /// When the first agent connected.
    var began: UInt64 = 0
    /// Agents welcomed, and when the last one was.
    var registered = 0
    var lastWelcome: UInt64?
    /// Registrations refused by the coordinator.
    var refused = 0
    /// Startup waves in order; an order is answered by `ready`.
    var startupWaves: [Wave] = []
    /// Shutdown waves in order; an order is answered by `stopped`.
    var shutdownWaves: [Wave] = []
    /// Orders received again after they were answered (retransmissions).
    var repeatedOrders = 0
    /// Whether every agent answered its stop order before the deadline.
    var complete = false
}

/// The system's monotonic clock, in nanoseconds.
enum MonotonicNanoseconds {
    static var now: UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
