/// The one rule for what a ZeroMQ endpoint given to Quiesce must look like: `tcp://HOST:PORT`,
/// `ipc://PATH` or `inproc://NAME`. A malformed endpoint is named as such, with what to write,
/// before anything connects, binds or weighs whether it may go without keys.
public enum EndpointSyntax {
    /// What is wrong with `endpoint`, worded to follow `"ENDPOINT" is no endpoint: `; `nil` when it is
    /// well formed.
    public static func problem(in endpoint: String) -> String? {
        let parts = endpoint.split(separator: "://", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            let example = looksLikeHostAndPort(endpoint) ? "tcp://\(endpoint)" : "tcp://127.0.0.1:7700"
            return "it has no scheme; write \(example), or ipc:///PATH for a local socket"
        }
        let scheme = parts[0]
        let address = parts[1]
        switch scheme {
        case "tcp":
            return problem(inTCPAddress: String(address))
        case "ipc", "inproc":
            return address.isEmpty ? "it names no \(scheme == "ipc" ? "socket path" : "name") after \(scheme)://" : nil
        default:
            return "\(scheme):// is not a transport Quiesce uses; write tcp://HOST:PORT or ipc:///PATH"
        }
    }

    /// The problem with `HOST:PORT` after `tcp://`.
    private static func problem(inTCPAddress address: String) -> String? {
        guard let colon = address.lastIndex(of: ":"), !address.hasSuffix("]") else {
            return "it has no port; write tcp://\(address.isEmpty ? "HOST" : address):7700"
        }
        let host = address[..<colon]
        let port = address[address.index(after: colon)...]
        if host.isEmpty { return "it has no host; write tcp://127.0.0.1:\(port.isEmpty ? "7700" : port)" }
        guard let number = Int(port), (1...65535).contains(number), port.allSatisfy(\.isASCII) else {
            return "its port \"\(port)\" is not a number from 1 to 65535; write tcp://\(host):7700"
        }
        return nil
    }

    /// Whether `text` reads as `HOST:PORT`, so that the fix is `tcp://` before it.
    private static func looksLikeHostAndPort(_ text: String) -> Bool {
        guard let colon = text.lastIndex(of: ":") else { return false }
        return !text[..<colon].isEmpty && Int(text[text.index(after: colon)...]) != nil
    }

    /// `"ENDPOINT" is no endpoint: PROBLEM`, for `option` when given (`--coordinator: ...`).
    public static func message(for endpoint: String, problem: String, option: String? = nil) -> String {
        (option.map { "\($0): " } ?? "") + "\"\(endpoint)\" is no endpoint: \(problem)"
    }
}
