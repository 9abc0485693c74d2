import Foundation
import QuiesceWire
import Testing

/// Keeps docs/protocol.md honest: its JSON examples are what this codec reads and writes.
@Suite("QSC/1 specification examples")
struct SpecificationExampleTests {
    static func examples() throws -> [String] {
        let specification = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/protocol.md")
        let text = try String(contentsOf: specification, encoding: .utf8)
        var inJSON = false
        var lines: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                inJSON = line == "```json"
                continue
            }
            if inJSON, !line.isEmpty { lines.append(String(line)) }
        }
        return lines
    }

    @Test("docs/protocol.md has JSON examples for every message type")
    func coverage() throws {
        let types = try Self.examples().map { try WireCodec.decode(frames($0)).message.type }
        #expect(Set(types) == allMessageTypes)
    }

    /// Byte for byte, except that the encoder escapes `/` as `\/`, which the examples do not, for legibility.
    @Test("Every JSON example decodes and re-encodes to the same bytes")
    func examplesRoundTrip() throws {
        let examples = try Self.examples()
        try #require(!examples.isEmpty)
        for example in examples {
            let envelope = try WireCodec.decode(frames(example))
            #expect(bodyText(of: envelope).replacingOccurrences(of: #"\/"#, with: "/") == example)
        }
    }
}
