import QuiesceCore
import Yams

extension Node {
    /// The node with YAML merge keys (`<<: *common`) applied in every mapping, as docker compose
    /// applies them: a mapping's own keys win over merged ones, and of several merged mappings the
    /// first wins. The marks stay, so that problems are still reported at their lines.
    var mergingKeys: Node {
        switch self {
        case .mapping(let mapping):
            var merged: [(key: Node, value: Node)] = []
            var own: [(key: Node, value: Node)] = []
            for (key, value) in mapping {
                guard key.tag.rawValue == Tag.Name.merge.rawValue else {
                    own.append((key, value.mergingKeys))
                    continue
                }
                let sources = value.sequence.map(Array.init) ?? [value]
                for source in sources.reversed() {
                    merged += source.mergingKeys.mapping.map(Array.init) ?? []
                }
            }
            // The last of several pairs with one key wins; each key keeps its first place.
            let pairs = merged + own
            var winners: [Node: Node] = [:]
            for pair in pairs { winners[pair.key] = pair.value }
            var seen: Set<Node> = []
            let unique = pairs.compactMap { pair in
                seen.insert(pair.key).inserted ? (pair.key, winners[pair.key]!) : nil
            }
            return .mapping(Node.Mapping(unique, mapping.tag, mapping.style, mapping.mark))
        case .sequence(let sequence):
            return .sequence(Node.Sequence(sequence.map(\.mergingKeys), sequence.tag, sequence.style, sequence.mark))
        case .scalar, .alias:
            return self
        }
    }
}
