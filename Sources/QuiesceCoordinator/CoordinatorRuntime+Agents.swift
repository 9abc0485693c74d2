import Foundation
import Logging
import QuiesceCore
import QuiesceRuntime
import QuiesceWire
import ZeroMQ

/// The agents' side of the runtime: registrations, and what a registered agent tells.
extension CoordinatorRuntime {
    /// Judges a registration of instance `id` from `sender` (the key's identity, or the connection).
    func register(
        _ id: InstanceID, host: String, agentPID: Int32, snapshot: AgentSnapshot, routingID: [UInt8], sender: String,
        requestID: UInt64
    ) {
        let service = id.service
        let isConnected = machine.isConnected(id)
        switch admission.registrationReceived(
            of: id, from: sender, on: routingID, registry: registry,
            awaited: !isConnected && configuration.graph.contains(service), isConnected: isConnected, now: clock.now)
        {
        case .rateLimited:
            rejections.rateLimitedRegistrations += 1
            if let unlogged = registrationLog.record("rate limit", now: clock.now) {
                logger.warning(
                    "Registration dropped: too many this second from its sender",
                    metadata: [
                        "service": "\(service)", "instance": "\(id.instance)", "sender": "\(sender)",
                        "dropped": "\(rejections.rateLimitedRegistrations)", "unlogged_since_last": "\(unlogged)",
                    ])
            }
            return
        case .welcomeAgain:
            send(welcome, to: routingID, replyTo: requestID)
            return
        case .register:
            break
        }
        var outcome = machine.agentRegistered(id, host: host, snapshot: snapshot, now: clock.now)
        if case .failure(let refusal) = outcome,
            let previous = RegistrationAdmission.connectionToProbe(
                after: refusal, of: id, on: routingID, registry: registry),
            !send(.heartbeat, to: previous)
        {
            // The connection registered before has closed (its agent restarted or reconnected), which
            // the coordinator had not noticed yet: this registration is its agent coming back.
            closed(id)
            outcome = machine.agentRegistered(id, host: host, snapshot: snapshot, now: clock.now)
        }
        switch outcome {
        case .success(let actions):
            registry.bind(id, to: routingID)
            logger.log(
                level: digest.folds(service) ? .debug : .info, "Agent registered",
                metadata: [
                    "service": "\(service)", "instance": "\(id.instance)", "host": "\(host)",
                    "agent_pid": "\(agentPID)", "snapshot": "\(snapshot)",
                ])
            send(welcome, to: routingID, replyTo: requestID)
            perform(actions)
        case .failure(let refusal):
            events.emit(.registrationRefused(id, reason: refusal.description), now: clock.now)
            logger.warning(
                "Agent refused",
                metadata: [
                    "service": "\(service)", "instance": "\(id.instance)", "host": "\(host)", "reason": "\(refusal)",
                ])
            send(.refused(reason: refusal.description), to: routingID, replyTo: requestID)
        }
    }

    var welcome: Message {
        .welcome(
            heartbeatInterval: configuration.coordinator.heartbeatInterval,
            lostAfter: configuration.coordinator.agentLostAfter)
    }

    func handleAgentMessage(
        _ envelope: Envelope, from id: InstanceID, routingID: [UInt8], descriptor: Int32?
    ) {
        let now = clock.now
        switch envelope.message {
        case .heartbeat:
            events.heartbeatAnswered(by: id, replyTo: envelope.replyTo, now: now)
        case .started(let pid):
            events.emit(.instanceStarted(id, pid: pid), now: now)
            perform(machine.serviceStarted(id, pid: pid, now: now))
        case .ready:
            events.emit(.instanceReady(id), now: now)
            perform(machine.serviceReady(id, now: now))
        case .startFailed(let reason):
            perform(machine.serviceStartFailed(id, message: reason, now: now))
        case .restarting(let status, let attempt, let delay):
            perform(machine.serviceRestarting(id, status: status, attempt: attempt, delay: delay, now: now))
        case .unready(let reason):
            logger.info("Service not ready", metadata: ["instance": "\(id)", "reason": "\(reason)"])
            perform(machine.serviceUnready(id, reason: reason, now: now))
        case .exited(let status):
            acknowledge(envelope, from: routingID, descriptor: descriptor)
            perform(machine.serviceExited(id, status: status, now: now))
        case .stopRequest:
            logger.notice("Agent asks for a coordinated stop of its instance", metadata: ["instance": "\(id)"])
            switch machine.operationRequested(
                Operation(kind: .stop, service: id.service, requestedByAgent: true, instance: id.instance), now: now)
            {
            case .success(let actions):
                perform(actions)
            case .failure(let refusal):
                send(.error(refusal.description), to: routingID, replyTo: envelope.id)
            }
        case .stopped(let outcome):
            acknowledge(envelope, from: routingID, descriptor: descriptor)
            logger.log(
                level: digest.folds(id.service) ? .debug : .info, "Stop acknowledged",
                metadata: ["instance": "\(id)", "outcome": "\(outcome)"])
            perform(machine.stopAcknowledged(id, outcome: outcome, now: now))
        default:
            rejections.malformedMessages += 1
            guard messageLog.record("unexpected \(id)", now: now) != nil else { return }
            logger.warning(
                "Dropped an unexpected message from an agent",
                metadata: ["instance": "\(id)", "type": "\(envelope.message.type)"])
        }
    }

    /// - Parameter descriptor: the connection the report came on, which the agent closes once it has
    ///   read the acknowledgement.
    func acknowledge(_ report: Envelope, from routingID: [UInt8], descriptor: Int32?) {
        send(.ack, to: routingID, replyTo: report.id)
        acknowledgements.sent(on: descriptor, now: clock.now)
    }
}
