import QuiesceCore

/// Quoting for `/bin/sh`, which runs exec readiness checks.
enum ShellQuoting {
    /// A command line that makes `/bin/sh -c` run `arguments` as they are, with no expansion: each
    /// argument bare when it holds only characters the shell takes literally, else in single quotes.
    static func commandLine(_ arguments: [String]) -> String {
        arguments.map(quoted).joined(separator: " ")
    }

    static func quoted(_ argument: String) -> String {
        let literal =
            !argument.isEmpty
            && argument.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                    || "@%+=:,./_-".unicodeScalars.contains($0)
            }
        return literal ? argument : "'" + argument.replacing("'", with: #"'\''"#) + "'"
    }
}
