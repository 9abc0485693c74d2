import CQuiesceSystem
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The release of the agent's start-up pages (`quiesce_release_read_only_file_pages`), run on the
/// test process itself: it must drop file pages from its resident memory and leave it working,
/// relocated read-only data (RELRO) and writable data untouched.
@Suite("Releasing read-only file pages")
struct StartupPagesTests {
    @Test("It drops file pages from the resident memory, and the process goes on with its code and data intact")
    func releasesFilePagesAndKeepsTheProcessWorking() throws {
        let table = (0..<64).map { "entry \($0)" }
        let before = try Self.residentFileKilobytes()
        let released = quiesce_release_read_only_file_pages()
        let after = try Self.residentFileKilobytes()
        #expect(released > 0, "some file pages were resident")
        #expect(after < before, "resident file pages: \(before) kB before, \(after) kB after")
        // Code, type metadata, protocol conformances and string data, all mapped back on touch.
        let described: [any CustomStringConvertible] = [1, "two", 3.5, table.count]
        #expect(described.map(\.description) == ["1", "two", "3.5", "64"])
        #expect(table[63] == "entry 63")
        #expect(String(describing: StartupPagesTests.self) == "StartupPagesTests")
    }

    /// `RssFile` of /proc/self/status, in kB.
    private static func residentFileKilobytes() throws -> Int {
        guard let file = fopen("/proc/self/status", "r") else { throw StatusUnreadable() }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(cString: line)
            if text.hasPrefix("RssFile:") {
                return Int(text.dropFirst(8).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "") ?? 0
            }
        }
        throw StatusUnreadable()
    }

    private struct StatusUnreadable: Error {}
}
