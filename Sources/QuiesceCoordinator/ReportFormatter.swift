import QuiesceCore
import QuiesceWire

/// The final report as a table, or as JSON for tooling.
public enum ReportFormatter {
    public static func table(_ report: ReportDocument) -> String {
        let header = ["SERVICE", "WAVE", "OUTCOME", "DURATION"]
        let rows = report.services.map { entry in
            [
                entry.service, String(entry.wave), entry.detail,
                entry.durationSeconds.map { Duration.seconds($0).secondsText } ?? "-",
            ]
        }
        var lines = TextTable.render([header] + rows)
        lines.append("")
        lines.append("total: \(Duration.seconds(report.totalSeconds).secondsText)")
        if !report.criticalPath.isEmpty {
            lines.append("critical path: \(report.criticalPath.joined(separator: " -> "))")
        }
        if let failure = report.startupFailure {
            lines.append("startup: \(failure)")
        }
        if !report.stillRunningWhenKilled.isEmpty {
            lines.append("still running when killed: \(report.stillRunningWhenKilled.joined(separator: ", "))")
        }
        let verdict = report.clean ? "clean" : "NOT clean (\(report.termination))"
        lines.append("result: \(verdict), exit code \(report.exitCode)")
        return lines.joined(separator: "\n")
    }

    public static func json<T: Encodable>(_ document: T) -> String {
        JSONText.encode(document)
    }
}
