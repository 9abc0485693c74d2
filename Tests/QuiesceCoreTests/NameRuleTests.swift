import QuiesceCore
import Testing

@Suite("Service names and did-you-mean suggestions")
struct NameRuleTests {
    @Test(
        "ASCII letters, digits, '-', '_' and '.' make a service name", arguments: ["api", "API-2", "db_1.primary", "."])
    func validNames(name: String) {
        #expect(ServiceName.problem(in: name) == nil)
    }

    @Test(
        "Anything else does not: other letters, separators, spaces",
        arguments: ["café", "日本", "a/b", "a b", "api:1", "tab\tbed"])
    func invalidNames(name: String) {
        #expect(ServiceName.problem(in: name) == .disallowedCharacters(name))
        #expect(
            ServiceName.problem(in: name)?.description
                == "service name \"\(name)\" may hold only letters, digits, '-', '_' and '.'")
    }

    @Test("An empty name is its own problem")
    func emptyName() {
        #expect(ServiceName.problem(in: "") == .empty)
        #expect(ServiceName.Problem.empty.description == "a service name must not be empty")
    }

    @Test("The phrase quotes the suggestion")
    func phrase() {
        #expect(NameSuggestion.phrase(suggesting: "database") == #" (did you mean "database"?)"#)
    }

    @Test("The phrase for a name suggests the closest candidate, and nothing when none is close")
    func phraseForName() {
        #expect(
            NameSuggestion.phrase(for: "databse", in: ["cache", "database"]) == #" (did you mean "database"?)"#)
        #expect(NameSuggestion.phrase(for: "zzzzzz", in: ["cache", "database"]) == nil)
        #expect(NameSuggestion.phrase(for: "api", in: []) == nil)
    }
}
