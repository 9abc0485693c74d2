/// What `quiesce status` exits with, as `systemctl is-active` does: whether a service, or an instance
/// of one, is in a state an operator must look at.
public enum StatusExitCode {
    /// No service or instance failed, was lost or timed out.
    public static let healthy: Int32 = 0
    /// A service or an instance failed, was lost or timed out.
    public static let trouble: Int32 = 3

    /// The states that make ``trouble``.
    public static let troubled: Set<ServiceState> = [.failed, .lost, .timedOut]

    /// ``trouble`` when one of `states` is in ``troubled``, ``healthy`` otherwise.
    public static func code(for states: some Sequence<ServiceState>) -> Int32 {
        states.contains(where: troubled.contains) ? trouble : healthy
    }
}
