/// The little of HTTP/1.1 that an `http://` readiness check or stop command speaks: where a URL
/// points, the request sent there, and the status code in the first line of the answer. Pure text,
/// no I/O: ``HTTPCall`` sends and reads.
enum PlainHTTP {
    /// Where an `http://` URL points.
    struct Target: Equatable {
        /// The host to connect to: a name, an IPv4 address, or an IPv6 address without brackets.
        var host: String
        var port: Int
        /// The `Host` header's value: the URL's host and port as written.
        var authority: String
        /// The request target: the path and query, `/` when the URL has none.
        var path: String

        /// Reads `http://[user@]host[:port][/path][?query][#fragment]`; `nil` when it is no such URL.
        init?(url: String) {
            guard url.hasPrefix("http://") else { return nil }
            let rest = url.dropFirst("http://".count)
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
            var authority = rest[..<authorityEnd]
            if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
            var pathAndQuery = rest[authorityEnd...]
            if let hash = pathAndQuery.firstIndex(of: "#") { pathAndQuery = pathAndQuery[..<hash] }
            let hostPart: Substring
            let portPart: Substring?
            if authority.hasPrefix("[") {
                guard let close = authority.firstIndex(of: "]") else { return nil }
                hostPart = authority[authority.index(after: authority.startIndex)..<close]
                let after = authority[authority.index(after: close)...]
                guard after.isEmpty || after.hasPrefix(":") else { return nil }
                portPart = after.isEmpty ? nil : after.dropFirst()
            } else if let colon = authority.lastIndex(of: ":") {
                hostPart = authority[..<colon]
                portPart = authority[authority.index(after: colon)...]
            } else {
                hostPart = authority
                portPart = nil
            }
            guard !hostPart.isEmpty else { return nil }
            if let portPart {
                guard !portPart.isEmpty, portPart.count <= 5, portPart.allSatisfy(\.isASCII),
                    portPart.allSatisfy(\.isNumber), let port = Int(portPart), (1...65535).contains(port)
                else { return nil }
                self.port = port
            } else {
                self.port = 80
            }
            host = String(hostPart)
            self.authority = String(authority)
            path = pathAndQuery.hasPrefix("/") ? String(pathAndQuery) : "/" + pathAndQuery
        }
    }

    /// The request for `method` at `target`, closing the connection after the answer. A method
    /// other than GET and HEAD says it sends no body, as servers that read one expect.
    static func request(method: String, to target: Target) -> String {
        var lines = [
            "\(method) \(target.path) HTTP/1.1", "Host: \(target.authority)", "User-Agent: quiesce-agent",
            "Accept: */*", "Connection: close",
        ]
        if method != "GET" && method != "HEAD" { lines.append("Content-Length: 0") }
        return lines.joined(separator: "\r\n") + "\r\n\r\n"
    }

    /// The most bytes read before the status line must have ended.
    static let statusLineLimit = 8192

    /// What the first line of an answer says, once `received` holds it.
    enum StatusLine: Equatable {
        /// More bytes are needed.
        case incomplete
        case status(Int)
        /// Not an HTTP status line, or longer than ``statusLineLimit``.
        case malformed
    }

    /// Reads `HTTP/1.1 200 OK` from the start of `received`.
    static func statusLine(in received: [UInt8]) -> StatusLine {
        guard let end = received.firstIndex(of: UInt8(ascii: "\n")) else {
            return received.count > statusLineLimit ? .malformed : .incomplete
        }
        var line = received[..<end]
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        let words = line.split(separator: UInt8(ascii: " "), maxSplits: 2, omittingEmptySubsequences: false)
        guard words.count >= 2, words[0].starts(with: Array("HTTP/".utf8)), words[1].count == 3,
            words[1].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { return .malformed }
        return .status(words[1].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) })
    }
}
