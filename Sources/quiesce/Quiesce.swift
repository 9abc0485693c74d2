import ArgumentParser

@main
struct Quiesce: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quiesce",
        abstract: "Start and stop a fleet of services in dependency order, across hosts.",
        discussion: """
            A coordinator holds the dependency graph; an agent beside each service runs it. Startup goes \
            wave by wave in dependency order, gated on readiness; shutdown goes wave by wave in reverse, \
            each wave waiting for every acknowledgement or timeout.
            """,
        version: "\(Quiesce.version) (commit \(buildCommit))",
        subcommands: [
            PlanCommand.self, ValidateCommand.self, CoordinatorCommand.self, AgentCommand.self, StatusCommand.self,
            ShutdownCommand.self,
            StopServiceCommand.self, StartServiceCommand.self, RestartServiceCommand.self, KeygenCommand.self,
            EventsCommand.self,
            GraphCommand.self,
            TimelineCommand.self,
        ]
    )

    /// The release this source tree is; `--version` adds the commit it was built from.
    static let version = "0.1.0"
}
