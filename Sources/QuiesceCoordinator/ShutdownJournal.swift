import QuiesceCore

/// Where a coordinator keeps the shutdown's intent and each outcome, so that the coordinator that
/// runs the fleet next (the same one started again, or a standby taking over) resumes the shutdown:
/// ``Journal`` in a state directory, or ``EtcdJournal`` for standby coordinators.
///
/// Calls block their caller until the entry is durable: make them from the coordinator's own
/// thread, never from Swift's cooperative pool.
public protocol ShutdownJournal: AnyObject {
    /// The shutdown that began and did not finish, or `nil` when none is pending.
    func pendingShutdown() -> RecordedShutdown?

    /// Makes `entry` durable; the coordinator acts on it only afterwards. ``CoordinatorStateMachine/JournalEntry/shutdownFinished``
    /// marks the end of the shutdown: nothing is pending from then on.
    /// - Throws: ``LeadershipLost`` when this coordinator no longer leads the fleet, so that nothing
    ///   was written and it must stop ordering at once; any other error when the entry could not be
    ///   made durable (it may or may not have been written).
    func append(_ entry: CoordinatorStateMachine.JournalEntry) throws
}

/// A journal write refused because the coordinator making it no longer leads the fleet (its election
/// key is gone, or another coordinator's now leads): nothing was written, and the coordinator must
/// stop ordering at once, since a successor may already be ordering with a higher epoch.
public struct LeadershipLost: Error, Equatable, Sendable, CustomStringConvertible {
    /// The election key this coordinator led with.
    public var key: String
    /// What was not written.
    public var entry: String

    public init(key: String, entry: String) {
        self.key = key
        self.entry = entry
    }

    public var description: String {
        "the journal's \(entry) was not written: election key \(key) no longer leads the fleet; stop ordering"
    }
}
