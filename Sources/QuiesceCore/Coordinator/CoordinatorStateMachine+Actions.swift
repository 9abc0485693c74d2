extension CoordinatorStateMachine {
    /// An order the runtime delivers to an instance's agent.
    public enum Order: Hashable, Sendable {
        /// Start, checking readiness with the configuration's probe unless the agent has its own, and
        /// restarting the process as the configuration's policy says.
        case start(readiness: ReadinessProbe?, restart: RestartPolicy?)
        /// Report not ready for `drain`, then stop with the stop signal; kill `timeout` after it. With
        /// `exit`, the agent exits once done; without, it stays, ready to start the service again.
        case stop(timeout: Duration, drain: Duration, exit: Bool)
        /// Kill now; `exit` as for `stop`.
        case kill(exit: Bool)
    }

    /// A timer the runtime keeps for the machine; it calls ``CoordinatorStateMachine/timerFired(_:now:)``
    /// when one is due.
    public enum Timer: Hashable, Sendable {
        case startup(StartupStateMachine.Timer)
        case shutdown(ShutdownStateMachine.Timer)
        /// Sends an instance's unanswered order again.
        case retransmit(InstanceID)
        /// Fires when an instance's agent has been silent for `agent_suspect_after`.
        case suspect(InstanceID)
        /// Fires when an instance's agent has been silent for `agent_lost_after`: it is lost.
        case lost(InstanceID)
        /// A restarted coordinator stops waiting for agents and resumes the shutdown.
        case resumeGrace
        /// Every `heartbeat_interval`, from ``start(now:)`` on: the connected agents are sent a heartbeat.
        case heartbeat
        /// An instance a rolling restart stops has not acknowledged its stop by its stop timeout
        /// and `ack_grace`.
        case rollingStop(InstanceID)
        /// An instance a rolling restart started again is not ready by its start timeout.
        case rollingStart(InstanceID)
    }

    /// What the runtime does after an event, in order.
    public enum Action: Equatable, Sendable {
        case send(Order, to: InstanceID)
        /// Tells the instance's agent that the coordinator is alive. A heartbeat that cannot be routed
        /// means the agent's connection closed (``connectionClosed(_:now:)``).
        case sendHeartbeat(to: InstanceID)
        case scheduleTimer(Timer, at: Timestamp)
        case cancelTimer(Timer)
        case progress(CoordinatorProgress)
        /// The shutdown is over: print the report and exit with its exit code.
        case finish(ShutdownReport)
        /// A targeted operation is over.
        case operationFinished(OperationReport)
        /// Append this to the durable journal before going on.
        case journal(JournalEntry)
    }

    /// What the coordinator's journal keeps, so that a restarted coordinator never forgets a shutdown.
    public enum JournalEntry: Hashable, Sendable {
        /// The fleet's shutdown began, ordering the services as `Scheduling` says.
        case shutdownBegan(Scheduling)
        /// A service's outcome, once every instance of it has its own.
        case outcome(String, RecordedOutcome)
        /// An instance's outcome, for a service of several instances.
        case instanceOutcome(InstanceID, RecordedOutcome)
        /// The report was written: nothing is pending.
        case shutdownFinished
    }

    /// Why an agent's registration is refused.
    public enum RegistrationRefusal: Error, Hashable, Sendable, CustomStringConvertible {
        case unknownService(String, suggestion: String?)
        case alreadyConnected(InstanceID)
        /// The service has as many instances recorded as ``InstanceCount/maximum``.
        case tooManyInstances(String)
        case finished

        public var description: String {
            switch self {
            case .unknownService(let name, let suggestion):
                "service \"\(name)\" is not in the coordinator's configuration"
                    + (suggestion.map(NameSuggestion.phrase(suggesting:)) ?? "")
            case .alreadyConnected(let id):
                "an agent for service \"\(id.service)\" is already connected as instance \"\(id.instance)\"; give each agent its own --instance"
            case .tooManyInstances(let name):
                "service \"\(name)\" has \(InstanceCount.maximum) instances already, the most the coordinator keeps"
            case .finished:
                "the coordinator has finished its shutdown"
            }
        }
    }
}
