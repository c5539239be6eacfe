import Foundation
import SiftAWS

/// What the cleanup asks of the cloud about access keys, always by the exact AccessKeyId and the
/// owning UserName. `IAMClient` provides it (see `IAMClient+AccessKeyActions.swift`).
public protocol AccessKeyActions: Sendable {
    /// `UpdateAccessKey Status=Inactive`: idempotent.
    func setInactive(userName: String, accessKeyId: String) async throws(KeyActionError)
    /// `DeleteAccessKey`; `KeyActionError.noSuchEntity` when the key (or user) does not exist.
    func delete(userName: String, accessKeyId: String) async throws(KeyActionError)
    /// Whether the user still has the key (`ListAccessKeys`), to settle an interrupted delete
    /// without sending a second `DeleteAccessKey`.
    func exists(userName: String, accessKeyId: String) async throws(KeyActionError) -> Bool
    /// When (and where) the key was last used (`GetAccessKeyLastUsed`); `lastUsedDate` nil when never.
    func lastUsed(accessKeyId: String) async throws(KeyActionError) -> AccessKeyLastUsed
}

/// Reads a key's current status (`ListAccessKeys`), so that an interrupted disable is settled without a
/// second `UpdateAccessKey` when the first one acted. `IAMKeyActions` provides it; without it, an
/// interrupted disable is issued again (idempotent).
public protocol AccessKeyStatusReading: Sendable {
    /// The key's status, nil when the user no longer has it.
    func status(userName: String, accessKeyId: String) async throws(KeyActionError) -> AccessKeyStatus?
}

/// Why a call about one key failed.
public enum KeyActionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The key or its user does not exist (`NoSuchEntity`).
    case noSuchEntity(String)
    /// Any other failure, after the client's retries (throttling, 5xx, network), as a message.
    case failed(String)
    /// No answer, or a broken one (reset, timeout, truncated body): the call may or may not have acted.
    case noAnswer(String)

    /// A message for people.
    public var description: String {
        switch self {
        case .noSuchEntity(let message): return "NoSuchEntity: \(message)"
        case .failed(let message): return message
        case .noAnswer(let message): return message
        }
    }
}

/// Gives the `AccessKeyActions` for an account (nil: the account is not known, use the caller's).
public typealias AccessKeyActionsProvider = @Sendable (_ account: String?) async throws -> any AccessKeyActions
