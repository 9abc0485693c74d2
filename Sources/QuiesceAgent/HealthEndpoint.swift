import NIOCore
import NIOHTTP1
import NIOPosix
import QuiesceRuntime
import Synchronization

/// `GET /healthz` (the agent and its service's process are alive) and `GET /readyz` (the service is
/// ready and not draining), for Kubernetes probes and compose healthcheks, and `GET /metrics`
/// (``AgentMetrics``), for Prometheus. Served by swift-nio's
/// HTTP/1.1 server on one event-loop thread of its own, made only when the endpoint is asked for;
/// the reactor publishes the answers through ``update(_:)``.
///
/// Whoever reaches the port may connect, so the endpoint holds at most `connectionLimit` connections
/// (it accepts no more until one closes; the rest wait in the kernel's backlog, using none of the
/// agent's descriptors) and closes a connection idle for `idleTimeoutSeconds`: a flood can keep the
/// endpoint busy, never take the descriptors the agent's own work needs.
final class HealthEndpoint: Sendable {
    /// How long a connection may stay open without a request before it is closed, in seconds.
    static let idleTimeoutSeconds: Int64 = 5
    /// The most connections held at once, whatever the descriptor limit.
    static let connectionCeiling = 64

    private let state = Mutex(HealthAnswers.State(alive: false, ready: false))
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    /// Starts serving on `host:port` in the background, holding at most `connectionLimit` connections;
    /// returns once listening.
    /// - Throws: ``ListenFailure`` when the address cannot be bound (in use, not this host's, a port
    ///   this user may not open), before the agent has started anything.
    init(host: String, port: Int, connectionLimit: Int) throws {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ConnectionLimit(limit: connectionLimit))
                }
            }
            .childChannelInitializer { [self] channel in
                channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMapThrowing {
                    try channel.pipeline.syncOperations.addHandlers(
                        IdleStateHandler(readTimeout: .seconds(Self.idleTimeoutSeconds)),
                        HealthRequestHandler { path in HealthAnswers.answer(path, self.state.withLock { $0 }) })
                }
            }
        do {
            _ = try bootstrap.bind(host: host, port: port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            switch error {
            case let error as IOError: throw ListenFailure(.health, address: address, code: error.errnoCode)
            case is SocketAddressError: throw ListenFailure(.health, address: address, code: ENODEV)
            default: throw error
            }
        }
    }

    /// Publishes what the endpoints answer from now on.
    func update(_ answers: HealthAnswers.State) {
        state.withLock { $0 = answers }
    }
}

/// Answers each request of a connection, keeping it open as HTTP/1.1 does unless asked to close,
/// and closes it when it has been idle for the endpoint's timeout.
private final class HealthRequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let answer: @Sendable (_ method: HTTPMethod, _ path: String) -> HealthAnswers.Answer
    private var request: HTTPRequestHead?

    init(answer: @escaping @Sendable (_ path: String) -> HealthAnswers.Answer?) {
        self.answer = { method, path in
            method == .GET ? answer(path) ?? .notFound : .notFound
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): request = head
        case .body: break
        case .end:
            guard let head = request else { return }
            request = nil
            let answer = answer(head.method, String(head.uri.prefix { $0 != "?" }))
            var headers = HTTPHeaders([
                ("Server", "quiesce-agent"), ("Date", HealthAnswers.httpDate()),
                ("Content-Length", String(answer.body.utf8.count)),
            ])
            if !answer.body.isEmpty { headers.add(name: "Content-Type", value: answer.contentType) }
            if !head.isKeepAlive { headers.add(name: "Connection", value: "close") }
            let response = HTTPResponseHead(version: head.version, status: answer.status, headers: headers)
            context.write(wrapOutboundOut(.head(response)), promise: nil)
            if !answer.body.isEmpty {
                let body = context.channel.allocator.buffer(string: answer.body)
                context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
            }
            let written = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
            if !head.isKeepAlive {
                let context = NIOLoopBound(context, eventLoop: context.eventLoop)
                written.futureResult.whenComplete { _ in context.value.close(promise: nil) }
            }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}

/// On the listening channel: stops accepting while `limit` connections are open, and accepts again
/// when one of them closes.
private final class ConnectionLimit: ChannelInboundHandler {
    typealias InboundIn = Channel
    typealias InboundOut = Channel

    private let limit: Int
    private var open = 0

    init(limit: Int) {
        self.limit = max(limit, 1)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let connection = unwrapInboundIn(data)
        open += 1
        if open >= limit { context.channel.setOption(.autoRead, value: false).whenFailure { _ in } }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        connection.closeFuture.whenComplete { _ in
            loopBound.value.0.closed(context: loopBound.value.1)
        }
        context.fireChannelRead(data)
    }

    /// Called on the listening channel's event loop when a connection has closed.
    private func closed(context: ChannelHandlerContext) {
        let wasFull = open >= limit
        open -= 1
        if wasFull {
            context.channel.setOption(.autoRead, value: true).whenFailure { _ in }
            context.read()
        }
    }
}
