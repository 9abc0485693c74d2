import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A small client of etcd 3.4's v3 API, through its JSON gateway: keys and values, leases, and the
/// election API. Every call has a timeout and throws an ``EtcdError`` that names the call and the
/// endpoint.
///
/// Given several endpoints (the members of one cluster), a call goes to the one that answered last,
/// and to the next while a connection cannot be made: a call that reached no member at all throws
/// ``EtcdError/unreachable(operation:failures:)``. A call is never sent again once its request may
/// have reached a member: a timeout or a connection closed mid-call is thrown as such (the next
/// call then starts at the next member), since a write may have taken effect.
public final class EtcdClient: Sendable {
    /// The endpoints, in the order given.
    public let endpoints: [String]
    /// How long a call may take when it is given no timeout of its own.
    public let timeout: Duration

    private let members: [EtcdEndpoint]
    private let http: HTTPClient
    /// The member a call tries first: the one that answered last.
    private let preferred = Mutex(0)

    /// The longest answer of a unary call that is read (a range over many keys, a transaction).
    static let answerLimit = 16 << 20
    /// The longest line of a streaming answer that is read.
    static let lineLimit = 1 << 20

    /// - Parameters:
    ///   - endpoints: the cluster's client URLs, such as `["http://10.0.0.5:2379", "http://10.0.0.6:2379"]`.
    ///   - timeout: how long a call may take unless it is given a timeout of its own.
    ///   - connectTimeout: how long making one connection may take before the next endpoint is tried.
    /// - Throws: ``EtcdError/invalidEndpoint(_:problem:)`` for an endpoint that is not `http://HOST:PORT`,
    ///   or when none is given.
    public init(
        endpoints: [String], timeout: Duration = .seconds(5), connectTimeout: Duration = .seconds(2)
    ) throws(EtcdError) {
        guard !endpoints.isEmpty else {
            throw .invalidEndpoint("", problem: "give at least one endpoint, such as http://127.0.0.1:2379")
        }
        var members: [EtcdEndpoint] = []
        for endpoint in endpoints { members.append(try EtcdEndpoint(endpoint)) }
        self.members = members
        self.endpoints = endpoints
        self.timeout = timeout
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .nanoseconds(Self.nanoseconds(connectTimeout)), read: nil)
        // A refused connection fails the call at once, so that the next member is tried, instead of
        // being retried until the connect timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        // Campaigns and observers each hold a connection while they wait.
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 16
        configuration.httpVersion = .http1Only
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        http = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }

    /// Closes the client's connections; every call still running fails. Call it once, when done.
    public func shutdown() async throws {
        try await http.shutdown()
    }

    // MARK: - Calls

    /// Posts `request` to `path` and decodes the answer as `Response`.
    func unary<Request: Encodable & Sendable, Response: Decodable & Sendable>(
        _ operation: String, _ path: String, _ request: Request, as response: Response.Type,
        timeout: Duration? = nil
    ) async throws(EtcdError) -> (Response, endpoint: String) {
        try await exchange(operation, path, request, timeout: timeout ?? self.timeout) { answer, endpoint in
            let bytes = try await Self.whole(answer, operation, endpoint)
            return (try Self.decode(Response.self, bytes, operation, endpoint), endpoint.base)
        }
    }

    /// Posts `request` to a streaming `path` and decodes the first message of the answer as `Response`.
    func firstOfStream<Request: Encodable & Sendable, Response: Decodable & Sendable>(
        _ operation: String, _ path: String, _ request: Request, as response: Response.Type
    ) async throws(EtcdError) -> (Response, endpoint: String) {
        try await exchange(operation, path, request, timeout: timeout) { answer, endpoint in
            try Self.checkStatus(answer, operation, endpoint)
            var lines = JSONLines(limit: Self.lineLimit)
            for try await chunk in answer.body {
                if let line = try lines.append(chunk.readableBytesView).first {
                    return (try Self.streamMessage(Response.self, line, operation, endpoint), endpoint.base)
                }
            }
            guard let line = lines.finish() else {
                throw EtcdError.connectionLost(
                    operation: operation, endpoint: endpoint.base, detail: "the stream ended without a message")
            }
            return (try Self.streamMessage(Response.self, line, operation, endpoint), endpoint.base)
        }
    }

    /// Posts `request` to a streaming `path` and yields each message of the answer as `Response`,
    /// until the stream ends (with an error: etcd's streams do not end by themselves) or the consumer
    /// stops listening. Only the connection and the answer's head are bounded by the timeout.
    func stream<Request: Encodable & Sendable, Response: Decodable & Sendable>(
        _ operation: String, _ path: String, _ request: Request, as response: Response.Type
    ) -> AsyncThrowingStream<Response, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do throws(EtcdError) {
                    let (answer, endpoint) = try await self.exchange(operation, path, request, timeout: self.timeout) {
                        answer, endpoint in
                        try Self.checkStatus(answer, operation, endpoint)
                        return (answer, endpoint)
                    }
                    try await Self.forward(answer, endpoint, operation, into: continuation)
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private static func forward<Response: Decodable & Sendable>(
        _ answer: HTTPClientResponse, _ endpoint: EtcdEndpoint, _ operation: String,
        into continuation: AsyncThrowingStream<Response, any Error>.Continuation
    ) async throws(EtcdError) {
        var lines = JSONLines(limit: lineLimit)
        do {
            for try await chunk in answer.body {
                for line in try lines.append(chunk.readableBytesView) {
                    continuation.yield(try streamMessage(Response.self, line, operation, endpoint))
                }
            }
        } catch let error as EtcdError {
            throw error
        } catch is JSONLines.TooLong {
            throw .badResponse(operation: operation, endpoint: endpoint.base, detail: "a line past \(lineLimit) bytes")
        } catch {
            if Task.isCancelled {
                continuation.finish()
                return
            }
            throw .connectionLost(operation: operation, endpoint: endpoint.base, detail: "\(error)")
        }
        if Task.isCancelled {
            continuation.finish()
            return
        }
        throw .connectionLost(operation: operation, endpoint: endpoint.base, detail: "the stream ended")
    }

    /// Sends `request` to the preferred member, and to the next while no connection can be made,
    /// then hands the answer to `read`; all of it within `timeout`.
    private func exchange<Request: Encodable & Sendable, Result: Sendable>(
        _ operation: String, _ path: String, _ request: Request, timeout: Duration,
        read: @escaping @Sendable (HTTPClientResponse, EtcdEndpoint) async throws -> Result
    ) async throws(EtcdError) -> Result {
        let body: [UInt8]
        do {
            body = Array(try JSONEncoder().encode(request))
        } catch {
            throw .badResponse(
                operation: operation, endpoint: "(none)", detail: "the request cannot be encoded: \(error)")
        }
        let deadline = ContinuousClock.now + timeout
        var failures: [EtcdError.EndpointFailure] = []
        let first = preferred.withLock { $0 }
        for offset in members.indices {
            let index = (first + offset) % members.count
            let endpoint = members[index]
            let started = ContinuousClock.now
            do {
                let result = try await Self.within(deadline) { [http] in
                    var call = HTTPClientRequest(url: endpoint.url(path))
                    call.method = .POST
                    call.headers.add(name: "Content-Type", value: "application/json")
                    call.body = .bytes(body)
                    let answer = try await http.execute(call, deadline: Self.nioDeadline(deadline))
                    return try await read(answer, endpoint)
                }
                guard let result else {
                    preferred.withLock { $0 = (index + 1) % members.count }
                    throw EtcdError.timedOut(operation: operation, endpoint: endpoint.base, after: timeout)
                }
                preferred.withLock { $0 = index }
                return result
            } catch let error as EtcdError {
                throw error
            } catch is JSONLines.TooLong {
                throw .badResponse(
                    operation: operation, endpoint: endpoint.base, detail: "a line past \(Self.lineLimit) bytes")
            } catch {
                if let reason = Self.connectFailure(error) {
                    failures.append(.init(endpoint: endpoint.base, reason: reason))
                    if ContinuousClock.now < deadline { continue }
                    break
                }
                if Task.isCancelled {
                    throw .cancelled(operation: operation, endpoint: endpoint.base)
                }
                preferred.withLock { $0 = (index + 1) % members.count }
                if ContinuousClock.now >= deadline {
                    throw .timedOut(operation: operation, endpoint: endpoint.base, after: ContinuousClock.now - started)
                }
                throw .connectionLost(operation: operation, endpoint: endpoint.base, detail: "\(error)")
            }
        }
        throw .unreachable(operation: operation, failures: failures)
    }

    // MARK: - Helpers

    /// Runs `body`, and returns `nil` if `deadline` passes first (`body` is then cancelled).
    private static func within<T: Sendable>(
        _ deadline: ContinuousClock.Instant, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T? {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try? await Task.sleep(until: deadline, clock: .continuous)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { return nil }
            return first
        }
    }

    /// Why a connection could not be made, or `nil` when `error` is not that: the request surely
    /// never reached the member, so the next one may be tried.
    private static func connectFailure(_ error: any Error) -> String? {
        if let error = error as? NIOConnectionError {
            let reasons = error.connectionErrors.map { "\($0.error)" }
            if let dns = error.dnsAError ?? error.dnsAAAAError, reasons.isEmpty { return "cannot resolve: \(dns)" }
            return reasons.isEmpty ? "cannot connect" : "cannot connect (\(reasons.joined(separator: "; ")))"
        }
        if let error = error as? HTTPClientError, error == .connectTimeout {
            return "no connection within the connect timeout"
        }
        if let error = error as? ChannelError, case .connectTimeout = error {
            return "no connection within the connect timeout"
        }
        if let error = error as? IOError, [ECONNREFUSED, EHOSTUNREACH, ENETUNREACH].contains(error.errnoCode) {
            return "cannot connect (\(error))"
        }
        return nil
    }

    private static func checkStatus(
        _ answer: HTTPClientResponse, _ operation: String, _ endpoint: EtcdEndpoint
    ) throws(EtcdError) {
        guard answer.status != .ok else { return }
        throw .badResponse(
            operation: operation, endpoint: endpoint.base,
            detail: "HTTP \(answer.status.code) for a stream: is this etcd 3.4 or later?")
    }

    /// The whole body of a unary answer; an error answer is thrown as etcd worded it.
    private static func whole(
        _ answer: HTTPClientResponse, _ operation: String, _ endpoint: EtcdEndpoint
    ) async throws -> [UInt8] {
        let buffer = try await answer.body.collect(upTo: answerLimit)
        let bytes = Array(buffer.readableBytesView)
        guard answer.status != .ok else { return bytes }
        if let failure = try? JSONDecoder().decode(UnaryErrorJSON.self, from: Data(bytes)), let code = failure.code {
            throw EtcdError.server(
                operation: operation, endpoint: endpoint.base, code: EtcdStatusCode(rawValue: code),
                message: failure.message ?? failure.error ?? "no message")
        }
        throw EtcdError.badResponse(
            operation: operation, endpoint: endpoint.base,
            detail: "HTTP \(answer.status.code): is this etcd 3.4 or later, with its v3 gateway?")
    }

    private static func decode<T: Decodable>(
        _ type: T.Type, _ bytes: [UInt8], _ operation: String, _ endpoint: EtcdEndpoint
    ) throws(EtcdError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch {
            throw .badResponse(operation: operation, endpoint: endpoint.base, detail: "\(error)")
        }
    }

    /// One message of a stream: its `result`, or its `error` thrown as etcd worded it.
    private static func streamMessage<T: Decodable & Sendable>(
        _ type: T.Type, _ line: [UInt8], _ operation: String, _ endpoint: EtcdEndpoint
    ) throws(EtcdError) -> T {
        let message = try decode(StreamLineJSON<T>.self, line, operation, endpoint)
        if let failure = message.error {
            throw .server(
                operation: operation, endpoint: endpoint.base,
                code: EtcdStatusCode(rawValue: failure.grpcCode ?? 2), message: failure.message ?? "no message")
        }
        guard let result = message.result else {
            throw .badResponse(operation: operation, endpoint: endpoint.base, detail: "a message with no result")
        }
        return result
    }

    private static func nioDeadline(_ deadline: ContinuousClock.Instant) -> NIODeadline {
        .now() + .nanoseconds(nanoseconds(max(.zero, deadline - ContinuousClock.now)))
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
