import QuiesceRuntime
import Testing

@testable import QuiesceCoordinator

@Suite("Key bindings")
struct KeyBindingsTests {
    @Test("Each key is bound to its identity; the same key in two files of one identity is no conflict")
    func binds() throws {
        var bindings = KeyBindings()
        try bindings.bind(.init(identity: "agent:api", file: "/k/api.key", publicKey: "A"))
        try bindings.bind(.init(identity: "admin:ops", file: "/k/ops.key", publicKey: "B"))
        try bindings.bind(.init(identity: "agent:api", file: "/k/copy/api.key", publicKey: "A"))
        #expect(bindings.identities == ["A": "agent:api", "B": "admin:ops"])
    }

    @Test("One key for two identities is refused, naming both files and both identities")
    func sharedKeyRefused() throws {
        var bindings = KeyBindings()
        try bindings.bind(.init(identity: "agent:api", file: "/k/api.key", publicKey: "A"))
        #expect(
            throws: CurveCertificate.Failure(
                description:
                    "/k/api.key and /k/ops.key hold the same public key, so agent:api and admin:ops could act as each other; "
                    + "give each its own key (quiesce keygen NAME --out DIR)")
        ) {
            try bindings.bind(.init(identity: "admin:ops", file: "/k/ops.key", publicKey: "A"))
        }
        #expect(bindings.identities == ["A": "agent:api"])
    }
}
