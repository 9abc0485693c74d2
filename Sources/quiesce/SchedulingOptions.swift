import ArgumentParser
import QuiesceCore

/// How a run orders its services, as the command line says it: `--scheduling waves|eager` on the
/// coordinator, `--waves` or `--eager` on one run.
enum SchedulingChoice: String, CaseIterable, EnumerableFlag, ExpressibleByArgument {
    case waves, eager

    var scheduling: Scheduling {
        switch self {
        case .waves: .waves
        case .eager: .eager
        }
    }

    static func help(for value: SchedulingChoice) -> ArgumentHelp? {
        switch value {
        case .waves: "Order the services wave by wave: each wave waits for the whole wave before it."
        case .eager:
            "Order each service as soon as it may: stopped once all its dependents have stopped, started once all its dependencies are ready."
        }
    }
}

/// `--waves` or `--eager` on `shutdown`, `stop`, `start` and `restart`: how this run orders the
/// services; the coordinator's `scheduling` without either.
struct SchedulingFlags: ParsableArguments {
    @Flag(exclusivity: .exclusive) var choice: SchedulingChoice?

    var scheduling: Scheduling? { choice?.scheduling }
}
