import QuiesceCore

/// Keeps a fleet of thousands of instances from printing a line per instance per event. For a service
/// that expects more than ``instanceLinesUpTo`` instances, the routine lines about one of its instances
/// (connected; stopped cleanly) are not printed: the caller logs them at debug, and the service gets
/// one line when its last expected instance has connected (later connections, a scale-up or agents
/// coming back, are only logged); its shutdown line counts its instances already. Whatever went wrong with an instance (lost, silent, failed, not stopped cleanly) is
/// printed for every instance of every service, as are the lines of services with fewer instances.
struct ProgressDigest {
    /// Instances a service may expect and still have a line for each routine event of each.
    static let instanceLinesUpTo = 10

    /// What to do with one progress event.
    struct Lines: Equatable {
        /// Lines to print (and send to operators), in order.
        var printed: [String] = []
        /// The event's own line, when it is folded into its service's: for the log at debug.
        var folded: String?
    }

    private let expected: [String: Int]
    /// Connections of each folded service's instances so far.
    private var connected: [String: Int] = [:]

    /// - Parameter expected: the instances each service expects (`instances`).
    init(expected: [String: Int]) {
        self.expected = expected
    }

    /// The instances each service of `graph` expects.
    init(graph: ServiceGraph) {
        self.init(expected: Dictionary(uniqueKeysWithValues: graph.names.map { ($0, graph[$0].instances) }))
    }

    /// Whether the routine events of `service`'s instances are folded.
    func folds(_ service: String) -> Bool {
        (expected[service] ?? 1) > Self.instanceLinesUpTo
    }

    /// The lines for `progress`.
    mutating func lines(for progress: CoordinatorProgress) -> Lines {
        guard let line = ProgressFormatter.line(for: progress) else { return Lines() }
        switch progress {
        case .agentConnected(let id, _) where folds(id.service):
            let count = (connected[id.service] ?? 0) + 1
            let all = expected[id.service] ?? 1
            connected[id.service] = count
            return Lines(
                printed: count == all ? ["\(id.service): \(all) of \(all) instances connected"] : [], folded: line)
        case .instanceFinished(let id, let outcome, _) where folds(id.service) && outcome.isClean:
            return Lines(folded: line)
        default:
            return Lines(printed: [line])
        }
    }
}
