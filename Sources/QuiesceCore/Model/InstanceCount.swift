/// The rule of a service's instance counts: `instances`, how many the fleet expects, and `min_ready`,
/// the fewest ready instances with which its dependents may run.
///
/// `instances` is an expectation, not a cap: more instances may register (a `--scale` beyond it), up
/// to ``maximum`` per service.
public enum InstanceCount {
    /// The most instances of one service the configuration may expect, and the most the coordinator
    /// keeps a record of; past it a registration of a new instance is refused.
    public static let maximum = 10_000

    /// What is wrong with the pair, or `nil` when `1 ≤ minReady ≤ instances ≤ maximum`.
    public static func problem(instances: Int, minReady: Int) -> String? {
        if instances < 1 { return "instances must be at least 1" }
        if instances > maximum { return "instances must be at most \(maximum)" }
        if minReady < 1 { return "min_ready must be at least 1" }
        if minReady > instances {
            return
                "min_ready (\(minReady)) must be at most instances (\(instances)); lower min_ready or raise instances"
        }
        return nil
    }
}
