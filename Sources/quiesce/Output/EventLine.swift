import Foundation
import QuiesceCore
import QuiesceWire

/// The line `quiesce events` prints for an event: its UTC time, its type, what it is about, then
/// its fields as `key=value`.
enum EventLine {
    static func text(_ event: EventDocument) -> String {
        var parts = [timestamp(event.time), event.type]
        if let service = event.service {
            parts.append(event.instance.map { "\(service)/\($0)" } ?? service)
        }
        func add(_ key: String, _ value: String?) {
            if let value { parts.append("\(key)=\(value)") }
        }
        func seconds(_ value: Double?) -> String? { value.map { Duration.configurationText(seconds: $0) } }
        add("run", event.run)
        add("operation", event.operation.map { "\"\($0)\"" })
        add("wave", event.wave.map { wave in event.waves.map { "\(wave)/\($0)" } ?? "\(wave)" })
        add("services", event.services?.joined(separator: ","))
        add("host", event.host)
        add("pid", event.pid.map(String.init))
        add("outcome", event.outcome)
        add("result", event.result)
        add("exit_code", event.exitCode.map(String.init))
        add("rejection", event.rejection)
        add("total", event.total.map(String.init))
        add("timeout", seconds(event.timeoutSeconds))
        add("drain", seconds(event.drainSeconds))
        add("duration", seconds(event.durationSeconds))
        if let reason = event.reason { parts.append("(\(reason))") }
        return parts.joined(separator: " ")
    }

    /// `2026-12-01T15:04:05.123Z`.
    static func timestamp(_ seconds: Double) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }
}
