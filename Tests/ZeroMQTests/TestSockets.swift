import ZeroMQ

extension Context {
    /// Ends a test: closes `sockets` without lingering, then terminates the context.
    func closeAtOnce(_ sockets: [Socket]) {
        for socket in sockets {
            try? socket.set(.linger, Int32(0))
            socket.close()
        }
        terminate()
    }

    /// A CURVE ROUTER that enforces the ZAP domain `quiesce`, not bound yet, with the REP socket its
    /// ZAP requests go to (bound first, as libzmq requires), when `zapHandler` is true.
    func curveServer(_ keys: CurveKeyPair, zapHandler: Bool = true) throws -> (server: Socket, zap: Socket?) {
        var zap: Socket?
        if zapHandler {
            let handler = try Socket(context: self, type: .rep)
            try handler.bind("inproc://zeromq.zap.01")
            zap = handler
        }
        let server = try Socket(context: self, type: .router)
        try server.set(.zapEnforceDomain, Int32(1))
        try server.setZAPDomain("quiesce")
        try server.makeCurveServer(keys)
        return (server, zap)
    }
}
