/// "Did you mean" suggestions for a mistyped name: a service, a key, a flag value.
public enum NameSuggestion {
    /// The candidate within an edit distance of 2 (or a third of the name) of `name`, if any.
    public static func closest(to name: String, in candidates: [String]) -> String? {
        let limit = max(2, name.count / 3)
        return
            candidates
            .map { ($0, editDistance(name, $0)) }
            .filter { $0.1 <= limit }
            .min { $0.1 < $1.1 }?.0
    }

    /// ` (did you mean "x"?)`: what follows a mistyped name in a message, for the suggestion `x`.
    public static func phrase(suggesting suggestion: String) -> String {
        " (did you mean \"\(suggestion)\"?)"
    }

    /// The phrase for the candidate ``closest(to:in:)`` finds, or `nil` when none is close to `name`.
    public static func phrase(for name: String, in candidates: [String]) -> String? {
        closest(to: name, in: candidates).map(phrase(suggesting:))
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            previous = current
        }
        return previous[b.count]
    }
}
