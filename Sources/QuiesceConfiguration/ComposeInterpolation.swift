import QuiesceCore
import Yams

/// Docker compose reads `$VAR` and `${VAR}` in its values as variables of its own environment, and
/// `$$` as a literal `$`.
extension ConfigurationReader {
    /// `node` with its values as docker compose hands them on: every `$$` becomes `$`. `nil` when a
    /// value in it asks for a variable, which is reported: only docker compose knows its value.
    mutating func composeLiteral(_ node: Node) -> Node? {
        switch node {
        case .scalar(var scalar):
            guard scalar.string.contains("$") else { return node }
            guard let literal = Self.unescapingDollars(scalar.string) else {
                issue(
                    node,
                    "\"\(scalar.string)\" needs variables only docker compose knows; resolve them first with "
                        + "docker compose config > resolved.yaml and pass that file (or write $$ for a literal $)")
                return nil
            }
            scalar.string = literal
            return .scalar(scalar)
        case .mapping(let mapping):
            let pairs = mapping.map { ($0.key, composeLiteral($0.value)) }
            guard pairs.allSatisfy({ $0.1 != nil }) else { return nil }
            return .mapping(Node.Mapping(pairs.map { ($0.0, $0.1!) }, mapping.tag, mapping.style, mapping.mark))
        case .sequence(let sequence):
            let items = sequence.map { composeLiteral($0) }
            guard items.allSatisfy({ $0 != nil }) else { return nil }
            return .sequence(Node.Sequence(items.map { $0! }, sequence.tag, sequence.style, sequence.mark))
        case .alias:
            return node
        }
    }

    /// `text` with each `$$` turned into `$`, or `nil` when it holds a `$` that is not doubled.
    static func unescapingDollars(_ text: String) -> String? {
        var result = ""
        var characters = text.makeIterator()
        while let character = characters.next() {
            if character == "$" {
                guard characters.next() == "$" else { return nil }
            }
            result.append(character)
        }
        return result
    }
}
