import Foundation

/// One member of an etcd cluster as a client reaches it: `http://HOST:PORT` (or `https://`).
struct EtcdEndpoint: Equatable, Sendable, CustomStringConvertible {
    /// The endpoint as given, without a trailing slash: the base of every call's URL.
    let base: String

    /// Checks `text`, and says what is wrong with it and how to write it.
    init(_ text: String) throws(EtcdError) {
        let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https"
        else {
            throw .invalidEndpoint(text, problem: "write it as http://HOST:PORT, such as http://10.0.0.5:2379")
        }
        guard let host = components.host, !host.isEmpty else {
            throw .invalidEndpoint(text, problem: "it names no host: write it as \(scheme)://HOST:PORT")
        }
        guard components.port != nil else {
            throw .invalidEndpoint(text, problem: "it names no port: etcd's client port is usually 2379")
        }
        guard components.path.isEmpty, components.query == nil, components.fragment == nil,
            components.user == nil, components.password == nil
        else {
            throw .invalidEndpoint(text, problem: "give the scheme, host and port alone (\(scheme)://\(host):PORT)")
        }
        base = trimmed
    }

    /// The URL of a call to `path` (such as `/v3/kv/range`).
    func url(_ path: String) -> String { base + path }

    var description: String { base }
}
