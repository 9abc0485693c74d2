import ArgumentParser
import QuiesceCore
import QuiesceWire

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print the startup and shutdown waves and the critical path, without any network."
    )

    @OptionGroup(title: "Fleet") var fleetFile: FleetFileOptions

    @OptionGroup(title: "Output") var output: OutputOptions

    func run() throws {
        let configuration = try fleetFile.load()
        let plan = Plan(graph: configuration.graph)
        OutputPrinter(format: output.format).document(
            PlanDocument(
                plan: plan, scheduling: configuration.coordinator.scheduling,
                standby: configuration.coordinator.ha.map {
                    PlanDocument.Standby($0, bind: configuration.coordinator.bind)
                }), kind: "plan"
        ) {
            Self.text(plan, configuration).joined(separator: "\n")
        }
    }

    /// The plan as people read it.
    static func text(_ plan: Plan, _ configuration: Configuration) -> [String] {
        let graph = configuration.graph
        var lines = ["startup waves (a wave starts once the previous one is ready):"]
        for (index, wave) in plan.startupWaves.enumerated() {
            lines.append("  \(index + 1): \(wave.joined(separator: ", "))")
        }
        lines.append("shutdown waves (a wave stops once the previous one has stopped):")
        for (index, wave) in plan.shutdownWaves.enumerated() {
            lines.append("  \(index + 1): \(wave.joined(separator: ", "))")
        }
        let shutdownPath = plan.shutdownCriticalPath.map { "\($0) (\(graph[$0].stopTimeout.configurationText))" }
        lines.append("shutdown critical path: \(shutdownPath.joined(separator: " -> "))")
        lines.append(
            "shutdown worst case: \(plan.shutdownWorstCase.configurationText) (deadline \(configuration.coordinator.shutdownTimeout.configurationText))"
        )
        let eagerShutdownPath = plan.eagerShutdownCriticalPath.map {
            "\($0) (\(graph[$0].stopBudget.configurationText))"
        }
        lines.append(
            "shutdown worst case, eager: \(plan.eagerShutdownWorstCase.configurationText) "
                + "(critical path: \(eagerShutdownPath.joined(separator: " -> ")))")
        let startupPath = plan.startupCriticalPath.map { "\($0) (\(graph[$0].startTimeout.configurationText))" }
        lines.append("startup critical path: \(startupPath.joined(separator: " -> "))")
        lines.append("startup worst case: \(plan.startupWorstCase.configurationText)")
        let eagerStartupPath = plan.eagerStartupCriticalPath.map {
            "\($0) (\(graph[$0].startTimeout.configurationText))"
        }
        lines.append(
            "startup worst case, eager: \(plan.eagerStartupWorstCase.configurationText) "
                + "(critical path: \(eagerStartupPath.joined(separator: " -> ")))")
        lines.append("scheduling: \(configuration.coordinator.scheduling) (coordinator.scheduling)")
        if let ha = configuration.coordinator.ha {
            lines.append(
                "standby coordinators: elected in etcd (\(ha.etcd.joined(separator: ", "))) under \(ha.key), "
                    + "advertising \(ha.advertised(bind: configuration.coordinator.bind)); lease_ttl "
                    + "\(ha.leaseTTL.configurationText): a dead leader is replaced within about "
                    + "\((ha.leaseTTL + .seconds(1)).configurationText) (coordinator.ha)")
        }
        return lines
    }
}

/// `quiesce plan --json`.
struct PlanDocument: Encodable {
    /// A phase's waves, with their worst case (each wave waiting for the slowest of the one before),
    /// and its worst case eager.
    struct Phase: Encodable {
        var waves: [[String]]
        var criticalPath: [String]
        var worstCaseSeconds: Double
        var eager: Eager
    }

    /// A phase's worst case eager: its critical path, the longest chain of timeouts.
    struct Eager: Encodable {
        var criticalPath: [String]
        var worstCaseSeconds: Double
    }

    /// `coordinator.ha`: the election standby coordinators campaign in.
    struct Standby: Encodable {
        var etcd: [String]
        var key: String
        var leaseTTLSeconds: Double
        var advertise: String

        init(_ settings: StandbySettings, bind: String) {
            etcd = settings.etcd
            key = settings.key
            leaseTTLSeconds = settings.leaseTTL.seconds
            advertise = settings.advertised(bind: bind)
        }
    }

    var startup: Phase
    var shutdown: Phase
    /// `waves` or `eager`: the configuration's `coordinator.scheduling`.
    var scheduling: String
    /// Absent for a coordinator that runs alone.
    var standby: Standby?

    init(plan: Plan, scheduling: Scheduling, standby: Standby? = nil) {
        self.standby = standby
        startup = Phase(
            waves: plan.startupWaves, criticalPath: plan.startupCriticalPath,
            worstCaseSeconds: plan.startupWorstCase.seconds,
            eager: Eager(
                criticalPath: plan.eagerStartupCriticalPath, worstCaseSeconds: plan.eagerStartupWorstCase.seconds))
        shutdown = Phase(
            waves: plan.shutdownWaves, criticalPath: plan.shutdownCriticalPath,
            worstCaseSeconds: plan.shutdownWorstCase.seconds,
            eager: Eager(
                criticalPath: plan.eagerShutdownCriticalPath, worstCaseSeconds: plan.eagerShutdownWorstCase.seconds))
        self.scheduling = scheduling.rawValue
    }
}
