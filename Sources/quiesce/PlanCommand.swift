import ArgumentParser
import QuiesceCore
import QuiesceWire

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print the startup and shutdown waves and the critical path, without any network."
    )

    @OptionGroup(title: "Fleet") var fleetFile: FleetFileOptions

    @Flag(help: "Print JSON for tooling.")
    var json = false

    func run() throws {
        let configuration = try fleetFile.load()
        let plan = Plan(graph: configuration.graph)
        if json {
            printLine(JSONText.encode(PlanDocument(plan: plan)))
            return
        }
        let graph = configuration.graph
        printLine("startup waves (a wave starts once the previous one is ready):")
        for (index, wave) in plan.startupWaves.enumerated() {
            printLine("  \(index + 1): \(wave.joined(separator: ", "))")
        }
        printLine("shutdown waves (a wave stops once the previous one has stopped):")
        for (index, wave) in plan.shutdownWaves.enumerated() {
            printLine("  \(index + 1): \(wave.joined(separator: ", "))")
        }
        let shutdownPath = plan.shutdownCriticalPath.map { "\($0) (\(graph[$0].stopTimeout.configurationText))" }
        printLine("shutdown critical path: \(shutdownPath.joined(separator: " -> "))")
        printLine(
            "shutdown worst case: \(plan.shutdownWorstCase.configurationText) (deadline \(configuration.coordinator.shutdownTimeout.configurationText))"
        )
        let startupPath = plan.startupCriticalPath.map { "\($0) (\(graph[$0].startTimeout.configurationText))" }
        printLine("startup critical path: \(startupPath.joined(separator: " -> "))")
        printLine("startup worst case: \(plan.startupWorstCase.configurationText)")
    }
}

/// `quiesce plan --json`.
struct PlanDocument: Encodable {
    struct Phase: Encodable {
        var waves: [[String]]
        var criticalPath: [String]
        var worstCaseSeconds: Double
    }

    var startup: Phase
    var shutdown: Phase

    init(plan: Plan) {
        startup = Phase(
            waves: plan.startupWaves, criticalPath: plan.startupCriticalPath,
            worstCaseSeconds: plan.startupWorstCase.seconds)
        shutdown = Phase(
            waves: plan.shutdownWaves, criticalPath: plan.shutdownCriticalPath,
            worstCaseSeconds: plan.shutdownWorstCase.seconds)
    }
}
