import QuiesceCore

/// Why a call to etcd failed, worded for an operator: each names the call and the endpoint.
public enum EtcdError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No endpoint could be connected to: why, for each one tried.
    case unreachable(operation: String, failures: [EndpointFailure])
    /// The call did not end within its timeout (etcd frozen, overloaded, or a partition).
    case timedOut(operation: String, endpoint: String, after: Duration)
    /// The connection closed before the answer was whole (etcd stopped mid-call). The call may or
    /// may not have taken effect.
    case connectionLost(operation: String, endpoint: String, detail: String)
    /// etcd refused the call, with its status code and message.
    case server(operation: String, endpoint: String, code: EtcdStatusCode, message: String)
    /// The lease does not exist: it expired or was revoked.
    case leaseNotFound(EtcdLease, endpoint: String)
    /// The key given to `proclaim` or `resign` no longer leads its election.
    case notLeader(election: String, endpoint: String)
    /// An answer that is not what etcd's gateway writes (not etcd, or an etcd without the v3 gateway).
    case badResponse(operation: String, endpoint: String, detail: String)
    /// The task making the call was cancelled before the answer came.
    case cancelled(operation: String, endpoint: String)
    /// An endpoint that is not `http://HOST:PORT` or `https://HOST:PORT`.
    case invalidEndpoint(String, problem: String)

    /// An endpoint that could not be connected to, and why.
    public struct EndpointFailure: Equatable, Sendable, CustomStringConvertible {
        public var endpoint: String
        public var reason: String

        public var description: String { "\(endpoint): \(reason)" }
    }

    public var description: String {
        switch self {
        case .unreachable(let operation, let failures):
            "etcd \(operation): no endpoint answered ("
                + failures.map(\.description).joined(separator: "; ")
                + "); check that etcd runs there and that this host may reach it"
        case .timedOut(let operation, let endpoint, let after):
            "etcd \(operation) at \(endpoint): no answer within \(after.configurationText)"
        case .connectionLost(let operation, let endpoint, let detail):
            "etcd \(operation) at \(endpoint): the connection closed before the answer (\(detail))"
        case .server(let operation, let endpoint, let code, let message):
            "etcd \(operation) at \(endpoint): \(message) (\(code))"
        case .leaseNotFound(let lease, let endpoint):
            "etcd at \(endpoint): lease \(lease.id) not found (it expired or was revoked)"
        case .notLeader(let election, let endpoint):
            "etcd at \(endpoint): this key no longer leads election \(election)"
        case .badResponse(let operation, let endpoint, let detail):
            "etcd \(operation) at \(endpoint): not an answer of etcd's v3 JSON gateway (\(detail))"
        case .cancelled(let operation, let endpoint):
            "etcd \(operation) at \(endpoint): cancelled before the answer"
        case .invalidEndpoint(let endpoint, let problem):
            "etcd endpoint \"\(endpoint)\": \(problem)"
        }
    }
}

/// A gRPC status code, as etcd's gateway reports it in `code`.
public struct EtcdStatusCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int

    public init(rawValue: Int) {
        self.rawValue = rawValue
    }

    public static let invalidArgument = EtcdStatusCode(rawValue: 3)
    public static let notFound = EtcdStatusCode(rawValue: 5)
    public static let unavailable = EtcdStatusCode(rawValue: 14)

    private static let names = [
        "OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound", "AlreadyExists",
        "PermissionDenied", "ResourceExhausted", "FailedPrecondition", "Aborted", "OutOfRange", "Unimplemented",
        "Internal", "Unavailable", "DataLoss", "Unauthenticated",
    ]

    /// The code's name and number, such as `NotFound, code 5`.
    public var description: String {
        let name = Self.names.indices.contains(rawValue) ? Self.names[rawValue] : "unknown code"
        return "\(name), code \(rawValue)"
    }
}
