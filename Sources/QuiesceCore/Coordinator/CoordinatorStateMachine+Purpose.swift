extension CoordinatorStateMachine {
    /// Whom a startup or shutdown run works for: the whole fleet, or a targeted operation. It decides
    /// what a stopped agent does next, whether outcomes are journaled, and what the run's end reports.
    enum Purpose: Sendable {
        case fleet
        /// A targeted operation; `stopReport` is the report of its stop step once that is over (the
        /// start step of a restart carries it to the operation's report).
        case operation(Operation, stopReport: ShutdownReport?)

        var isOperation: Bool {
            if case .operation = self { true } else { false }
        }

        /// Whether the agent of instance `id` exits after its stop: at a fleet shutdown, or when that
        /// agent itself asked for the stop.
        func agentExits(_ id: InstanceID) -> Bool {
            switch self {
            case .fleet: true
            case .operation(let operation, _):
                operation.requestedByAgent && operation.service == id.service
                    && (operation.instance == nil || operation.instance == id.instance)
            }
        }
    }
}
