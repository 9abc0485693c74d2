import ArgumentParser
import QuiesceCore

/// `--etcd`, `--ha-key` and `--advertise` of the coordinator: they override the `coordinator.ha`
/// block, or make one with the file's other settings.
struct StandbyOptions: ParsableArguments {
    @Option(
        name: .customLong("etcd"),
        help: ArgumentHelp(
            "An etcd client URL of the cluster that elects the fleet's leader, overriding coordinator.ha.etcd; repeat it for each member.",
            valueName: "http://host:port"))
    var etcd: [String] = []

    @Option(
        name: .customLong("ha-key"),
        help: ArgumentHelp(
            "The fleet's election in etcd, overriding coordinator.ha.key: one per fleet, such as /quiesce/shop.",
            valueName: "key"))
    var key: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The endpoint agents and the other coordinators reach this one at, overriding coordinator.ha.advertise; needed when the bound endpoint is a wildcard address.",
            valueName: "tcp://host:port"))
    var advertise: String?

    func validate() throws {
        var seen: Set<String> = []
        for url in etcd {
            if let problem = StandbySettings.etcdEndpointProblem(url) {
                throw ValidationError("--etcd \"\(url)\": \(problem)")
            }
            guard seen.insert(url).inserted else { throw ValidationError("--etcd \"\(url)\" is given twice; keep one") }
        }
        if let key, let problem = StandbySettings.keyProblem(key) { throw ValidationError("--ha-key: \(problem)") }
    }

    /// The settings the coordinator runs with: `file`'s block (`coordinator.ha`) with what the flags
    /// override, or `nil` when neither asks for standby coordinators.
    /// - Parameter bind: the endpoint the coordinator binds, after `--bind`.
    /// - Throws: ``ValidationError`` naming what is missing or wrong, and how to give it.
    func settings(overriding file: StandbySettings?, bind: String) throws -> StandbySettings? {
        var settings = file
        if settings == nil {
            guard !etcd.isEmpty else {
                guard key == nil, advertise == nil else {
                    throw ValidationError(
                        "--ha-key and --advertise are settings of standby coordinators: give --etcd URL too, or a coordinator.ha block"
                    )
                }
                return nil
            }
            guard let key else {
                throw ValidationError(
                    "--etcd needs --ha-key KEY (or coordinator.ha.key): the fleet's election in etcd, such as /quiesce/shop"
                )
            }
            settings = StandbySettings(etcd: etcd, key: key)
        }
        guard var settings else { return nil }
        if !etcd.isEmpty { settings.etcd = etcd }
        if let key { settings.key = key }
        if let advertise { settings.advertise = advertise }
        if let problem = StandbySettings.advertiseProblem(advertise: settings.advertise, bind: bind) {
            throw ValidationError(advertise != nil ? "--\(problem)" : problem + "; or give --advertise")
        }
        return settings
    }
}
