import QuiesceCore
import QuiesceWire

/// A rolling restart's part of the report: one row per instance with its stop and its return, then
/// its rule and how low the ready count went.
enum RollingReportFormatter {
    static func lines(_ rolling: ReportDocument.Rolling) -> [String] {
        let header = ["INSTANCE", "OUTCOME", "STOP ORDERED", "STOPPED", "READY AGAIN"]
        let rows = rolling.instances.map { instance in
            [
                "\(rolling.service)/\(instance.instance)", instance.detail, time(instance.stopOrderedSeconds),
                time(instance.stoppedSeconds), time(instance.readySeconds),
            ]
        }
        let rule =
            "at most \(rolling.maxUnavailable) restarting at once; fewest ready at once: \(rolling.fewestReady) "
            + "(min_ready \(rolling.minReady))"
        return TextTable.render([header] + rows) + ["", rule] + (rolling.failure.map { ["stopped at: \($0)"] } ?? [])
    }

    /// `+1.25 s`: a time since the rolling restart began.
    private static func time(_ seconds: Double?) -> String {
        seconds.map { "+" + Duration.configurationText(seconds: $0) } ?? "-"
    }
}
