/// The order in which a graph is started and stopped, and how long that can take at worst.
///
/// Startup waves are the topological levels of the graph: wave 1 holds the services that depend on
/// nothing, wave *n* the services whose deepest dependency is in wave *n − 1*. Shutdown waves are the
/// reverse levels: wave 1 holds the services nothing depends on, and a service is in the wave after the
/// last of its dependents. Each wave is a barrier, so the worst case of a phase is the sum, over its
/// waves, of the longest timeout in the wave, and its critical path is that slowest service of each wave.
/// Eager (``Scheduling/eager``) a service waits only for what it depends on (or, in a shutdown, for
/// its dependents): the worst case is the longest chain of timeouts through the graph, its critical path.
public struct Plan: Equatable, Sendable {
    /// Startup waves, each sorted by name.
    public let startupWaves: [[String]]
    /// Shutdown waves, each sorted by name.
    public let shutdownWaves: [[String]]
    /// The slowest service (by start timeout) of each startup wave.
    public let startupCriticalPath: [String]
    /// The sum over startup waves of their longest start timeout.
    public let startupWorstCase: Duration
    /// The slowest service (by drain plus stop timeout) of each shutdown wave.
    public let shutdownCriticalPath: [String]
    /// The sum over shutdown waves of their longest drain plus stop timeout.
    public let shutdownWorstCase: Duration
    /// Eager: the chain of dependencies, first started first, whose start timeouts add up the most.
    public let eagerStartupCriticalPath: [String]
    /// Eager: the sum of the start timeouts along ``eagerStartupCriticalPath``.
    public let eagerStartupWorstCase: Duration
    /// Eager: the chain of dependents, first stopped first, whose drains and stop timeouts add up
    /// the most.
    public let eagerShutdownCriticalPath: [String]
    /// Eager: the sum of the drains and stop timeouts along ``eagerShutdownCriticalPath``.
    public let eagerShutdownWorstCase: Duration

    public init(graph: ServiceGraph) {
        startupWaves = Self.levels(of: graph.names) { graph.dependencies(of: $0) }
        shutdownWaves = Self.levels(of: graph.names) { graph.dependents(of: $0) }
        (startupCriticalPath, startupWorstCase) = Self.criticalPath(startupWaves) { graph[$0].startTimeout }
        (shutdownCriticalPath, shutdownWorstCase) = Self.criticalPath(shutdownWaves) { graph[$0].stopBudget }
        (eagerStartupCriticalPath, eagerStartupWorstCase) = Self.longestChain(
            startupWaves, before: { graph.dependencies(of: $0) }, timeout: { graph[$0].startTimeout })
        (eagerShutdownCriticalPath, eagerShutdownWorstCase) = Self.longestChain(
            shutdownWaves, before: { graph.dependents(of: $0) }, timeout: { graph[$0].stopBudget })
    }

    /// The worst case of a shutdown ordered as `scheduling` says.
    public func shutdownWorstCase(_ scheduling: Scheduling) -> Duration {
        scheduling == .waves ? shutdownWorstCase : eagerShutdownWorstCase
    }

    /// The critical path of a shutdown ordered as `scheduling` says.
    public func shutdownCriticalPath(_ scheduling: Scheduling) -> [String] {
        scheduling == .waves ? shutdownCriticalPath : eagerShutdownCriticalPath
    }

    /// The 0-based shutdown wave of each service.
    public func shutdownWaveIndex() -> [String: Int] {
        Self.waveIndex(shutdownWaves)
    }

    /// The 0-based startup wave of each service.
    public func startupWaveIndex() -> [String: Int] {
        Self.waveIndex(startupWaves)
    }

    private static func waveIndex(_ waves: [[String]]) -> [String: Int] {
        var index: [String: Int] = [:]
        for (wave, names) in waves.enumerated() {
            for name in names { index[name] = wave }
        }
        return index
    }

    /// Kahn's algorithm by levels: a node's level is one more than the deepest of its `before` nodes.
    private static func levels(of names: [String], before: (String) -> [String]) -> [[String]] {
        var remaining = Dictionary(uniqueKeysWithValues: names.map { ($0, before($0).count) })
        var after: [String: [String]] = [:]
        for name in names {
            for earlier in before(name) { after[earlier, default: []].append(name) }
        }
        var waves: [[String]] = []
        var current = names.filter { remaining[$0] == 0 }.sorted()
        while !current.isEmpty {
            waves.append(current)
            var next: [String] = []
            for name in current {
                for later in after[name] ?? [] {
                    remaining[later]! -= 1
                    if remaining[later] == 0 { next.append(later) }
                }
            }
            current = next.sorted()
        }
        return waves
    }

    /// The chain whose timeouts add up the most, each service after one it waits for (`before`):
    /// the longest path through the graph, found wave by wave since a wave comes after all it waits for.
    private static func longestChain(
        _ waves: [[String]], before: (String) -> [String], timeout: (String) -> Duration
    ) -> ([String], Duration) {
        var finish: [String: Duration] = [:]
        var previous: [String: String] = [:]
        for name in waves.joined() {
            // The latest of what it waits for, the first by name among equals.
            let latest = before(name).max { finish[$0]! < finish[$1]! || (finish[$0]! == finish[$1]! && $0 > $1) }
            if let latest { previous[name] = latest }
            finish[name] = (latest.map { finish[$0]! } ?? .zero) + timeout(name)
        }
        let last = waves.joined().max { finish[$0]! < finish[$1]! || (finish[$0]! == finish[$1]! && $0 > $1) }
        var path: [String] = []
        var current = last
        while let name = current {
            path.append(name)
            current = previous[name]
        }
        return (path.reversed(), last.map { finish[$0]! } ?? .zero)
    }

    private static func criticalPath(
        _ waves: [[String]], timeout: (String) -> Duration
    ) -> ([String], Duration) {
        var path: [String] = []
        var total = Duration.zero
        for wave in waves {
            let slowest = wave.max { timeout($0) < timeout($1) || (timeout($0) == timeout($1) && $0 > $1) }!
            path.append(slowest)
            total += timeout(slowest)
        }
        return (path, total)
    }
}
