/// A command that asks a service to stop, used instead of the stop signal (`nginx -s quit`, an admin
/// endpoint). If it fails, the agent falls back to the stop signal; the stop timeout bounds both.
public enum StopCommand: Hashable, Sendable, CustomStringConvertible {
    /// `/bin/sh -c command`; it fails unless it exits with 0.
    case exec(String)
    /// An HTTP request; it fails unless it answers 2xx or 3xx.
    case http(method: String, url: String)

    /// Parses `POST http://127.0.0.1:8080/shutdown` or a bare URL (POST).
    public static func http(_ text: String) -> StopCommand? {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let (method, url) = parts.count == 2 ? (parts[0].uppercased(), parts[1]) : ("POST", parts.first ?? "")
        guard parts.count <= 2, method.allSatisfy(\.isLetter), case .http = ReadinessProbe.Check.http(url) else {
            return nil
        }
        return .http(method: method, url: url)
    }

    public var description: String {
        switch self {
        case .exec(let command): command
        case .http(let method, let url): "\(method) \(url)"
        }
    }
}
