import Foundation

/// Runs Graphviz's `dot` to draw DOT as SVG.
enum Graphviz {
    /// `dot` on this process's PATH, if any.
    static func dot() -> String? {
        GraphRenderer.locate(
            "dot", path: ProcessInfo.processInfo.environment["PATH"],
            isExecutable: FileManager.default.isExecutableFile(atPath:))
    }

    /// What `dot -Tsvg` could not do: it did not start, or it ended with an error.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// `source` drawn by `dot -Tsvg` at `dot`.
    static func svg(_ source: String, dot: String) throws(Failure) -> String {
        // The DOT goes through a file rather than a pipe, so that a `dot` that exits early cannot
        // end this process with SIGPIPE.
        let input = FileManager.default.temporaryDirectory.appendingPathComponent(
            "quiesce-graph-\(UUID().uuidString).dot")
        defer { try? FileManager.default.removeItem(at: input) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: dot)
        process.arguments = ["-Tsvg", input.path]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        let errorText = ReadBuffer()
        let errorsRead = DispatchSemaphore(value: 0)
        do {
            try Data(source.utf8).write(to: input)
            try process.run()
        } catch {
            throw Failure(description: "cannot run \(dot): \(error.localizedDescription)")
        }
        // stderr is read beside stdout, so that neither pipe fills while the other is read.
        DispatchQueue.global().async {
            errorText.data = errors.fileHandleForReading.readDataToEndOfFile()
            errorsRead.signal()
        }
        let svg = output.fileHandleForReading.readDataToEndOfFile()
        errorsRead.wait()
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0,
            let text = String(data: svg, encoding: .utf8), !text.isEmpty
        else {
            let said =
                String(decoding: errorText.data, as: UTF8.self).split(separator: "\n").first.map { ": \($0)" } ?? ""
            throw Failure(description: "\(dot) -Tsvg failed (exit status \(process.terminationStatus))\(said)")
        }
        return text
    }
}

/// What one thread reads from a pipe for another, which looks only after the semaphore that the
/// reader signals once done: no two threads touch it at once.
private final class ReadBuffer: @unchecked Sendable {
    var data = Data()
}
