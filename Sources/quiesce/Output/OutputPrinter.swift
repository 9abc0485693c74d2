import Foundation
import QuiesceCommandLine

/// Prints a command's progress lines and its final document in the chosen ``OutputFormat``, so that
/// with `json` stdout holds the document alone and with `json-lines` one JSON object per line.
struct OutputPrinter: Sendable {
    let format: OutputFormat

    /// A line of progress, as it happens: stdout for text, stderr for json, a `progress` object for
    /// json-lines.
    func progress(_ line: String) {
        switch format {
        case .text: printLine(line)
        case .json: printError(line)
        case .jsonLines: printLine(JSONText.line(ProgressLine(message: line, time: Self.timestamp(Date()))))
        }
    }

    /// The command's document: `text` for people, the document itself for json, or one line
    /// `{"type": KIND, KIND: document}` for json-lines.
    func document<Document: Encodable>(_ document: Document, kind: String, text: () -> String) {
        switch format {
        case .text: printLine(text())
        case .json: printLine(JSONText.encode(document))
        case .jsonLines: printLine(JSONText.line(TaggedDocument(type: kind, document: document)))
        }
    }

    /// `2026-12-01T16:00:00.125Z`: when a progress line arrived, in UTC to the millisecond.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// `{"type": "progress", "message": ..., "time": ...}`.
    private struct ProgressLine: Encodable {
        var type = "progress"
        var message: String
        var time: String
    }

    /// `{"type": KIND, KIND: document}`.
    private struct TaggedDocument<Document: Encodable>: Encodable {
        var type: String
        var document: Document

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(type, forKey: Key(stringValue: "type"))
            try container.encode(document, forKey: Key(stringValue: type))
        }
    }
}
