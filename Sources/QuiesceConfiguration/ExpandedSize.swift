import CYaml

/// The bound on how large a YAML document may grow once its aliases are expanded, checked on the
/// parser's events before anything builds or walks the tree.
///
/// An alias (`*common`) stands for its anchor's whole node, so a walk of the tree visits that node
/// again at every reference: a few hundred bytes of nested aliases (a "billion laughs") describe a
/// tree of billions of nodes, merge keys (`<<: *common`) copy them into every mapping, and Yams
/// itself hashes every mapping key, an alias used as one included, while it builds the tree. The
/// events give each anchor's expanded size when its node ends, so the whole document's size is
/// summed in one pass over the text, whatever it expands to.
enum ExpandedSize {
    /// The most nodes a document may expand to: far beyond any real fleet (a compose file of a
    /// hundred services is a few thousand), and walked in milliseconds.
    static let maximumNodes = 100_000

    /// Why a document is refused: the line to show, and what to do.
    struct Excess: Error, Equatable {
        /// The line of the alias, or of the node, at which the limit was passed.
        var line: Int

        var message: String {
            "too many aliases expanded (limit \(maximumNodes) nodes): this file expands to more than "
                + "\(maximumNodes) nodes; write it with fewer aliases"
        }
    }

    /// Checks that the YAML document `text` expands to at most `limit` nodes. Text the parser cannot
    /// read passes: Yams reports it, with its own wording.
    /// - Throws: ``Excess`` at the first node or alias past the limit.
    static func check(_ text: String, limit: Int = maximumNodes) throws(Excess) {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return }
        defer { yaml_parser_delete(&parser) }
        let bytes = Array(text.utf8)
        try bytes.withUnsafeBufferPointer { buffer throws(Excess) in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            try count(&parser, limit: limit)
        }
    }

    /// Sums the nodes of every document the parser reads, each alias counting as its anchor's node.
    private static func count(_ parser: inout yaml_parser_t, limit: Int) throws(Excess) {
        /// The expanded size of each anchor's node, by name.
        var sizes: [String: Int] = [:]
        /// The sequences and mappings open around the current event: their anchors, and their nodes so far.
        var open: [(anchor: String?, nodes: Int)] = []
        var total = 0
        var event = yaml_event_t()
        /// Counts `nodes` more at the current event, in the total and in the collection around it.
        func add(_ nodes: Int) throws(Excess) {
            total += nodes
            guard total <= limit else { throw Excess(line: Int(event.start_mark.line) + 1) }
            if !open.isEmpty { open[open.count - 1].nodes += nodes }
        }
        while yaml_parser_parse(&parser, &event) == 1 {
            defer { yaml_event_delete(&event) }
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return
            case YAML_SCALAR_EVENT:
                try add(1)
                if let anchor = event.data.scalar.anchor { sizes[String(cString: anchor)] = 1 }
            case YAML_ALIAS_EVENT:
                try add(event.data.alias.anchor.flatMap { sizes[String(cString: $0)] } ?? 1)
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                try add(1)
                let anchor =
                    event.type == YAML_SEQUENCE_START_EVENT
                    ? event.data.sequence_start.anchor : event.data.mapping_start.anchor
                open.append((anchor.map { String(cString: $0) }, 1))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                // Its nodes are in the total already; its parent and its anchor learn its size now.
                guard let closed = open.popLast() else { return }
                if let name = closed.anchor { sizes[name] = closed.nodes }
                if !open.isEmpty { open[open.count - 1].nodes += closed.nodes - 1 }
            default:
                continue
            }
        }
    }
}
