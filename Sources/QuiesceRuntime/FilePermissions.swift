/// The rules ssh applies to its keys, for Quiesce's key files and the directories it trusts: a secret
/// key is for its owner's eyes only, a public key may be written by its owner only, and a key
/// directory, the state directory or the admin socket's directory must belong to this user or root
/// and be writable by its owner only. A key file's owner is not checked: a container's root often
/// reads keys that another uid made for it (see compose/). Pure: the caller gives what `stat` said
/// (see ``FilePermissions/check(_:as:)``).
public enum FilePermissions {
    /// What a path is to Quiesce, which decides the rule it must follow.
    public enum Role: Sendable, Equatable {
        /// A secret key file (`NAME.key_secret`): no access at all for group or others.
        case secretKey
        /// A public key file (`NAME.key`): nobody but its owner may write it, or could put their own key in it.
        case publicKey
        /// A directory whose files Quiesce trusts, named for the message (`the agents directory
        /// (security.agents_dir)`): nobody but its owner may add, remove or replace a file in it.
        case directory(String)
    }

    /// A refusal: the path, what is wrong with it, and the command that fixes it.
    public struct Problem: Error, CustomStringConvertible, Equatable {
        public var description: String

        public init(description: String) {
            self.description = description
        }
    }

    /// What is wrong with `path`, whose permission bits are `mode` and whose owner is `owner`, for a
    /// process running as `currentUser`; `nil` when nothing is. A directory's owner must be
    /// `currentUser` or root.
    public static func problem(with path: String, as role: Role, mode: UInt32, owner: UInt32, currentUser: UInt32)
        -> Problem?
    {
        let permissions = mode & 0o7777
        if case .directory = role, owner != currentUser, owner != 0 {
            return Problem(
                description:
                    "\(path): \(subject(role))is owned by user \(owner), who is neither this user (\(currentUser)) nor root; "
                    + "run chown \(currentUser) \(path)")
        }
        switch role {
        case .secretKey:
            guard permissions & 0o077 != 0 else { return nil }
            return Problem(
                description:
                    "\(path): the secret key is \(access(permissions)) (mode \(octal(permissions))); run chmod 600 \(path)"
            )
        case .publicKey, .directory:
            guard permissions & 0o022 != 0 else { return nil }
            let consequence =
                role == .publicKey ? "who could put their own key in it" : "who could replace the files in it"
            return Problem(
                description:
                    "\(path): \(subject(role))is \(access(permissions & 0o022)) (mode \(octal(permissions))), "
                    + "\(consequence); run chmod go-w \(path)")
        }
    }

    private static func subject(_ role: Role) -> String {
        switch role {
        case .secretKey: "the secret key "
        case .publicKey: "the public key "
        case .directory(let name): "\(name) "
        }
    }

    /// Who may do what, for the group and others bits of `permissions`: "readable by others",
    /// "readable and writable by group and others".
    private static func access(_ permissions: UInt32) -> String {
        let group = permissions >> 3 & 0o7
        let others = permissions & 0o7
        let who = [group != 0 ? "group" : nil, others != 0 ? "others" : nil].compactMap { $0 }
        let any = group | others
        let what = [
            any & 0o4 != 0 ? "readable" : nil, any & 0o2 != 0 ? "writable" : nil, any & 0o1 != 0 ? "executable" : nil,
        ]
        .compactMap { $0 }
        return "\(what.joined(separator: " and ")) by \(who.joined(separator: " and "))"
    }

    private static func octal(_ permissions: UInt32) -> String {
        let digits = String(permissions, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
