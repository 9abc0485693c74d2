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

    /// What bounds the refusal is the processor time `plan` spends (the shell's `times` reports its
    /// children's), not the wall clock, which on a loaded machine also counts the time `plan` waited
    /// to be scheduled. An unbounded expansion spends its 6 GiB and more than a minute of it.
    @Test(
        "plan refuses a billion laughs in a compose file and in a Quiesce file, in well under a second of processor time"
    )
    func planRefuses() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quiesce-bomb-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("bomb.yaml")
        try Self.bomb.write(to: file, atomically: true, encoding: .utf8)
        for flag in ["--compose", "--config"] {
            let result = try await CommandResult.run(
                URL(fileURLWithPath: "/bin/sh"),
                ["-c", #""$0" plan "$1" "$2"; status=$?; times; exit $status"#, Fleet.binary.path, flag, file.path])
            let spent = try #require(Self.childrenProcessorSeconds(in: result.output), "\(result.output)")
            #expect(spent < 1, "plan spent \(spent) s of processor time: the expansion is not bounded")
            #expect(result.status != 0)
            #expect(
                result.errors.contains("\(file.path):6: too many aliases expanded (limit 100000 nodes)"),
                "\(result.errors)")
        }
    }

    /// The user and system time of the shell's children, from the last line `times` printed
    /// (`0m0.120000s 0m0.030000s`).
    static func childrenProcessorSeconds(in output: String) -> Double? {
        guard let line = output.split(separator: "\n").last else { return nil }
        let seconds = line.split(separator: " ").compactMap { field -> Double? in
            let parts = field.dropLast().split(separator: "m")
            guard parts.count == 2, let minutes = Double(parts[0]), let seconds = Double(parts[1]) else { return nil }
            return minutes * 60 + seconds
        }
        return seconds.count == 2 ? seconds.reduce(0, +) : nil
    }
}
