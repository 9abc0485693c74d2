/// The body of a message with no fields of its own, encoded and decoded without `JSONEncoder` and
/// `JSONDecoder`: the heartbeat, which a coordinator of thousands of agents receives and sends most
/// (one each way per agent per heartbeat interval), and the acknowledgement, one per report, which
/// every agent of a stopping fleet reads last before it exits.
/// `{"epoch":E,"id":N,"type":"heartbeat"}`, `{"id":N,"type":"heartbeat"}` before a welcome, and
/// either with `"reply_to":R` after `id` (an agent's answer to the coordinator's heartbeat, every
/// acknowledgement), byte for byte what the general path writes (compact, keys sorted).
///
/// Only that exact shape is read here; any other body, one of these messages written otherwise
/// included (spaces, other key order, leading zeros, extra fields), goes through the general path,
/// which decides what it means. The tests hold both paths to the same bytes and the same envelopes.
enum BareMessageShape {
    private static let epochPrefix = Array(#"{"epoch":"#.utf8)
    private static let idPrefix = Array(#"{"id":"#.utf8)
    private static let idAfterEpoch = Array(#","id":"#.utf8)
    private static let replyToAfterID = Array(#","reply_to":"#.utf8)
    private static let heartbeatSuffix = Array(#","type":"heartbeat"}"#.utf8)
    private static let ackSuffix = Array(#","type":"ack"}"#.utf8)

    /// The body of `message`, when it is one of the messages this shape holds; `nil` for any other.
    static func encode(_ message: Message, id: UInt64, replyTo: UInt64?, epoch: UInt64?) -> [UInt8]? {
        let suffix: [UInt8]
        switch message {
        case .heartbeat: suffix = heartbeatSuffix
        case .ack: suffix = ackSuffix
        default: return nil
        }
        var body: [UInt8] = []
        body.reserveCapacity(64)
        if let epoch {
            body += epochPrefix
            appendDigits(of: epoch, to: &body)
            body += idAfterEpoch
        } else {
            body += idPrefix
        }
        appendDigits(of: id, to: &body)
        if let replyTo {
            body += replyToAfterID
            appendDigits(of: replyTo, to: &body)
        }
        body += suffix
        return body
    }

    /// The message `body` holds, when it has exactly the shape ``encode(_:id:replyTo:epoch:)``
    /// writes; `nil` for any other body.
    static func decode(_ body: [UInt8]) -> Envelope? {
        body.withUnsafeBufferPointer { bytes -> Envelope? in
            var position = 0
            var epoch: UInt64?
            if bytes.starts(with: epochPrefix) {
                position = epochPrefix.count
                guard let value = number(in: bytes, at: &position), bytes[position...].starts(with: idAfterEpoch)
                else { return nil }
                epoch = value
                position += idAfterEpoch.count
            } else if bytes.starts(with: idPrefix) {
                position = idPrefix.count
            } else {
                return nil
            }
            guard let id = number(in: bytes, at: &position) else { return nil }
            var replyTo: UInt64?
            if bytes[position...].starts(with: replyToAfterID) {
                position += replyToAfterID.count
                guard let value = number(in: bytes, at: &position) else { return nil }
                replyTo = value
            }
            let message: Message
            if bytes[position...].elementsEqual(heartbeatSuffix) {
                message = .heartbeat
            } else if bytes[position...].elementsEqual(ackSuffix) {
                message = .ack
            } else {
                return nil
            }
            return Envelope(id: id, replyTo: replyTo, epoch: epoch, message: message)
        }
    }

    /// The JSON integer at `position`, a uint64 written without leading zeros, and `position` moved
    /// past it; `nil` for anything else.
    private static func number(in bytes: UnsafeBufferPointer<UInt8>, at position: inout Int) -> UInt64? {
        let start = position
        var value: UInt64 = 0
        while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
            let (times, overflowTimes) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowSum) = times.addingReportingOverflow(UInt64(bytes[position] - UInt8(ascii: "0")))
            guard !overflowTimes, !overflowSum else { return nil }
            value = sum
            position += 1
        }
        let digits = position - start
        guard digits > 0, digits == 1 || bytes[start] != UInt8(ascii: "0") else { return nil }
        return value
    }

    private static func appendDigits(of value: UInt64, to body: inout [UInt8]) {
        guard value > 0 else {
            body.append(UInt8(ascii: "0"))
            return
        }
        let start = body.count
        var rest = value
        while rest > 0 {
            body.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        }
        body[start...].reverse()
    }
}
