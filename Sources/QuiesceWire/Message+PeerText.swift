import QuiesceCore

extension Message {
    /// This message with every text its sender wrote (names, hosts, reasons, errors, progress lines,
    /// the text of status and report documents) passed through ``PeerText/sanitized(_:limit:)``.
    ///
    /// ``WireCodec/decode(_:)`` applies it to every message it decodes, so no text a peer sent reaches
    /// a log, a terminal, the state machines or the journal unescaped or uncapped. A start order's
    /// readiness probe is left as it is: it is a setting to carry out, not text to show.
    func sanitizingPeerText() -> Message {
        switch self {
        case .register(let service, let host, let agentPID, let snapshot, let instance):
            .register(
                service: name(service), host: name(host), agentPID: agentPID, snapshot: snapshot,
                instance: instance.map(name))
        case .startFailed(let reason): .startFailed(reason: text(reason))
        case .unready(let reason): .unready(reason: text(reason))
        case .refused(let reason): .refused(reason: text(reason))
        case .standby(let leader, let leaderEpoch): .standby(leader: leader.map(name), leaderEpoch: leaderEpoch)
        case .operationRequest(let kind, let service, let maxUnavailable, let scheduling):
            .operationRequest(kind, service: name(service), maxUnavailable: maxUnavailable, scheduling: scheduling)
        case .progress(let line): .progress(PeerText.sanitized(line, limit: PeerText.lineLimit))
        case .error(let message): .error(text(message))
        case .statusReply(let status): .statusReply(status.sanitizingPeerText())
        case .report(let report): .report(report.sanitizingPeerText())
        case .event(let event): .event(event.sanitizingPeerText())
        case .heartbeat, .started, .ready, .restarting, .exited, .stopRequest, .stopped, .welcome, .start, .stop,
            .kill, .ack, .statusRequest, .shutdownRequest, .eventsRequest:
            self
        }
    }
}

extension StatusDocument {
    fileprivate func sanitizingPeerText() -> StatusDocument {
        var document = self
        document.phase = name(phase)
        document.leadership = leadership.map { leadership in
            var leadership = leadership
            leadership.role = name(leadership.role)
            leadership.leader = leadership.leader.map(name)
            leadership.reason = leadership.reason.map(text)
            return leadership
        }
        document.services = services.map { row in
            var row = row
            row.service = name(row.service)
            row.state = name(row.state)
            row.host = row.host.map(name)
            row.detail = row.detail.map(text)
            row.instance = row.instance.map(name)
            row.instances = row.instances?.map { instance in
                var instance = instance
                instance.instance = name(instance.instance)
                instance.state = name(instance.state)
                instance.host = instance.host.map(name)
                instance.detail = instance.detail.map(text)
                return instance
            }
            return row
        }
        return document
    }
}

extension ReportDocument {
    fileprivate func sanitizingPeerText() -> ReportDocument {
        var document = self
        document.operation = operation.map(text)
        document.termination = name(termination)
        document.criticalPath = criticalPath.map(name)
        document.stillRunningWhenKilled = stillRunningWhenKilled.map(name)
        document.timeline = timeline?.sanitizingPeerText()
        document.startupFailure = startupFailure.map { PeerText.sanitized($0, limit: PeerText.lineLimit) }
        document.services = services.map { entry in
            var entry = entry
            entry.service = name(entry.service)
            entry.outcome = name(entry.outcome)
            entry.detail = text(entry.detail)
            entry.instances = entry.instances?.map { instance in
                var instance = instance
                instance.instance = name(instance.instance)
                instance.outcome = name(instance.outcome)
                instance.detail = text(instance.detail)
                return instance
            }
            return entry
        }
        document.rolling = rolling.map { rolling in
            var rolling = rolling
            rolling.service = name(rolling.service)
            rolling.failure = rolling.failure.map(text)
            rolling.instances = rolling.instances.map { instance in
                var instance = instance
                instance.instance = name(instance.instance)
                instance.outcome = name(instance.outcome)
                instance.detail = text(instance.detail)
                instance.stopOutcome = instance.stopOutcome.map(name)
                return instance
            }
            return rolling
        }
        return document
    }
}

extension EventDocument {
    fileprivate func sanitizingPeerText() -> EventDocument {
        var document = self
        document.type = name(type)
        document.service = service.map(name)
        document.instance = instance.map(name)
        document.host = host.map(name)
        document.reason = reason.map(text)
        document.outcome = outcome.map(name)
        document.run = run.map(name)
        document.operation = operation.map(text)
        document.services = services?.map(name)
        document.rejection = rejection.map(name)
        document.result = result.map(name)
        return document
    }
}

extension TimelineDocument {
    fileprivate func sanitizingPeerText() -> TimelineDocument {
        var document = self
        document.criticalPath = criticalPath.map(name)
        document.rows = rows.map { row in
            var row = row
            row.service = name(row.service)
            row.instance = name(row.instance)
            row.outcome = row.outcome.map(name)
            return row
        }
        return document
    }
}

private func name(_ value: String) -> String { PeerText.sanitized(value, limit: PeerText.nameLimit) }
private func text(_ value: String) -> String { PeerText.sanitized(value, limit: PeerText.textLimit) }
