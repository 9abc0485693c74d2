/// One instance of a service: the service's name and the instance's id, unique among that service's
/// connected agents (`quiesce agent --instance ID`, the host name by default).
///
/// The coordinator keys what it knows of agents by it: its registry, its timers, its orders.
public struct InstanceID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var service: String
    public var instance: String

    public init(service: String, instance: String) {
        self.service = service
        self.instance = instance
    }

    /// `api/host-2`, for logs, progress and reports.
    public var description: String { "\(service)/\(instance)" }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.service, lhs.instance) < (rhs.service, rhs.instance)
    }

    // MARK: The rule of an instance id

    /// The most bytes an instance id may hold.
    public static let maximumLength = 64

    /// What makes an instance id unusable.
    public enum Problem: Error, Hashable, Sendable, CustomStringConvertible {
        case empty
        case tooLong(String)
        case disallowedCharacters(String)

        public var description: String {
            switch self {
            case .empty: "an instance id must not be empty"
            case .tooLong(let id):
                "instance id \"\(id)\" is longer than \(InstanceID.maximumLength) bytes; give a shorter one with --instance"
            case .disallowedCharacters(let id):
                "instance id \"\(id)\" may hold only \(ServiceName.allowed); give another with --instance"
            }
        }
    }

    /// What is wrong with `id`, or `nil` when it is a valid instance id: 1 to ``maximumLength`` ASCII
    /// letters, digits, `-`, `_` and `.`, the characters of a host name.
    public static func problem(in id: String) -> Problem? {
        guard !id.isEmpty else { return .empty }
        guard id.utf8.count <= maximumLength else { return .tooLong(String(id.prefix(maximumLength)) + "…") }
        return ServiceName.problem(in: id) == nil ? nil : .disallowedCharacters(id)
    }
}

extension InstanceID {
    /// The instance id of an agent that sent none (an agent of QSC/1.0): its host name, with every
    /// character the rule refuses replaced by `_` and cut to ``maximumLength`` bytes, so that such
    /// agents on different hosts are different instances and one host holds one.
    public static func fromHost(_ host: String) -> String {
        let scalars = host.unicodeScalars.map { scalar -> Character in
            ServiceName.problem(in: String(scalar)) == nil ? Character(scalar) : "_"
        }
        let id = String(scalars.prefix(maximumLength))
        return id.isEmpty ? "_" : id
    }
}
