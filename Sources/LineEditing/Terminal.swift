// The terminal at the C boundary: raw mode through termios, always given back as it was found
// (on return, at exit, on SIGTERM, SIGHUP and SIGQUIT, across Ctrl-Z and `fg`), the window size,
// and a self-pipe that signals (SIGWINCH, SIGCONT) write to so a waiting read wakes up.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// Signal handlers may touch only plain globals and async-signal-safe calls (tcsetattr, write,
// sigaction, kill, raise). These globals are that state. `nonisolated(unsafe)` is sound here
// because they are written by the thread that enters raw mode before it sets
// `terminalRawActive`, and read by the handlers only while that flag is 1.

/// The terminal's modes as they were found, restored by `Terminal.restore` and the handlers.
nonisolated(unsafe) private var terminalSavedModes = termios()
/// The descriptor whose modes were changed.
nonisolated(unsafe) private var terminalDescriptor: Int32 = -1
/// 1 while the terminal is in raw mode.
nonisolated(unsafe) private var terminalRawActive: Int32 = 0
/// The raw modes, to enter again after `fg`.
nonisolated(unsafe) private var terminalRawModes = termios()
/// The write end of the wake-up pipe.
nonisolated(unsafe) private var terminalWakeWriteEnd: Int32 = -1
/// The output descriptor, for the bracketed-paste switch.
nonisolated(unsafe) private var terminalOutputDescriptor: Int32 = 1

/// Turns bracketed paste off and restores the modes that were found (async-signal-safe).
private func restoreFromSignal() {
    guard terminalRawActive != 0 else { return }
    let off: [UInt8] = Array("\u{1B}[?2004l".utf8)
    _ = off.withUnsafeBufferPointer { write(terminalOutputDescriptor, $0.baseAddress, $0.count) }
    _ = tcsetattr(terminalDescriptor, TCSANOW, &terminalSavedModes)
}

/// Wakes the editor's read (async-signal-safe).
private func wakeEditor() {
    var byte: UInt8 = 1
    _ = write(terminalWakeWriteEnd, &byte, 1)
}

/// SIGTERM, SIGHUP, SIGQUIT: give the terminal back, then die of the same signal.
private func handleFatalSignal(_ signal: Int32) {
    restoreFromSignal()
    Terminal.setDefaultAction(signal)
    raise(signal)
}

/// SIGTSTP (Ctrl-Z from another process, or ours): give the terminal back, stop; after `fg`,
/// enter raw mode again and ask for a redraw.
private func handleStop(_ signal: Int32) {
    let wasRaw = terminalRawActive
    restoreFromSignal()
    Terminal.setDefaultAction(SIGTSTP)
    var unblock = sigset_t()
    sigemptyset(&unblock)
    sigaddset(&unblock, SIGTSTP)
    pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    kill(getpid(), SIGTSTP)
    // Continued.
    Terminal.setHandler(SIGTSTP, handleStop)
    if wasRaw != 0 {
        _ = tcsetattr(terminalDescriptor, TCSANOW, &terminalRawModes)
        let on: [UInt8] = Array("\u{1B}[?2004h".utf8)
        _ = on.withUnsafeBufferPointer { write(terminalOutputDescriptor, $0.baseAddress, $0.count) }
    }
    wakeEditor()
}

/// SIGWINCH: the size changed; redraw.
private func handleResize(_ signal: Int32) {
    wakeEditor()
}

/// Restores the terminal at exit.
private func restoreAtExit() {
    restoreFromSignal()
}

/// One terminal: its descriptors, raw mode, size and wake-ups.
public final class Terminal {
    /// Input.
    public let input: Int32
    /// Output.
    public let output: Int32
    /// The read end of the wake-up pipe (signals write to it).
    let wakeReadEnd: Int32

    nonisolated(unsafe) private static var handlersInstalled = false

