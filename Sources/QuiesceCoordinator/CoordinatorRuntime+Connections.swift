import Foundation
import Logging
import QuiesceCore
import QuiesceRuntime
import QuiesceWire
import ZeroMQ

/// The connections' side of the runtime: the ZAP handler, the socket monitor, idle connections, the
/// keys reloaded on SIGHUP, and the refusal of a message its sender may not send.
extension CoordinatorRuntime {
    /// Answers the pending ZAP requests: is the client's key allowed, and as whom. A refusal is
    /// logged here, with the peer's address and key; the monitor counts it as a failed handshake.
    func answerZAP() throws {
        guard let zap = sockets.zap, let authenticator else { return }
        while let request = try zap.receive(maxFrames: 8) {
            let reply = ZAPHandler.reply(to: request, authenticator: authenticator)
            if reply.count > 2, reply[2] != Array("200".utf8), request.frames.count > 6 {
                let key = Z85.encode(request.frames[6])
                if let unlogged = handshakeLog.record("zap \(key)", now: clock.now) {
                    logger.warning(
                        "Connection refused: its key is not allowed",
                        metadata: [
                            "address": "\(String(decoding: request.frames[3], as: UTF8.self))", "key": "\(key)",
                            "refused_since_last_logged": "\(unlogged)",
                        ])
                }
            }
            _ = try zap.send(reply)
        }
    }

    /// Counts the main socket's connections and failed handshakes, drops connections past the cap, and
    /// logs without flooding.
    func readMonitor() throws {
        while let event = try sockets.monitor.next() {
            connections.handle(event, now: clock.now)
            if event.kind == .disconnected { acknowledgements.closed(Int32(bitPattern: event.value)) }
            if event.kind == .accepted { acknowledgements.accepted(Int32(bitPattern: event.value)) }
            guard let failure = event.handshakeFailure else { continue }
            rejections.failedHandshakes += 1
            if let unlogged = handshakeLog.record(failure, now: clock.now) {
                logger.warning(
                    "Handshake failed",
                    metadata: [
                        "reason": "\(failure)", "failed_handshakes": "\(rejections.failedHandshakes)",
                        "unlogged_since_last": "\(unlogged)",
                    ])
            }
        }
    }

    /// Shuts down the main socket's connections that stayed idle carrying neither a registered agent
    /// nor an operator waiting for a report; the monitor is read first.
    func dropIdleConnections() throws {
        try readMonitor()
        connections.dropIdle(now: clock.now) { routingID in
            registry.instance(for: routingID) != nil || watchers.contains { $0.routingID == routingID }
                || events.holdsSubscriber(routingID)
        }
        rejections.droppedIdleConnections = connections.droppedIdle
    }

    /// SIGHUP: reads the key files again; agents whose key was revoked are lost from now on.
    func reloadKeys() {
        guard let authenticator else {
            logger.notice("SIGHUP ignored: no security block, no keys to reload")
            return
        }
        do {
            let revoked = try authenticator.reload()
            authorization.allowedIdentities = authenticator.allowedIdentities
            logger.notice("Keys reloaded", metadata: ["revoked": "\(revoked.sorted())"])
            for identity in revoked where identity.hasPrefix("agent:") {
                perform(machine.agentsLost(of: String(identity.dropFirst("agent:".count)), now: clock.now))
            }
        } catch {
            logger.error("Keys not reloaded; the previous ones stay in force", metadata: ["error": "\(error)"])
        }
    }

    /// Counts and logs a message its sender may not send, and tells the sender what `rule` says.
    func refuse(
        _ envelope: Envelope, from routingID: [UInt8], identity: String?, under rule: Authorization.Rule
    ) {
        rejections.refusedMessages += 1
        if let unlogged = messageLog.record("refused \(identity ?? "none")", now: clock.now) {
            logger.warning(
                "Message refused: its key may not send it",
                metadata: [
                    "type": "\(envelope.message.type)", "identity": "\(identity ?? "none")",
                    "refused": "\(rejections.refusedMessages)", "unlogged_since_last": "\(unlogged)",
                ])
        }
        if let refusal = rule.refusal { send(refusal, to: routingID, replyTo: envelope.id) }
    }
}
