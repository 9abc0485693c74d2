import QuiesceCore
import Testing

@Suite("Endpoint syntax")
struct EndpointSyntaxTests {
    @Test(
        "Well-formed endpoints pass",
        arguments: [
            "tcp://127.0.0.1:7700", "tcp://*:7700", "tcp://coordinator.internal:1", "tcp://[::1]:7700",
            "ipc:///run/quiesce/admin.sock", "inproc://test",
        ])
    func wellFormed(endpoint: String) {
        #expect(EndpointSyntax.problem(in: endpoint) == nil)
    }

    @Test(
        "A malformed endpoint is named with what to write",
        arguments: [
            ("127.0.0.1:7700", "it has no scheme; write tcp://127.0.0.1:7700, or ipc:///PATH for a local socket"),
            ("coordinator", "it has no scheme; write tcp://127.0.0.1:7700, or ipc:///PATH for a local socket"),
            ("tcp://nohost", "it has no port; write tcp://nohost:7700"),
            ("tcp://", "it has no port; write tcp://HOST:7700"),
            ("tcp://[::1]", "it has no port; write tcp://[::1]:7700"),
            ("tcp://:7700", "it has no host; write tcp://127.0.0.1:7700"),
            ("tcp://host:http", "its port \"http\" is not a number from 1 to 65535; write tcp://host:7700"),
            ("tcp://host:70000", "its port \"70000\" is not a number from 1 to 65535; write tcp://host:7700"),
            ("tcp://host:0", "its port \"0\" is not a number from 1 to 65535; write tcp://host:7700"),
            ("ipc://", "it names no socket path after ipc://"),
            ("udp://host:7700", "udp:// is not a transport Quiesce uses; write tcp://HOST:PORT or ipc:///PATH"),
        ])
    func malformed(endpoint: String, problem: String) {
        #expect(EndpointSyntax.problem(in: endpoint) == problem)
    }

    @Test("The message names the option and the endpoint")
    func message() {
        #expect(
            EndpointSyntax.message(for: "tcp://nohost", problem: "it has no port", option: "--coordinator")
                == "--coordinator: \"tcp://nohost\" is no endpoint: it has no port")
    }
}
