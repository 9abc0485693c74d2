/// One problem in a configuration file, at a line.
public struct ConfigurationIssue: Equatable, Sendable, CustomStringConvertible {
    public var line: Int?
    public var message: String

    public init(line: Int?, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String {
        line.map { "\($0): \(message)" } ?? message
    }
}

/// Every problem found in a configuration file. Printed as one `file:line: message` line each.
public struct ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var issues: [ConfigurationIssue]

    public init(file: String, issues: [ConfigurationIssue]) {
        self.file = file
        self.issues = issues
    }

    public var description: String {
        issues.map { issue in
            issue.line.map { "\(file):\($0): \(issue.message)" } ?? "\(file): \(issue.message)"
        }.joined(separator: "\n")
    }
}
