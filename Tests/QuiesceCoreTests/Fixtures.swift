import QuiesceCore

extension Timestamp {
    /// The instant `duration` after the origin: `.after(.seconds(12))`.
    static func after(_ duration: Duration) -> Timestamp {
        .zero + duration
    }
}

enum Fixtures {
    /// The seed fleet: `api` depends on `database` and `cache`; `database` takes 20 s to stop.
    static let seedServices = [
        ServiceSpec(name: "database", stopTimeout: .seconds(20), startTimeout: .seconds(30)),
        ServiceSpec(name: "cache", stopTimeout: .seconds(10), startTimeout: .seconds(30)),
        ServiceSpec(
            name: "api", dependencies: ["database", "cache"], stopTimeout: .seconds(10), startTimeout: .seconds(30)),
    ]

    static func seedGraph() throws -> ServiceGraph {
        try ServiceGraph(validating: seedServices)
    }

    /// The problems `ServiceGraph(validating:)` reports for `services`, or `[]` when it accepts them.
    static func problems(_ services: [ServiceSpec]) -> [GraphProblem] {
        do {
            _ = try ServiceGraph(validating: services)
            return []
        } catch {
            return error.problems
        }
    }

    /// `s0 <- s1 <- … <- s(count-1)`: each service depends on the previous one.
    static func chain(_ count: Int, closed: Bool = false) -> [ServiceSpec] {
        (0..<count).map { index in
            let dependency = index > 0 ? ["s\(index - 1)"] : (closed ? ["s\(count - 1)"] : [])
            return ServiceSpec(name: "s\(index)", dependencies: dependency)
        }
    }
}
