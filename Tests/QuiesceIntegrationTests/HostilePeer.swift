import Foundation
import QuiesceTestSupport

/// `hostile_peer.py`, the raw ZMTP and TCP peer of the flood tests, run as a process of its own.
///
/// Floods of hundreds of connections are held there and not in the test process, whose descriptors
/// every test running beside them shares.
enum HostilePeer {
    /// The script, beside this file.
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("hostile_peer.py").path

    /// The port of a `tcp://127.0.0.1:PORT` endpoint.
    static func port(of endpoint: String) -> String { String(endpoint.split(separator: ":").last!) }

    /// The one JSON line the script printed at its end.
    static func summary(_ text: String) -> [String: Any] {
        let line = text.split(separator: "\n").last.map(String.init) ?? ""
        return (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
    }
}

extension Fleet {
    /// Starts `hostile_peer.py ARGUMENTS` as this user, its output in the fleet's `log`.out and `log`.err.
    func startHostilePeer(_ arguments: [String], log: String) throws -> ChildProcess {
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [HostilePeer.script] + arguments
        process.standardOutput = try FileHandle(forWritingTo: outputFile(log + ".out"))
        process.standardError = try FileHandle(forWritingTo: outputFile(log + ".err"))
        try ProcessExit.start(process)
        return process
    }
}
