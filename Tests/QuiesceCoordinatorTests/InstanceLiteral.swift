import QuiesceCore

/// In these tests a string literal names an instance: `"api/b"` is instance `b` of `api`, and a
/// plain `"api"` the one instance of `api` the fixtures register, from host `host-api` (an agent that
/// names no instance is the instance its host names).
extension InstanceID: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        let parts = value.split(separator: "/", maxSplits: 1).map(String.init)
        self.init(service: parts[0], instance: parts.count == 2 ? parts[1] : "host-\(parts[0])")
    }
}
