/// A list of coordinator endpoints, `tcp://a:7700,tcp://b:7700`: the coordinators of a fleet, of
/// which one leads and the others stand by (docs/protocol.md §7.11). Each is checked by
/// ``EndpointSyntax``; none may appear twice.
public enum EndpointList {
    /// The endpoints of `text`, separated by commas (blanks around each are ignored), or what is wrong
    /// with it, worded to follow `OPTION: `.
    public static func parse(_ text: String) -> Result<[String], Problem> {
        let endpoints = text.split(separator: ",", omittingEmptySubsequences: false).map {
            String($0.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        }
        var seen: Set<String> = []
        for endpoint in endpoints {
            if endpoint.isEmpty { return .failure(Problem(description: Self.emptyItem(in: text))) }
            if let problem = EndpointSyntax.problem(in: endpoint) {
                return .failure(Problem(description: EndpointSyntax.message(for: endpoint, problem: problem)))
            }
            guard seen.insert(endpoint).inserted else {
                return .failure(
                    Problem(description: "\"\(endpoint)\" is given twice; name each coordinator once"))
            }
        }
        return .success(endpoints)
    }

    private static func emptyItem(in text: String) -> String {
        "\"\(text)\" has an empty endpoint; separate endpoints with single commas: tcp://a:7700,tcp://b:7700"
    }

    /// What is wrong with a list of endpoints.
    public struct Problem: Error, Hashable, Sendable, CustomStringConvertible {
        public var description: String
    }
}
