import Foundation

// The shapes of etcd 3.4's v3 JSON gateway (grpc-gateway over etcd's protobuf messages): keys and
// values are base64, 64-bit integers are strings, and fields at their default value are left out.

/// A 64-bit integer as the gateway writes it: a string (it also accepts a number), absent when 0.
struct EtcdInteger: Codable, Equatable, Sendable {
    var value: Int64

    init(_ value: Int64) {
        self.value = value
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int64.self) {
            value = number
            return
        }
        let text = try container.decode(String.self)
        guard let number = Int64(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an integer: \(text)")
        }
        value = number
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(String(value))
    }
}

/// Bytes as the gateway writes them: base64.
struct EtcdBytes: Codable, Equatable, Sendable {
    var bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let data = Data(base64Encoded: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not base64: \(text)")
        }
        bytes = Array(data)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Data(bytes).base64EncodedString())
    }
}

extension Optional where Wrapped == EtcdInteger {
    /// The integer, 0 when the gateway left it out.
    var orZero: Int64 { self?.value ?? 0 }
}

/// The header of every answer: the store's revision when it was made.
struct ResponseHeaderJSON: Codable, Sendable {
    var revision: EtcdInteger?
}

struct KeyValueJSON: Codable, Sendable {
    var key: EtcdBytes?
    var value: EtcdBytes?
    var createRevision: EtcdInteger?
    var modRevision: EtcdInteger?
    var version: EtcdInteger?
    var lease: EtcdInteger?

    enum CodingKeys: String, CodingKey {
        case key
        case value
        case createRevision = "create_revision"
        case modRevision = "mod_revision"
        case version
        case lease
    }

    var keyValue: EtcdKeyValue {
        EtcdKeyValue(
            key: key?.bytes ?? [], value: value?.bytes ?? [], createRevision: createRevision.orZero,
            modRevision: modRevision.orZero, version: version.orZero, lease: lease.orZero)
    }
}

struct RangeRequestJSON: Codable, Sendable {
    var key: EtcdBytes
    var rangeEnd: EtcdBytes?

    enum CodingKeys: String, CodingKey {
        case key
        case rangeEnd = "range_end"
    }
}

struct RangeResponseJSON: Codable, Sendable {
    var header: ResponseHeaderJSON?
    var kvs: [KeyValueJSON]?
}

struct PutRequestJSON: Codable, Sendable {
    var key: EtcdBytes
    var value: EtcdBytes
    var lease: EtcdInteger?
}

struct PutResponseJSON: Codable, Sendable {
    var header: ResponseHeaderJSON?
}

struct DeleteRangeRequestJSON: Codable, Sendable {
    var key: EtcdBytes
    var rangeEnd: EtcdBytes?

    enum CodingKeys: String, CodingKey {
        case key
        case rangeEnd = "range_end"
    }
}

struct DeleteRangeResponseJSON: Codable, Sendable {
    var header: ResponseHeaderJSON?
    var deleted: EtcdInteger?
}

struct CompareJSON: Codable, Sendable {
    var key: EtcdBytes
    var target: String
    var result: String
    var createRevision: EtcdInteger?
    var modRevision: EtcdInteger?
    var version: EtcdInteger?
    var value: EtcdBytes?

    enum CodingKeys: String, CodingKey {
        case key
        case target
        case result
        case createRevision = "create_revision"
        case modRevision = "mod_revision"
        case version
        case value
    }
}

struct RequestOpJSON: Codable, Sendable {
    var requestRange: RangeRequestJSON?
    var requestPut: PutRequestJSON?
    var requestDeleteRange: DeleteRangeRequestJSON?

    enum CodingKeys: String, CodingKey {
        case requestRange = "request_range"
        case requestPut = "request_put"
        case requestDeleteRange = "request_delete_range"
    }
}

struct ResponseOpJSON: Codable, Sendable {
    var responseRange: RangeResponseJSON?
    var responsePut: PutResponseJSON?
    var responseDeleteRange: DeleteRangeResponseJSON?

