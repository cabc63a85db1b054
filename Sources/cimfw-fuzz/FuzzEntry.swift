#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A line on standard error (FileHandle: Glibc's `stderr` is a global var Swift 6 will not share).
func complain(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}

#if FUZZING
/// libFuzzer's driver, exported by its runtime (LLVM 11 and later).
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>,
                     _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

/// SwiftPM links an executable target's entry point as `<module>_main`:
/// here it hands the command line to libFuzzer.
@_cdecl("cimfw_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var count = argc
    var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return runFuzzerDriver(&count, &arguments, fuzzOneInput)
}

/// libFuzzer's entry point (built with `-sanitize=fuzzer,address -DFUZZING`,
/// scripts/fuzz.sh); the target is named by CIMFW_FUZZ_TARGET.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard let name = ProcessInfo.processInfo.environment["CIMFW_FUZZ_TARGET"], let target = FuzzTarget(rawValue: name) else {
        complain("CIMFW_FUZZ_TARGET must name one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n")
        exit(2)
    }
    target.run(Data(bytes: bytes, count: count))
    return 0
}
#else
/// Without libFuzzer: replays files (a corpus, a crash reproducer) through a
/// target, so a seed corpus is a regression test in an ordinary build.
@main
struct FuzzReplay {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name), arguments.count >= 2 else {
            complain("usage: cimfw-fuzz TARGET FILE|DIR...  (targets: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")))\n")
            exit(2)
        }
        var count = 0
        for path in arguments.dropFirst() {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                complain("cimfw-fuzz: \(path): no such file or directory\n")
                exit(2)
            }
            let files = isDirectory.boolValue
                ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { path + "/" + $0 }
                : [path]
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                target.run(data)
                count += 1
            }
        }
        print("\(name): \(count) inputs replayed, no crash")
    }
}
#endif
