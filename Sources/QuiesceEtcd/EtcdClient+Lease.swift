extension EtcdClient {
    /// Asks etcd for a lease of `ttl` (whole seconds, rounded up; etcd may grant more, never less
    /// than its minimum).
    public func grant(ttl: Duration, timeout: Duration? = nil) async throws(EtcdError) -> EtcdGrantedLease {
        let seconds = max(1, ttl.components.seconds + (ttl.components.attoseconds > 0 ? 1 : 0))
        let (answer, endpoint) = try await unary(
            "lease grant", "/v3/lease/grant", LeaseGrantRequestJSON(ttl: EtcdInteger(seconds)),
            as: LeaseGrantResponseJSON.self, timeout: timeout)
        if let problem = answer.error, !problem.isEmpty {
            throw .server(
                operation: "lease grant", endpoint: endpoint, code: EtcdStatusCode(rawValue: 2), message: problem)
        }
        guard let id = answer.id?.value, id != 0 else {
            throw .badResponse(operation: "lease grant", endpoint: endpoint, detail: "no lease id in the answer")
        }
        return EtcdGrantedLease(
            lease: EtcdLease(id: id), ttl: .seconds(answer.ttl.orZero), revision: answer.header?.revision.orZero ?? 0)
    }

    /// Renews `lease` once, through etcd's streaming `/v3/lease/keepalive` (one request, one message
    /// read from the answer).
    /// - Returns: the lease's TTL from now on.
    /// - Throws: ``EtcdError/leaseNotFound(_:endpoint:)`` when the lease has expired or was revoked.
    public func keepAlive(_ lease: EtcdLease) async throws(EtcdError) -> Duration {
        let (answer, endpoint) = try await firstOfStream(
            "lease keep-alive", "/v3/lease/keepalive", LeaseIDRequestJSON(id: EtcdInteger(lease.id)),
            as: LeaseKeepAliveResponseJSON.self)
        // etcd answers a lease it does not know with no TTL, rather than with an error.
        let ttl = answer.ttl.orZero
        guard ttl > 0 else { throw .leaseNotFound(lease, endpoint: endpoint) }
        return .seconds(ttl)
    }

    /// Ends `lease` now: every key attached to it is deleted.
    /// - Throws: ``EtcdError/leaseNotFound(_:endpoint:)`` when it had already ended.
    public func revoke(_ lease: EtcdLease, timeout: Duration? = nil) async throws(EtcdError) {
        do throws(EtcdError) {
            _ = try await unary(
                "lease revoke", "/v3/lease/revoke", LeaseIDRequestJSON(id: EtcdInteger(lease.id)),
                as: EmptyResponseJSON.self, timeout: timeout)
        } catch {
            throw Self.leaseError(error, lease)
        }
    }
}
