import QuiesceCore
import QuiesceWire

/// The final report as a table (`--json` prints the document itself, through `JSONText`).
enum ReportFormatter {
    static func table(_ report: ReportDocument) -> String {
        let header = ["SERVICE", "WAVE", "OUTCOME", "DURATION"]
        // A service of several instances is followed by one row per instance, indented.
        let rows = report.services.flatMap { entry in
            let instances = (entry.instances ?? []).count > 1 ? entry.instances ?? [] : []
            return [
                [
                    entry.service, String(entry.wave), entry.detail,
                    entry.durationSeconds.map { Duration.configurationText(seconds: $0) } ?? "-",
                ]
            ]
                + instances.map { instance in
                    [
                        "  \(entry.service)/\(instance.instance)", "", instance.detail,
                        instance.durationSeconds.map { Duration.configurationText(seconds: $0) } ?? "-",
                    ]
                }
        }
        // A targeted start stops nothing: no table then.
        var lines = rows.isEmpty ? [] : TextTable.render([header] + rows) + [""]
        if let rolling = report.rolling { lines += RollingReportFormatter.lines(rolling) + [""] }
        lines.append("total: \(Duration.configurationText(seconds: report.totalSeconds))")
        if let scheduling = report.scheduling { lines.append("scheduling: \(scheduling)") }
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
}
