/// The rule every service name follows: one or more ASCII letters, digits, `-`, `_` and `.`.
///
/// A service's name is also a file name: the coordinator looks its agent's key up as
/// `agents_dir/NAME.key`, and `quiesce keygen NAME` writes it. One rule for both keeps every name the
/// configuration accepts a key `keygen` can write, and the reverse.
public enum ServiceName {
    /// What makes a name unusable.
    public enum Problem: Error, Hashable, Sendable, CustomStringConvertible {
        /// The name is empty.
        case empty
        /// The name holds something other than ASCII letters, digits, `-`, `_` and `.`.
        case disallowedCharacters(String)

        public var description: String {
            switch self {
            case .empty: "a service name must not be empty"
            case .disallowedCharacters(let name): "service name \"\(name)\" may hold only \(ServiceName.allowed)"
            }
        }
    }

    /// The characters a name may hold, in words, for messages.
    public static let allowed = "letters, digits, '-', '_' and '.'"

    /// What is wrong with `name`, or `nil` when it is a valid service name.
    public static func problem(in name: String) -> Problem? {
        guard !name.isEmpty else { return .empty }
        let valid = name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                || "-_.".unicodeScalars.contains($0)
        }
        return valid ? nil : .disallowedCharacters(name)
    }
}
