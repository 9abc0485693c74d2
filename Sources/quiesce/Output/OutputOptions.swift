import ArgumentParser

/// How a command prints: a table and lines for people, one JSON document, or JSON lines.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// Progress lines and a table on stdout.
    case text
    /// Stdout is one JSON document and nothing else; progress goes to stderr.
    case json
    /// Stdout is one JSON object per line: each progress line as it happens, then the document.
    case jsonLines = "json-lines"
}

/// `-o/--output FORMAT`, `--json`, and `--json-lines` or its other name `--follow`, shared by every
/// command that prints a document.
struct OutputOptions: ParsableArguments {
    @Option(
        name: [.customShort("o"), .customLong("output")],
        help: ArgumentHelp(
            "text, json (stdout is one JSON document; progress goes to stderr) or json-lines (one JSON object per line: progress, then the document).",
            valueName: "format"))
    var output: OutputFormat?

    @Flag(help: "The same as --output json: stdout is one JSON document and nothing else.")
    var json = false

    @Flag(help: "The same as --output json-lines: one JSON object per line, progress as it happens, then the document.")
    var jsonLines = false

    @Flag(
        help:
            "The same as --json-lines: follow the command on stdout, one JSON object per line, progress as it happens, then the document."
    )
    var follow = false

    func validate() throws {
        _ = try chosen()
    }

    /// The format the flags choose: text unless one of them says otherwise.
    var format: OutputFormat {
        (try? chosen()) ?? .text
    }

    private func chosen() throws -> OutputFormat {
        let given = [output, json ? .json : nil, jsonLines || follow ? .jsonLines : nil].compactMap { $0 }
        guard let first = given.first else { return .text }
        guard given.allSatisfy({ $0 == first }) else {
            throw ValidationError(
                "give one output format: --output text, --output json or --output json-lines (--follow)")
        }
        return first
    }
}