    enum CodingKeys: String, CodingKey {
        case responseRange = "response_range"
        case responsePut = "response_put"
        case responseDeleteRange = "response_delete_range"
    }
}

struct TxnRequestJSON: Codable, Sendable {
    var compare: [CompareJSON]
    var success: [RequestOpJSON]
    var failure: [RequestOpJSON]
}

struct TxnResponseJSON: Codable, Sendable {
    var header: ResponseHeaderJSON?
    var succeeded: Bool?
    var responses: [ResponseOpJSON]?
}

struct LeaseGrantRequestJSON: Codable, Sendable {
    var ttl: EtcdInteger

    enum CodingKeys: String, CodingKey {
        case ttl = "TTL"
    }
}

struct LeaseGrantResponseJSON: Codable, Sendable {
    var header: ResponseHeaderJSON?
    var id: EtcdInteger?
    var ttl: EtcdInteger?
    var error: String?

    enum CodingKeys: String, CodingKey {
        case header
        case id = "ID"
        case ttl = "TTL"
        case error
    }
}

struct LeaseIDRequestJSON: Codable, Sendable {
    var id: EtcdInteger

    enum CodingKeys: String, CodingKey {
        case id = "ID"
    }
}

struct LeaseKeepAliveResponseJSON: Codable, Sendable {
    var id: EtcdInteger?
    var ttl: EtcdInteger?

    enum CodingKeys: String, CodingKey {
        case id = "ID"
        case ttl = "TTL"
    }
}

struct EmptyResponseJSON: Codable, Sendable {
    var header: ResponseHeaderJSON?
}

struct LeaderKeyJSON: Codable, Sendable {
    var name: EtcdBytes
    var key: EtcdBytes
    var rev: EtcdInteger?
    var lease: EtcdInteger?

    init(_ key: EtcdLeaderKey) {
        name = EtcdBytes(Array(key.election.utf8))
        self.key = EtcdBytes(key.key)
        rev = EtcdInteger(key.revision)
        lease = EtcdInteger(key.lease.id)
    }

    var leaderKey: EtcdLeaderKey {
        EtcdLeaderKey(
            election: String(decoding: name.bytes, as: UTF8.self), key: key.bytes, revision: rev.orZero,
            lease: EtcdLease(id: lease.orZero))
    }
}

struct CampaignRequestJSON: Codable, Sendable {
    var name: EtcdBytes
    var lease: EtcdInteger
    var value: EtcdBytes
}

struct CampaignResponseJSON: Codable, Sendable {
    var leader: LeaderKeyJSON?
}

struct LeaderRequestJSON: Codable, Sendable {
    var name: EtcdBytes
}

struct LeaderResponseJSON: Codable, Sendable {
    var kv: KeyValueJSON?
}

struct ProclaimRequestJSON: Codable, Sendable {
    var leader: LeaderKeyJSON
    var value: EtcdBytes
}

struct ResignRequestJSON: Codable, Sendable {
    var leader: LeaderKeyJSON
}

/// An error as the gateway answers a unary call: `{"error": …, "message": …, "code": N}`.
struct UnaryErrorJSON: Codable, Sendable {
    var error: String?
    var message: String?
    var code: Int?
}

/// One line of a streaming answer: `{"result": …}` or `{"error": {…}}`.
struct StreamLineJSON<Result: Decodable & Sendable>: Decodable, Sendable {
    var result: Result?
    var error: StreamErrorJSON?
}

/// An error in a streaming answer: `{"grpc_code": N, "http_code": N, "message": …}`.
struct StreamErrorJSON: Codable, Sendable {
    var grpcCode: Int?
    var httpCode: Int?
    var message: String?

    enum CodingKeys: String, CodingKey {
        case grpcCode = "grpc_code"
        case httpCode = "http_code"
        case message
    }
}
