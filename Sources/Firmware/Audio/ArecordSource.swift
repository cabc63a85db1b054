#if canImport(Glibc)
import Glibc
#endif

/// A live microphone through ALSA's `arecord`, which records 16 kHz mono
/// 16-bit PCM to its stdout; this reads the pipe. The child is terminated
/// and reaped on `close`, so no recorder outlives the firmware.
public final class ArecordSource: AudioSource {
    public let name: String
    public var isLive: Bool { true }
    private let pid: pid_t
    private let stream: PCMStreamSource
    private var closed = false

    /// `device` is an ALSA PCM name (`hw:1,0`, `plughw:CARD=Mic`); nil takes
    /// the default. `searchPath` is where to look for `arecord` (PATH by default).
    public init(device: String?, searchPath: String? = nil) throws(AudioSourceError) {
        name = "arecord (\(device ?? "default device"))"
        let path = searchPath ?? (getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin")
        guard let executable = path.split(separator: ":").map({ String($0) + "/arecord" }).first(where: { access($0, X_OK) == 0 }) else {
            throw AudioSourceError(source: "arecord", message: "not found on PATH (\(path)); install alsa-utils for a live microphone, or give --audio a .wav file, a directory or - for raw PCM on stdin")
        }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else {
            throw AudioSourceError(source: name, message: "pipe failed: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        var arguments = ["arecord", "-q", "-t", "raw", "-f", "S16_LE", "-r", "\(audioSampleRateHertz)", "-c", "1"]
        if let device { arguments += ["-D", device] }
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, executable, &actions, nil, &argv, environ)
        _ = Glibc.close(fds[1])
        guard status == 0 else {
            _ = Glibc.close(fds[0])
            throw AudioSourceError(source: name, message: "cannot start \(executable): \(String(cString: strerror(status)))")
        }
        pid = child
        stream = PCMStreamSource(fileDescriptor: fds[0], name: name, isLive: true, closesDescriptor: true)
    }

    public func read(into buffer: UnsafeMutableBufferPointer<Float>) throws(AudioSourceError) -> Int {
        let n = try stream.read(into: buffer)
        if n == 0 && !closed {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                closed = true
                throw AudioSourceError(source: name, message: "arecord exited (status \(status >> 8)); check the device with `arecord -l`")
            }
        }
        return n
    }

    public func close() {
        guard !closed else { return }
        closed = true
        kill(pid, SIGTERM)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
        stream.close()
    }

    deinit { close() }
}
