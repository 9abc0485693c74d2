/// Splits a streamed answer into its lines: etcd's gateway writes each message of a streaming call
/// (`/v3/lease/keepalive`, `/v3/election/observe`) as one JSON document followed by a newline, and
/// the chunks it arrives in fall anywhere.
struct JSONLines: Sendable {
    /// The longest line kept; past it the stream is not etcd's.
    let limit: Int
    private var pending: [UInt8] = []

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes the next chunk and returns the lines it completed, without their newlines; blank lines
    /// are skipped.
    /// - Throws: ``TooLong`` when a line grows past ``limit``.
    mutating func append(_ chunk: some Sequence<UInt8>) throws(TooLong) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        for byte in chunk {
            if byte == UInt8(ascii: "\n") {
                if pending.contains(where: { !Self.isSpace($0) }) { lines.append(pending) }
                pending.removeAll(keepingCapacity: true)
            } else {
                guard pending.count < limit else { throw TooLong(limit: limit) }
                pending.append(byte)
            }
        }
        return lines
    }

    /// What is left once the stream has ended: a last line written without a newline, if any.
    mutating func finish() -> [UInt8]? {
        defer { pending.removeAll() }
        return pending.contains(where: { !Self.isSpace($0) }) ? pending : nil
    }

    /// A line longer than the limit.
    struct TooLong: Error, Equatable {
        var limit: Int
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\t")
    }
}
