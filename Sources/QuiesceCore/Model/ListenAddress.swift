/// A `HOST:PORT` to listen on over HTTP (`coordinator.metrics_bind`, `--metrics-bind`): a host name or
/// address, `[::1]` for IPv6, and a port from 1 to 65535.
public struct ListenAddress: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Reads `text`, or says what is wrong with it and how to write it.
    public static func parse(_ text: String) -> Result<ListenAddress, Problem> {
        guard let colon = text.lastIndex(of: ":") else { return .failure(Problem(text: text)) }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.contains(where: \.isWhitespace), !host.contains("/"),
            let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port)
        else { return .failure(Problem(text: text)) }
        return .success(ListenAddress(host: host, port: port))
    }

    /// `127.0.0.1:9464`, `[::1]:9464`.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    public struct Problem: Error, Hashable, Sendable, CustomStringConvertible {
        public var text: String
        public var description: String {
            "\"\(text)\" is not HOST:PORT (a port from 1 to 65535); write it like 127.0.0.1:9464 or [::1]:9464"
        }
    }
}
