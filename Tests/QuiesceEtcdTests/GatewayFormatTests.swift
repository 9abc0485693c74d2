import Foundation
import Testing

@testable import QuiesceEtcd

/// What the client makes of the gateway's formats and of the endpoints it is given, without a server.
@Suite("etcd gateway formats")
struct GatewayFormatTests {
    @Test("Streamed lines are split wherever the chunks fall, blank lines skipped")
    func lines() throws {
        var lines = JSONLines(limit: 100)
        #expect(try lines.append(Array("{\"a\":".utf8)).isEmpty)
        #expect(try lines.append(Array("1}\n\n {\"b\"".utf8)) == [Array("{\"a\":1}".utf8)])
        #expect(
            try lines.append(Array(":2}\r\n{\"c\":3}\n".utf8)) == [Array(" {\"b\":2}\r".utf8), Array("{\"c\":3}".utf8)])
        #expect(lines.finish() == nil)
        #expect(try lines.append(Array("{\"d\":4}".utf8)).isEmpty)
        #expect(lines.finish() == Array("{\"d\":4}".utf8), "a last line without a newline")
    }

    @Test("A line past the limit is refused rather than kept growing")
    func longLine() {
        var lines = JSONLines(limit: 8)
        #expect(throws: JSONLines.TooLong(limit: 8)) {
            _ = try lines.append(Array(repeating: UInt8(ascii: "x"), count: 9))
        }
    }

    @Test("A prefix's range ends at its last byte incremented, past trailing 0xff bytes")
    func prefixRangeEnd() {
        #expect(EtcdKeys.rangeEnd(ofPrefix: Array("/a/".utf8)) == Array("/a0".utf8))
        #expect(EtcdKeys.rangeEnd(ofPrefix: [0x61, 0xff, 0xff]) == [0x62])
        #expect(EtcdKeys.rangeEnd(ofPrefix: [0xff]) == [0], "everything")
        #expect(EtcdKeys.rangeEnd(ofPrefix: []) == [0])
    }

    @Test("64-bit integers are read as strings or numbers and written as strings; absent ones are 0")
    func integers() throws {
        let decoded = try JSONDecoder().decode(
            LeaseGrantResponseJSON.self, from: Data(#"{"ID":"7587870029741557517","TTL":5}"#.utf8))
        #expect(decoded.id?.value == 7_587_870_029_741_557_517)
        #expect(decoded.ttl?.value == 5)
        let empty = try JSONDecoder().decode(LeaseKeepAliveResponseJSON.self, from: Data(#"{"ID":"1"}"#.utf8))
        #expect(empty.ttl.orZero == 0, "etcd leaves out a TTL of 0")
        let encoded = try JSONEncoder().encode(LeaseIDRequestJSON(id: EtcdInteger(-3)))
        #expect(String(decoding: encoded, as: UTF8.self) == #"{"ID":"-3"}"#)
        #expect(throws: DecodingError.self) {
            _ = try JSONDecoder().decode(LeaseGrantResponseJSON.self, from: Data(#"{"ID":"seven"}"#.utf8))
        }
    }

    @Test("Keys and values travel as base64")
    func base64() throws {
        let encoded = try JSONEncoder().encode(RangeRequestJSON(key: EtcdBytes(Array("foo".utf8)), rangeEnd: nil))
        #expect(String(decoding: encoded, as: UTF8.self) == #"{"key":"Zm9v"}"#)
        let kv = try JSONDecoder().decode(
            KeyValueJSON.self,
            from: Data(#"{"key":"Zm9v","value":"YmFy","create_revision":"2","mod_revision":"3"}"#.utf8))
        #expect(
            kv.keyValue
                == EtcdKeyValue(
                    key: Array("foo".utf8), value: Array("bar".utf8), createRevision: 2, modRevision: 3, version: 0,
                    lease: 0))
    }

    @Test(
        "Endpoints must be http or https, with a host and a port, and nothing else",
        arguments: [
            ("10.0.0.5:2379", "write it as http://HOST:PORT"),
            ("tcp://10.0.0.5:2379", "write it as http://HOST:PORT"),
            ("http://:2379", "names no host"),
            ("http://10.0.0.5", "names no port"),
            ("http://10.0.0.5:2379/v3", "give the scheme, host and port alone"),
        ])
    func badEndpoints(endpoint: String, problem: String) {
        #expect {
            _ = try EtcdClient(endpoints: ["http://127.0.0.1:2379", endpoint])
        } throws: { error in
            guard case .invalidEndpoint(endpoint, let said) = error as? EtcdError else { return false }
            return said.contains(problem) && "\(error)".contains(endpoint)
        }
    }

    @Test("An empty endpoint list is refused with an example; a trailing slash is accepted")
    func endpointList() throws {
        #expect(throws: EtcdError.self) { _ = try EtcdClient(endpoints: []) }
        #expect(try EtcdEndpoint("http://127.0.0.1:2379/").url("/v3/kv/range") == "http://127.0.0.1:2379/v3/kv/range")
        #expect(try EtcdEndpoint("https://etcd.example:2379").base == "https://etcd.example:2379")
    }

    @Test("Errors say the call, the endpoint and etcd's own words")
    func errorText() {
        let server = EtcdError.server(
            operation: "put", endpoint: "http://a:2379", code: .invalidArgument,
            message: "etcdserver: key is not provided")
        #expect("\(server)" == "etcd put at http://a:2379: etcdserver: key is not provided (InvalidArgument, code 3)")
        #expect("\(EtcdStatusCode(rawValue: 99))" == "unknown code, code 99")
        let timedOut = EtcdError.timedOut(operation: "range", endpoint: "http://a:2379", after: .seconds(5))
        #expect("\(timedOut)" == "etcd range at http://a:2379: no answer within 5s")
    }
}
