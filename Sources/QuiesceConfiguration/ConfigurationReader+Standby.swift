import QuiesceCore
import Yams

extension ConfigurationReader {
    /// The `coordinator.ha` block, checked by ``StandbySettings``' rules, each problem at its key;
    /// `nil` when it has any.
    mutating func standbySettings(_ node: Node, bind: String) -> StandbySettings? {
        guard let mapping = mapping(node, what: "coordinator.ha") else { return nil }
        checkKeys(mapping, allowed: ConfigurationLoader.standbyKeys, in: "coordinator.ha")
        let before = issues.count
        var endpoints: [String] = []
        switch mapping["etcd"] {
        case nil:
            issue(node, "coordinator.ha needs etcd: the etcd cluster's client URLs, such as [http://10.0.0.5:2379]")
        case let list? where list.sequence != nil || list.scalar != nil:
            for item in list.sequence.map(Array.init) ?? [list] {
                guard let text = item.string, item.scalar != nil else {
                    issue(item, "coordinator.ha.etcd must list URLs, such as [http://10.0.0.5:2379]")
                    continue
                }
                if let problem = StandbySettings.etcdEndpointProblem(text) {
                    issue(item, "coordinator.ha.etcd: \"\(text)\": \(problem)")
                } else if endpoints.contains(text) {
                    issue(item, "coordinator.ha.etcd lists \"\(text)\" twice; keep one")
                } else {
                    endpoints.append(text)
                }
            }
            if endpoints.isEmpty, issues.count == before {
                issue(list, "coordinator.ha.etcd is empty; list the etcd cluster's client URLs")
            }
        case let list?:
            issue(list, "coordinator.ha.etcd must list URLs, such as [http://10.0.0.5:2379]")
        }
        var key = ""
        if let keyNode = mapping["key"] {
            key = keyNode.string ?? ""
            if let problem = StandbySettings.keyProblem(key) { issue(keyNode, "coordinator.ha.key: \(problem)") }
        } else {
            issue(node, "coordinator.ha needs key: the fleet's election in etcd, one per fleet, such as /quiesce/shop")
        }
        var leaseTTL = StandbySettings.defaultLeaseTTL
        if let ttlNode = mapping["lease_ttl"], let ttl = duration(ttlNode, key: "lease_ttl") {
            if let problem = StandbySettings.leaseTTLProblem(ttl) {
                issue(ttlNode, "coordinator.ha.lease_ttl: \(problem)")
            }
            leaseTTL = ttl
        }
        var advertise: String?
        if let advertiseNode = mapping["advertise"] {
            advertise = advertiseNode.string ?? ""
        }
        // Left out beside a wildcard bind, advertise is each coordinator's own --advertise, as a file
        // every coordinator shares leaves it: the coordinator refuses to start with neither, and
        // `validate` says so (``ConfigurationReview``).
        if advertise != nil, let problem = StandbySettings.advertiseProblem(advertise: advertise, bind: bind) {
            issue(mapping["advertise"], problem)
        }
        guard issues.count == before else { return nil }
        return StandbySettings(etcd: endpoints, key: key, leaseTTL: leaseTTL, advertise: advertise)
    }
}
