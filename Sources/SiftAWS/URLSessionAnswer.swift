import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

extension URLSession {
    /// `data(for:)` through the completion-handler API. swift-corelibs-foundation's async
    /// `data(for:)` can deadlock when its Swift task is cancelled just as the answer arrives (its
    /// cancellation handler waits on the session's queue while holding the task's status lock,
    /// which that queue needs to resume the task): a collect whose `ListUsers` failed while other
    /// calls of the account were in flight hung that way. Here a cancellation cancels the URL task
    /// from another queue, outside the lock; the request still ends by its own timeout at the latest.
    func answer(for request: URLRequest) async throws -> (Data, URLResponse) {
        let handle = DataTaskHandle()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<(Data, URLResponse), any Error>) in
                let task = dataTask(with: request) { data, response, error in
                    if let error {
                        continuation.resume(throwing: error)
                    } else if let response {
                        continuation.resume(returning: (data ?? Data(), response))
                    } else {
                        continuation.resume(throwing: URLError(.badServerResponse))
                    }
                }
                handle.start(task)
            }
        } onCancel: {
            DispatchQueue.global().async { handle.cancel() }
        }
    }
}

/// The URL task of one `answer(for:)`, cancelled at most once, also when the cancellation came first.
private final class DataTaskHandle: Sendable {
    private struct State: @unchecked Sendable {
        // URLSessionTask is thread-safe (its methods take the session's locks); it is only touched
        // under this Mutex here.
        var task: URLSessionDataTask?
        var cancelled = false
    }
    private let state = Mutex(State())

    func start(_ task: URLSessionDataTask) {
        let cancelled = state.withLock { state in
            state.task = task
            return state.cancelled
        }
        task.resume()
        if cancelled { task.cancel() }
    }

    func cancel() {
        let task = state.withLock { state in
            state.cancelled = true
            return state.task
        }
        task?.cancel()
    }
}
