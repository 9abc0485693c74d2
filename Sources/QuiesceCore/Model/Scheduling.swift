/// How a startup or a shutdown decides when a service may go: `coordinator.scheduling` in the
/// configuration, `--scheduling` on the coordinator, `--eager` or `--waves` on one run.
public enum Scheduling: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Wave by wave (the default): a wave goes once every service of the wave before it is done, so
    /// each wave waits for the slowest service of the one before.
    case waves
    /// Service by service: a service stops as soon as all its dependents have stopped, and starts as
    /// soon as all its dependencies are ready, whatever the rest of its wave does.
    case eager

    public var description: String { rawValue }
}
