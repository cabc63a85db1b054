#if canImport(Glibc)
import Glibc
#endif

/// A live microphone through ALSA's `arecord`, spawned to write 16 kHz mono
/// signed 16-bit PCM to a pipe that this source reads like raw PCM. Its
/// stderr goes to a second, non-blocking pipe whose tail is kept so that a
/// recorder that dies (no device, device busy) is reported with its own
/// words. `close` terminates and reaps the child: no recorder outlives the
/// firmware and no zombie is left.
final class ArecordSource: AudioSource {
    let name: String
    var sampleRateHertz: Int { audioSampleRateHertz }
    /// The recorder's process id (until it is reaped).
    let processID: pid_t
    /// The argument vector it was started with (for messages and tests).
    let arguments: [String]
    private let pcm: RawPCMSource
    private let errorDescriptor: Int32
    private let errorTail: StderrTail
    private let stopsOnInterrupt: () -> Bool
    private var reaped = false
    private var closed = false

    /// How long `close` waits for the recorder to exit after SIGTERM before SIGKILL.
    static let terminateTimeoutSeconds = 1.0

    /// `device` is an ALSA PCM name (`hw:1,0`, `plughw:CARD=Mic`); nil takes
    /// the default. `searchPath` is where `arecord` is looked for (a
    /// colon-separated list; the environment's PATH when nil).
    init(device: String?, searchPath: String? = nil, stopsOnInterrupt: @escaping () -> Bool = { false }) throws(AudioSourceError) {
        let name = "arecord (\(device ?? "default device"))"
        self.name = name
        let path = searchPath ?? (getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin")
        let candidates = path.split(separator: ":").filter { !$0.isEmpty }.map { "\($0)/arecord" }
        guard let executable = candidates.first(where: { access($0, X_OK) == 0 }) else {
            throw AudioSourceError(source: name, message: "arecord not found on PATH (\(path)); install alsa-utils (apt-get install alsa-utils), or give --audio a .wav file, a directory of them or - for raw PCM on stdin")
        }
        var arguments = ["arecord", "-q", "-t", "raw", "-f", "S16_LE", "-r", "\(audioSampleRateHertz)", "-c", "1"]
        if let device { arguments += ["-D", device] }
        self.arguments = arguments
        self.stopsOnInterrupt = stopsOnInterrupt

        // Close-on-exec on all four ends (dup2 in the child clears it on its 1
        // and 2), so no other child inherits the pipes; our stderr end does not block.
        var out: [Int32] = [-1, -1], err: [Int32] = [-1, -1]
        guard pipe(&out) == 0 else {
            throw AudioSourceError(source: name, message: "pipe failed: \(String(cString: strerror(errno)))")
        }
        guard pipe(&err) == 0 else {
            let code = errno
            _ = Glibc.close(out[0]); _ = Glibc.close(out[1])
            throw AudioSourceError(source: name, message: "pipe failed: \(String(cString: strerror(code)))")
        }
        for fd in out + err { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        _ = fcntl(err[0], F_SETFL, fcntl(err[0], F_GETFL) | O_NONBLOCK)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        posix_spawn_file_actions_adddup2(&actions, err[1], 2)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var child: pid_t = 0
        var status = posix_spawn(&child, executable, &actions, nil, &argv, environ)
        // ETXTBSY: another process forked while the executable was open for
        // writing (just installed or replaced) and still holds the
        // descriptor for a moment; it goes at that child's exec. Retried
        // briefly, as Go's os/exec does.
        for _ in 0..<20 where status == ETXTBSY {
            usleep(5_000)
            status = posix_spawn(&child, executable, &actions, nil, &argv, environ)
        }
        _ = Glibc.close(out[1])
        _ = Glibc.close(err[1])
        guard status == 0 else {
            _ = Glibc.close(out[0]); _ = Glibc.close(err[0])
            throw AudioSourceError(source: name, message: "cannot start \(executable): \(String(cString: strerror(status)))")
        }
        processID = child
        errorDescriptor = err[0]
        errorTail = StderrTail()
        pcm = RawPCMSource(fileDescriptor: out[0], name: name, closesDescriptor: true, stopsOnInterrupt: stopsOnInterrupt)
    }

    deinit { close() }

    func read(into buffer: UnsafeMutableBufferPointer<Float>) throws(AudioSourceError) -> Int {
        guard !closed else { return 0 }
        errorTail.drain(errorDescriptor)
        let n = try pcm.read(into: buffer)
        if n == 0 {
            // Stopping: a signal interrupted the read, or Ctrl-C reached the
            // recorder too (it shares the terminal's process group) and it quit.
            if stopsOnInterrupt() {
                close()
                return 0
            }
            // Otherwise the pipe closed because the recorder exited: arecord without -d never ends on its own.
            let status = waitForExit(timeoutSeconds: Self.terminateTimeoutSeconds)
            errorTail.drain(errorDescriptor)
            let stderr = errorTail.text.isEmpty ? "" : "; its stderr ends: \(errorTail.text)"
            close()
            throw AudioSourceError(source: name, message: "\(arguments.joined(separator: " ")) stopped early: \(Self.describe(status))\(stderr). Check the device with `arecord -l`")
        }
        return n
    }

    func close() {
        guard !closed else { return }
        closed = true
        if !reaped {
            kill(processID, SIGTERM)
            if waitForExit(timeoutSeconds: Self.terminateTimeoutSeconds) == nil {
                kill(processID, SIGKILL)
                var status: Int32 = 0
                while waitpid(processID, &status, 0) < 0 && errno == EINTR {}
                reaped = true
            }
        }
        pcm.close()
        _ = Glibc.close(errorDescriptor)
    }

    /// Reaps the child if it exits within the timeout; its wait status, or nil if it is still running.
    private func waitForExit(timeoutSeconds: Double) -> Int32? {
        var status: Int32 = 0
        let steps = max(1, Int(timeoutSeconds / 0.005))
        for _ in 0..<steps {
            let r = waitpid(processID, &status, WNOHANG)
            if r == processID || (r < 0 && errno == ECHILD) {
                reaped = true
                return status
            }
            usleep(5_000)
        }
        return nil
    }

    private static func describe(_ status: Int32?) -> String {
        guard let status else { return "it closed its output but is still running" }
        let signal = status & 0x7f
        if signal == 0 { return "exit status \((status >> 8) & 0xff)" }
        return "killed by signal \(signal)"
    }
}

/// The last bytes a child wrote to its stderr, in buffers sized at creation.
final class StderrTail {
    static let capacityBytes = 1024
    private var bytes = [UInt8](repeating: 0, count: capacityBytes)
    private var scratch = [UInt8](repeating: 0, count: 256)
    private var count = 0

    /// Reads whatever is waiting on the non-blocking descriptor, keeping the newest bytes.
    func drain(_ descriptor: Int32) {
        while true {
            let got = scratch.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if got <= 0 { return }
            let drop = max(0, count + got - Self.capacityBytes)
            if drop > 0 {
                bytes.withUnsafeMutableBufferPointer { b in
                    if let p = b.baseAddress { p.update(from: p + drop, count: count - drop) }
                }
                count -= drop
            }
            for k in 0..<got { bytes[count + k] = scratch[k] }
            count += got
        }
    }

    var text: String {
        String(decoding: bytes[0..<count], as: UTF8.self).split(whereSeparator: \.isNewline).suffix(3).joined(separator: " / ")
    }
}
