extension EtcdClient {
    /// Campaigns in `election` with `value` (what observers are told of the leader), holding the
    /// campaign's key with `lease`; waits until this campaign leads.
    ///
    /// A campaign that ends without leading (its timeout, a cancelled task, a closed connection)
    /// deletes its key in etcd, which gives up its place in the queue.
    /// - Parameter timeout: how long to wait for the leadership: as long as another may lead.
    /// - Returns: the key that leads, whose revision is higher than every earlier leader's.
    public func campaign(
        _ election: String, value: String, lease: EtcdLease, timeout: Duration
    ) async throws(EtcdError) -> EtcdLeaderKey {
        let request = CampaignRequestJSON(
            name: EtcdBytes(Array(election.utf8)), lease: EtcdInteger(lease.id), value: EtcdBytes(Array(value.utf8)))
        do throws(EtcdError) {
            let (answer, endpoint) = try await unary(
                "campaign", "/v3/election/campaign", request, as: CampaignResponseJSON.self, timeout: timeout)
            guard let leader = answer.leader else {
                throw EtcdError.badResponse(
                    operation: "campaign", endpoint: endpoint, detail: "no leader key in the answer")
            }
            return leader.leaderKey
        } catch {
            throw Self.leaseError(error, lease)
        }
    }

    /// The leader of `election` now, or `nil` when it has none.
    public func leader(_ election: String, timeout: Duration? = nil) async throws(EtcdError) -> EtcdLeader? {
        do throws(EtcdError) {
            let (answer, endpoint) = try await unary(
                "leader", "/v3/election/leader", LeaderRequestJSON(name: EtcdBytes(Array(election.utf8))),
                as: LeaderResponseJSON.self, timeout: timeout)
            guard let kv = answer.kv else {
                throw EtcdError.badResponse(operation: "leader", endpoint: endpoint, detail: "no key in the answer")
            }
            return EtcdLeader(keyValue: kv.keyValue)
        } catch {
            if case .server(_, _, _, let message) = error, message.contains("election: no leader") { return nil }
            throw error
        }
    }

    /// Changes the value the leader holding `leader` is observed with, without a new election.
    /// - Throws: ``EtcdError/notLeader(election:endpoint:)`` when that key no longer leads.
    public func proclaim(_ leader: EtcdLeaderKey, value: String, timeout: Duration? = nil) async throws(EtcdError) {
        let request = ProclaimRequestJSON(leader: LeaderKeyJSON(leader), value: EtcdBytes(Array(value.utf8)))
        do throws(EtcdError) {
            _ = try await unary(
                "proclaim", "/v3/election/proclaim", request, as: EmptyResponseJSON.self, timeout: timeout)
        } catch {
            throw Self.notLeaderError(error, leader.election)
        }
    }

    /// Gives up the leadership held with `leader`: its key is deleted and the next campaign leads.
    /// Resigning a key that no longer exists succeeds.
    public func resign(_ leader: EtcdLeaderKey, timeout: Duration? = nil) async throws(EtcdError) {
        do throws(EtcdError) {
            _ = try await unary(
                "resign", "/v3/election/resign", ResignRequestJSON(leader: LeaderKeyJSON(leader)),
                as: EmptyResponseJSON.self, timeout: timeout)
        } catch {
            throw Self.notLeaderError(error, leader.election)
        }
    }

    /// The leaders of `election` as they change: the leader now (once there is one), then each new
    /// leader or value. The stream ends with an error when the connection ends (etcd stopped, or its
    /// member lost), and ends when its consumer stops listening; no timeout bounds it once it runs.
    public func observe(_ election: String) -> AsyncThrowingStream<EtcdLeader, any Error> {
        let leaders = stream(
            "observe", "/v3/election/observe", LeaderRequestJSON(name: EtcdBytes(Array(election.utf8))),
            as: LeaderResponseJSON.self)
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await answer in leaders {
                        guard let kv = answer.kv else { continue }
                        continuation.yield(EtcdLeader(keyValue: kv.keyValue))
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private static func notLeaderError(_ error: EtcdError, _ election: String) -> EtcdError {
        if case .server(_, let endpoint, _, let message) = error, message.contains("election: not leader") {
            return .notLeader(election: election, endpoint: endpoint)
        }
        return error
    }
}
