import Foundation
import Testing

/// A few hundred bytes of nested YAML aliases, given to the real binary: refused at once, at a line.
@Suite("Alias bombs")
struct AliasBombTests {
    /// Nine sequences of nine aliases of the one before: 10^9 strings once expanded.
    static let bomb =
        (1...8).reduce("x-0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n") { text, level in
            let alias = "*l\(level - 1)"
            return text + "x-\(level): &l\(level) [" + Array(repeating: alias, count: 9).joined(separator: ", ") + "]\n"
        } + "services:\n  api: {}\n"

    @Test("plan refuses a billion laughs in a compose file and in a Quiesce file, in well under the hang bound")
    func planRefuses() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quiesce-bomb-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("bomb.yaml")
        try Self.bomb.write(to: file, atomically: true, encoding: .utf8)
        for flag in ["--compose", "--config"] {
            let clock = ContinuousClock()
            let start = clock.now
            let (status, errors) = try await CommandLineTests.run(["plan", flag, file.path])
            #expect(clock.now - start < .seconds(10), "a hang, not a refusal")
            #expect(status != 0)
            #expect(errors.contains("\(file.path):6: too many aliases expanded (limit 100000 nodes)"), "\(errors)")
        }
    }
}
