import QuiesceCore
import Testing

@Suite("Instance ids")
struct InstanceIDTests {
    @Test(
        "A host name's characters make an instance id, up to 64 bytes",
        arguments: ["web-1", "ip-10-0-0-7.ec2.internal", "a", String(repeating: "x", count: 64), "pod_7f9c"])
    func valid(id: String) {
        #expect(InstanceID.problem(in: id) == nil)
    }

    @Test("Other characters are refused, with the fix", arguments: ["café", "a/b", "a b", "api:1", "tab\tbed"])
    func disallowed(id: String) {
        #expect(InstanceID.problem(in: id) == .disallowedCharacters(id))
        #expect(
            InstanceID.problem(in: id)?.description
                == "instance id \"\(id)\" may hold only letters, digits, '-', '_' and '.'; give another with --instance"
        )
    }

    @Test("An id of 65 bytes or more is too long, and the message quotes only its first 64")
    func tooLong() {
        let id = String(repeating: "y", count: 65)
        let problem = InstanceID.problem(in: id)
        #expect(problem == .tooLong(String(repeating: "y", count: 64) + "…"))
        #expect(problem?.description.hasSuffix("is longer than 64 bytes; give a shorter one with --instance") == true)
        #expect(InstanceID.problem(in: "") == .empty)
    }

    @Test("Instances order by service, then by id, and print as service/id")
    func orderAndText() {
        let ids = [
            InstanceID(service: "db", instance: "b"), InstanceID(service: "api", instance: "z"),
            InstanceID(service: "db", instance: "a"),
        ]
        #expect(ids.sorted().map(\.description) == ["api/z", "db/a", "db/b"])
    }
}
