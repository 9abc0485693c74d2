/// The one rule for text a peer supplies (a host name, a reason, an error, a progress line) before
/// anything logs it, prints it or keeps it: control characters are escaped and the length is capped,
/// so that a peer can neither forge a log line nor drive the terminal of whoever reads the output.
///
/// Escaped are the C0 controls and DEL (`\n`, `\r`, `\t` by name, the rest as `\x1B`), the C1 controls
/// (`\x9B`), the line and paragraph separators and the Unicode bidirectional controls (`\u{202E}`).
/// A backslash is kept as it is, so sanitizing is idempotent: sanitized text passes through again
/// unchanged.
public enum PeerText {
    /// The cap for a name: a service, a host, a state or an outcome code.
    public static let nameLimit = 256
    /// The cap for a sentence: a reason, a detail, an error.
    public static let textLimit = 1024
    /// The cap for a line that lists services: a progress line, a startup failure.
    public static let lineLimit = 8192
    /// What ends text that was cut at its cap.
    public static let truncationMark = "…"

    /// `text` with its control characters escaped, cut after `limit` Unicode scalars and then marked
    /// with ``truncationMark``.
    public static func sanitized(_ text: String, limit: Int) -> String {
        var scalars = String.UnicodeScalarView()
        var truncated = false
        for scalar in text.unicodeScalars {
            let escaped = escape(scalar)
            guard scalars.count + escaped.unicodeScalars.count <= limit else {
                truncated = true
                break
            }
            scalars.append(contentsOf: escaped.unicodeScalars)
        }
        return String(scalars) + (truncated ? truncationMark : "")
    }

    /// Whether `text` holds a character ``sanitized(_:limit:)`` escapes.
    public static func hasControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains(where: isControl)
    }

    private static func escape(_ scalar: Unicode.Scalar) -> String {
        guard isControl(scalar) else { return String(scalar) }
        switch scalar {
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        default:
            let hex = String(scalar.value, radix: 16, uppercase: true)
            return scalar.value < 0x100
                ? "\\x" + String(repeating: "0", count: 2 - hex.count) + hex : "\\u{\(hex)}"
        }
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true  // C0, DEL, C1
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true  // bidirectional controls
        case 0x2028, 0x2029: true  // line and paragraph separators
        default: false
        }
    }
}
