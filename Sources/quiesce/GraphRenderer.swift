import ArgumentParser

/// Who draws `quiesce graph --format svg`: Graphviz's `dot` when it is installed, quiesce itself
/// otherwise, or the one the operator names.
enum GraphRenderer: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// Graphviz when `dot` is on PATH, else quiesce's own drawing.
    case auto
    /// `dot -Tsvg`, refused when `dot` is not on PATH.
    case graphviz
    /// quiesce's own drawing, which needs nothing installed.
    case builtin

    /// Who draws, given where `dot` is, if anywhere.
    /// - Returns: `.graphviz(dot)` or `.builtin`.
    /// - Throws: ``Missing`` when Graphviz is asked for and `dot` is nowhere on PATH.
    func drawer(dot: String?) throws(Missing) -> Drawer {
        switch (self, dot) {
        case (.builtin, _), (.auto, nil): return .builtin
        case (.auto, let dot?), (.graphviz, let dot?): return .graphviz(dot: dot)
        case (.graphviz, nil): throw Missing()
        }
    }

    /// Who draws, and with what.
    enum Drawer: Equatable {
        case builtin
        /// Graphviz, through the `dot` at this path.
        case graphviz(dot: String)
    }

    /// `--renderer graphviz` without Graphviz.
    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "--renderer graphviz needs Graphviz's dot on PATH, and there is none; install Graphviz "
                + "(apt-get install graphviz) or give --renderer builtin"
        }
    }

    /// The first executable file `name` in the directories of `path` (a `PATH` value), as
    /// `isExecutable` tells; empty entries are the current directory, as for a shell. No PATH, no `dot`.
    static func locate(_ name: String, path: String?, isExecutable: (String) -> Bool) -> String? {
        guard let path, !path.isEmpty else { return nil }
        for directory in path.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + name
            if isExecutable(candidate) { return candidate }
        }
        return nil
    }
}
