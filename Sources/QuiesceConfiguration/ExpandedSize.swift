import Yams

/// The bound on how large a YAML document may grow once its aliases are expanded, checked before
/// anything else reads it.
///
/// Yams resolves an alias (`*common`) to its anchor's node, so a walk of the tree visits that node
/// again at every reference: a few hundred bytes of nested aliases (a "billion laughs") describe a
/// tree of billions of nodes, and merge keys (`<<: *common`) copy them into every mapping. Counting
/// the nodes a walk would visit, and stopping at the limit, keeps every later walk within it too.
enum ExpandedSize {
    /// The most nodes a document may expand to: far beyond any real fleet (a compose file of a
    /// hundred services is a few thousand), and walked in milliseconds.
    static let maximumNodes = 100_000

    /// Why a document is refused: the line to show, and what to do.
    struct Excess: Error, Equatable {
        /// Where the limit was passed, or, inside a copy an alias made, where that copy was made: the
        /// key whose value is the alias, or the sequence holding it.
        var line: Int?

        var message: String {
            "too many aliases expanded (limit \(maximumNodes) nodes): this file expands to more than "
                + "\(maximumNodes) nodes; write it with fewer aliases"
        }
    }

    /// Checks that `root` expands to at most `limit` nodes, visiting at most `limit + 1` of them.
    /// - Throws: ``Excess`` at the first node past the limit.
    static func check(_ root: Node, limit: Int = maximumNodes) throws(Excess) {
        /// A node to visit, whether its parent lies inside a copy an alias made, and the line to report
        /// if it is a copy itself: its key's for a mapping's value, else its parent's.
        typealias Visit = (node: Node, parentIsCopy: Bool, copyLine: Int?)
        var pending: [Visit] = [(root, false, root.mark?.line)]
        // Yams keeps no trace of an alias but its target's mark: nodes of the document itself come in
        // the order of their marks, so a node that starts before one already seen is a copy.
        var furthest = (line: 0, column: 0)
        var count = 0
        while let visit = pending.popLast() {
            let mark = visit.node.mark.map { (line: $0.line, column: $0.column) } ?? furthest
            let isCopy = visit.parentIsCopy || mark < furthest
            let line = isCopy ? visit.copyLine : mark.line
            count += 1
            guard count <= limit else { throw Excess(line: line) }
            if !isCopy { furthest = mark }
            var children: [Visit] = []
            switch visit.node {
            case .mapping(let mapping):
                for (key, value) in mapping {
                    children += [(key, isCopy, line), (value, isCopy, isCopy ? line : key.mark?.line)]
                }
            case .sequence(let sequence): children = sequence.map { ($0, isCopy, line) }
            case .scalar, .alias: break
            }
            // In reverse, so that the stack visits them in document order.
            pending += children.reversed()
        }
    }
}
