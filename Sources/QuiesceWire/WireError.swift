import QuiesceCore

/// Why a received message was dropped. Every case is counted and logged by the receiver; none is fatal.
public enum WireError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not the two frames (signature, body) the protocol defines, or more than the limit.
    case wrongFrameCount(Int)
    /// The first frame is not `QSC/1`: another protocol, or another major version.
    case wrongSignature(String)
    /// The body frame exceeds ``WireCodec/maximumBodySize``.
    case bodyTooLarge(Int)
    /// The body is not a JSON object with a `type` and an `id`.
    case malformed(String)
    /// A `type` this version does not know.
    case unknownType(String)
    /// A field the message type requires is missing.
    case missingField(type: String, field: String)
    /// A field holds a value outside its range, such as a negative timeout.
    case outOfRange(type: String, field: String)

    public var description: String {
        switch self {
        case .wrongFrameCount(let count): "expected 2 frames, got \(count)"
        case .wrongSignature(let signature):
            "unsupported protocol signature \"\(PeerText.sanitized(signature, limit: 32))\""
        case .bodyTooLarge(let size): "body of \(size) bytes exceeds the limit"
        case .malformed(let reason): "malformed body: \(reason)"
        case .unknownType(let type): "unknown message type \"\(PeerText.sanitized(type, limit: 64))\""
        case .missingField(let type, let field): "message \"\(type)\" lacks field \"\(field)\""
        case .outOfRange(let type, let field): "message \"\(type)\" has field \"\(field)\" out of range"
        }
    }
}
