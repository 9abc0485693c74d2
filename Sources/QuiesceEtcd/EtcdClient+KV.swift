extension EtcdClient {
    /// The keys `keys` names, in key order, with their values: none when there are none.
    public func range(_ keys: EtcdKeys, timeout: Duration? = nil) async throws(EtcdError) -> [EtcdKeyValue] {
        let (key, end) = keys.range
        let request = RangeRequestJSON(key: EtcdBytes(key), rangeEnd: end.map(EtcdBytes.init))
        let (answer, _) = try await unary(
            "range", "/v3/kv/range", request, as: RangeResponseJSON.self, timeout: timeout)
        return (answer.kvs ?? []).map(\.keyValue)
    }

    /// The store's revision now: every later write has a higher one. A coordinator takes it before it
    /// campaigns, to tell what was written since.
    public func revision(timeout: Duration? = nil) async throws(EtcdError) -> Int64 {
        let request = RangeRequestJSON(key: EtcdBytes([0]), rangeEnd: nil)
        let (answer, endpoint) = try await unary(
            "range", "/v3/kv/range", request, as: RangeResponseJSON.self, timeout: timeout)
        guard let revision = answer.header?.revision?.value else {
            throw .badResponse(operation: "range", endpoint: endpoint, detail: "no revision in the answer")
        }
        return revision
    }

    /// Writes `value` at `key`, attached to `lease` if one is given (the key is then deleted when the
    /// lease ends).
    /// - Returns: the store's revision after the write.
    @discardableResult
    public func put(
        _ key: String, value: [UInt8], lease: EtcdLease? = nil, timeout: Duration? = nil
    ) async throws(EtcdError) -> Int64 {
        let request = PutRequestJSON(
            key: EtcdBytes(Array(key.utf8)), value: EtcdBytes(value), lease: lease.map { EtcdInteger($0.id) })
        do throws(EtcdError) {
            let (answer, _) = try await unary("put", "/v3/kv/put", request, as: PutResponseJSON.self, timeout: timeout)
            return answer.header?.revision.orZero ?? 0
        } catch {
            throw Self.leaseError(error, lease)
        }
    }

    /// Writes the text `value` at `key`; see ``put(_:value:lease:timeout:)-([UInt8])``.
    @discardableResult
    public func put(
        _ key: String, value: String, lease: EtcdLease? = nil, timeout: Duration? = nil
    ) async throws(EtcdError) -> Int64 {
        try await put(key, value: Array(value.utf8), lease: lease, timeout: timeout)
    }

    /// Deletes the keys `keys` names.
    /// - Returns: how many keys were deleted.
    @discardableResult
    public func deleteRange(_ keys: EtcdKeys, timeout: Duration? = nil) async throws(EtcdError) -> Int64 {
        let (key, end) = keys.range
        let request = DeleteRangeRequestJSON(key: EtcdBytes(key), rangeEnd: end.map(EtcdBytes.init))
        let (answer, _) = try await unary(
            "delete", "/v3/kv/deleterange", request, as: DeleteRangeResponseJSON.self, timeout: timeout)
        return answer.deleted.orZero
    }

    /// Runs `success` if every condition of `compare` holds, else `failure`, atomically: such as a
    /// write guarded by ``EtcdCompare/stillLeader(_:)``, made only while a leadership holds.
    public func txn(
        compare: [EtcdCompare], success: [EtcdOperation], failure: [EtcdOperation] = [], timeout: Duration? = nil
    ) async throws(EtcdError) -> EtcdTransactionResult {
        let request = TxnRequestJSON(
            compare: compare.map(Self.json), success: success.map(Self.json), failure: failure.map(Self.json))
        let (answer, endpoint) = try await unary(
            "txn", "/v3/kv/txn", request, as: TxnResponseJSON.self, timeout: timeout)
        let ran = (answer.succeeded ?? false) ? success : failure
        let responses = answer.responses ?? []
        guard responses.count == ran.count else {
            throw .badResponse(
                operation: "txn", endpoint: endpoint,
                detail: "\(responses.count) answers to \(ran.count) operations")
        }
        var results: [EtcdOperationResult] = []
        for (operation, response) in zip(ran, responses) {
            switch operation {
            case .range:
                results.append(.range((response.responseRange?.kvs ?? []).map(\.keyValue)))
            case .put:
                results.append(.put(revision: response.responsePut?.header?.revision.orZero ?? 0))
            case .deleteRange:
                results.append(.deleteRange(deleted: response.responseDeleteRange?.deleted.orZero ?? 0))
            }
        }
        return EtcdTransactionResult(
            succeeded: answer.succeeded ?? false, results: results, revision: answer.header?.revision.orZero ?? 0)
    }

    private static func json(_ compare: EtcdCompare) -> CompareJSON {
        var json = CompareJSON(key: EtcdBytes(Array(compare.key.utf8)), target: "", result: compare.result.rawValue)
        switch compare.target {
        case .createRevision(let revision):
            json.target = "CREATE"
            json.createRevision = EtcdInteger(revision)
        case .modRevision(let revision):
            json.target = "MOD"
            json.modRevision = EtcdInteger(revision)
        case .version(let version):
            json.target = "VERSION"
            json.version = EtcdInteger(version)
        case .value(let value):
            json.target = "VALUE"
            json.value = EtcdBytes(value)
        }
        return json
    }

    private static func json(_ operation: EtcdOperation) -> RequestOpJSON {
        switch operation {
        case .range(let keys):
            let (key, end) = keys.range
            return RequestOpJSON(requestRange: RangeRequestJSON(key: EtcdBytes(key), rangeEnd: end.map(EtcdBytes.init)))
        case .put(let key, let value, let lease):
            return RequestOpJSON(
                requestPut: PutRequestJSON(
                    key: EtcdBytes(Array(key.utf8)), value: EtcdBytes(value), lease: lease.map { EtcdInteger($0.id) }))
        case .deleteRange(let keys):
            let (key, end) = keys.range
            return RequestOpJSON(
                requestDeleteRange: DeleteRangeRequestJSON(key: EtcdBytes(key), rangeEnd: end.map(EtcdBytes.init)))
        }
    }

    /// `error`, or ``EtcdError/leaseNotFound(_:endpoint:)`` when etcd said `lease` does not exist.
    static func leaseError(_ error: EtcdError, _ lease: EtcdLease?) -> EtcdError {
        if let lease, case .server(_, let endpoint, .notFound, let message) = error, message.contains("lease not found")
        {
            return .leaseNotFound(lease, endpoint: endpoint)
        }
        return error
    }
}