    /// Wraps two descriptors and installs the signal handlers (once per process).
    public init(input: Int32, output: Int32) {
        self.input = input
        self.output = output
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
            _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
            _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
            wakeReadEnd = fds[0]
            terminalWakeWriteEnd = fds[1]
        } else {
            wakeReadEnd = -1
        }
        terminalOutputDescriptor = output
        if !Self.handlersInstalled {
            Self.handlersInstalled = true
            Self.setHandler(SIGTERM, handleFatalSignal)
            Self.setHandler(SIGHUP, handleFatalSignal)
            Self.setHandler(SIGQUIT, handleFatalSignal)
            Self.setHandler(SIGTSTP, handleStop)
            Self.setHandler(SIGWINCH, handleResize)
            atexit(restoreAtExit)
        }
    }

    /// Whether a descriptor is a terminal.
    public static func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) != 0 }

    /// Installs a handler (with SA_RESTART, so other threads' reads are not disturbed).
    static func setHandler(_ signal: Int32, _ handler: @convention(c) (Int32) -> Void) {
        Signals.setAction(signal, handler, restart: true)
    }

    /// Puts back a signal's default action.
    static func setDefaultAction(_ signal: Int32) {
        Signals.setAction(signal, SIG_DFL, restart: false)
    }

    /// Enters raw mode (no echo, no line buffering, no signals from keys, no output processing
    /// of line breaks) and turns bracketed paste on. Returns false when the modes cannot be set.
    public func enterRawMode() -> Bool {
        guard terminalRawActive == 0 else { return true }
        var found = termios()
        guard tcgetattr(input, &found) == 0 else { return false }
        var raw = found
        raw.c_iflag &= ~tcflag_t(BRKINT | ICRNL | INPCK | ISTRIP | IXON)
        raw.c_oflag &= ~tcflag_t(OPOST)
        raw.c_cflag |= tcflag_t(CS8)
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | IEXTEN | ISIG)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        terminalSavedModes = found
        terminalRawModes = raw
        terminalDescriptor = input
        // TCSADRAIN, not TCSAFLUSH: keys typed while a command ran are kept, not thrown away.
        guard tcsetattr(input, TCSADRAIN, &raw) == 0 else { return false }
        terminalRawActive = 1
        write("\u{1B}[?2004h")
        return true
    }

    /// Gives the terminal back as it was found.
    public func restore() {
        guard terminalRawActive != 0 else { return }
        write("\u{1B}[?2004l")
        _ = tcsetattr(terminalDescriptor, TCSADRAIN, &terminalSavedModes)
        terminalRawActive = 0
    }

    /// The window's columns (80 when it cannot be asked).
    public var columns: Int {
        var size = winsize()
        if ioctl(output, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if ioctl(input, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }

    /// Writes text to the output, all of it.
    public func write(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBufferPointer { buffer in
                Glibc.write(output, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return
            }
            offset += written
        }
    }

    /// What a wait for input ended with.
    public enum Wake: Sendable, Equatable {
        /// Bytes arrived.
        case bytes([UInt8])
        /// A signal asked for a redraw (resize, continue after a stop).
        case redraw
        /// The time ran out.
        case timeout
        /// The input ended or failed.
        case end
    }

    /// Waits for input (at most `milliseconds`, or forever when negative).
    public func read(timeout milliseconds: Int32 = -1) -> Wake {
        var fds = [pollfd(fd: input, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeReadEnd, events: Int16(POLLIN), revents: 0)]
        while true {
            let ready = poll(&fds, nfds_t(wakeReadEnd >= 0 ? 2 : 1), milliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                return .end
            }
            if ready == 0 { return .timeout }
            if fds[1].revents & Int16(POLLIN) != 0 {
                var drain = [UInt8](repeating: 0, count: 64)
                while Glibc.read(wakeReadEnd, &drain, drain.count) > 0 {}
                return .redraw
            }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = Glibc.read(input, &buffer, buffer.count)
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return .end
            }
            if count == 0 { return .end }
            return .bytes(Array(buffer[0..<count]))
        }
    }

    /// Stops the process as Ctrl-Z would (the handler gives the terminal back first).
    public func suspend() {
        kill(getpid(), SIGTSTP)
    }
}

/// `sigaction` from Swift: one place for the platform's field names.
public enum Signals {
    /// Sets a signal's handler (`SIG_DFL`, `SIG_IGN` or a C function); `restart`: SA_RESTART, so
    /// that system calls the signal lands in go on (false: a blocking read returns EINTR).
    public static func setAction(_ signal: Int32, _ handler: (@convention(c) (Int32) -> Void)?, restart: Bool) {
        var action = sigaction()
        #if os(Linux)
        action.__sigaction_handler.sa_handler = handler
        #else
        action.__sigaction_u.__sa_handler = handler
        #endif
        sigemptyset(&action.sa_mask)
        action.sa_flags = restart ? SA_RESTART : 0
        sigaction(signal, &action, nil)
    }
}
