import ArgumentParser
import Foundation
import KWS

/// `cimfw classify`: each clip's three most likely classes on the float
/// model and on the board, and accuracy per class when the folders are labels.
struct Classify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify audio clips (WAV, FLAC, Ogg, AIFF; any rate, mono or not) on the float model and on a board.",
        discussion: """
        Each PATH is a file or a directory, searched recursively. A clip is downmixed, resampled to 16 kHz and \
        centred in the model's 1 s window (padded with silence or cut, with a note). When a clip's folder is named \
        after a class (yes, no, …, _silence_), that is its label; in a tree that has such folders, any other folder's \
        words count as unknown, and _background_noise_ is skipped. With labels, a summary gives accuracy per class.
        """)

    @Argument(help: "Audio files or directories.")
    var paths: [String]

    @OptionGroup var options: SessionOptions

    @OptionGroup var json: JSONOption

    struct Clip {
        var path: String
        var label: Int?
    }

    struct Ranked: Encodable {
        var label: String
        var probability: Float
    }

    struct Result: Encodable {
        var path: String
        var label: String?
        var float: [Ranked]
        var board: [Ranked]
        var notes: [String]
    }

    struct Summary: Encodable {
        struct Row: Encodable {
            var label: String
            var clips: Int
            var float: Double
            var board: Double
        }
        var clips: Int
        var labelled: Int
        var float: Double?
        var board: Double?
        var agreement: Double
        var perClass: [Row]
    }

    func run() throws {
        let session = try options.session()
        let labels = session.image.normalisation.labels
        let clips = try Self.collect(paths, labels: labels)
        guard !clips.isEmpty else {
            throw CLIError("\(paths.joined(separator: " ")): no audio files (expected \(AudioFile.fileSuffixes.joined(separator: ", ")))")
        }
        // Decode everything before programming the board, so a bad file fails first.
        let window = 16_000  // the model's one second at 16 kHz
        var decoded: [(clip: Clip, samples: [Float], notes: [String])] = []
        for clip in clips {
            let audio: DecodedAudio
            do { audio = try AudioFile.read(path: clip.path, sampleRateHertz: window) } catch { throw CLIError("\(error)") }
            var notes = audio.warnings
            let count = audio.clip.samples.count
            if count != window {
                notes.append("\(count) samples, \(count < window ? "padded" : "cut") to the 1 s window")
            }
            decoded.append((clip, audio.clip.fitted(toSamples: window).samples, notes))
        }
        let reference = try KeywordSpotter(backend: .float(FloatRuntime(model: session.image.model)), normalisation: session.image.normalisation)
        let deployment = try session.deploy()
        let spotter = try KeywordSpotter(backend: .accelerator(deployment.runtime), normalisation: session.image.normalisation)

        var results: [Result] = []
        var floatProbabilities = [Float](repeating: 0, count: labels.count)
        var boardProbabilities = [Float](repeating: 0, count: labels.count)
        for item in decoded {
            do {
                try item.samples.withUnsafeBufferPointer { samples in
                    try floatProbabilities.withUnsafeMutableBufferPointer { try reference.classify(samples: samples, into: $0) }
                    try boardProbabilities.withUnsafeMutableBufferPointer { try spotter.classify(samples: samples, into: $0) }
                }
            } catch {
                throw CLIError.failure("\(item.clip.path): \(error)")
            }
            let result = Result(path: item.clip.path, label: item.clip.label.map { labels[$0] },
                                float: Self.top3(floatProbabilities, labels), board: Self.top3(boardProbabilities, labels), notes: item.notes)
            results.append(result)
            if json.isOn {
                print(Self.encode(result))
            } else {
                print(Self.line(result))
            }
        }
        let summary = Self.summarise(results, labels: labels)
        if json.isOn {
            print(Self.encode(summary))
        } else {
            print(Self.render(summary))
        }
    }

    // MARK: - Collecting clips

    static func collect(_ paths: [String], labels: [String]) throws -> [Clip] {
        var clips: [Clip] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw CLIError("\(path): no such file or directory; expected an audio file or a directory of them")
            }
            guard isDirectory.boolValue else {
                clips.append(Clip(path: path, label: label(ofFolder: URL(fileURLWithPath: path).deletingLastPathComponent().lastPathComponent, labels: labels, labelledTree: false)))
                continue
            }
            let files = try audioFiles(under: path)
            let folders = Set(files.map { URL(fileURLWithPath: $0).deletingLastPathComponent().lastPathComponent })
            let labelledTree = folders.contains { classIndex($0, labels: labels) != nil }
            for file in files {
                let folder = URL(fileURLWithPath: file).deletingLastPathComponent().lastPathComponent
                if folder == "_background_noise_" { continue }
                clips.append(Clip(path: file, label: label(ofFolder: folder, labels: labels, labelledTree: labelledTree)))
            }
        }
        return clips
    }

    static func audioFiles(under directory: String) throws -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: directory) else {
            throw CLIError("\(directory): unreadable directory")
        }
        var out: [String] = []
        while let relative = walker.nextObject() as? String {
            if AudioFile.isAudioFileName(relative) {
                out.append(URL(fileURLWithPath: directory).appendingPathComponent(relative).path)
            }
        }
        return out.sorted()
    }

    static func classIndex(_ folder: String, labels: [String]) -> Int? {
        let name = folder.trimmingCharacters(in: CharacterSet(charactersIn: "_"))
        return labels.firstIndex(of: name)
    }

    static func label(ofFolder folder: String, labels: [String], labelledTree: Bool) -> Int? {
        if let index = classIndex(folder, labels: labels) { return index }
        return labelledTree ? labels.firstIndex(of: "unknown") : nil
    }

    // MARK: - Output

    static func top3(_ p: [Float], _ labels: [String]) -> [Ranked] {
        p.indices.sorted { p[$0] > p[$1] }.prefix(3).map { Ranked(label: labels[$0], probability: p[$0]) }
    }

    static func line(_ r: Result) -> String {
        func ranks(_ list: [Ranked]) -> String {
            list.map { "\($0.label) \(String(format: "%.2f", $0.probability))" }.joined(separator: ", ")
        }
        var text = "\(r.path)  float: \(ranks(r.float))  board: \(ranks(r.board))"
        if let label = r.label {
            text += "  [\(label): float \(r.float.first?.label == label ? "✓" : "✗"), board \(r.board.first?.label == label ? "✓" : "✗")]"
        }
        for note in r.notes { text += "\n    note: \(note)" }
        return text
    }

    static func summarise(_ results: [Result], labels: [String]) -> Summary {
        let labelled = results.filter { $0.label != nil }
        func share(_ list: [Result], _ pick: (Result) -> [Ranked]) -> Double {
            list.isEmpty ? 0 : Double(list.filter { pick($0).first?.label == $0.label }.count) / Double(list.count)
        }
        let rows = labels.compactMap { name -> Summary.Row? in
            let mine = labelled.filter { $0.label == name }
            guard !mine.isEmpty else { return nil }
            return Summary.Row(label: name, clips: mine.count, float: share(mine, \.float), board: share(mine, \.board))
        }
        let agreement = results.isEmpty ? 0 : Double(results.filter { $0.float.first?.label == $0.board.first?.label }.count) / Double(results.count)
        return Summary(clips: results.count, labelled: labelled.count,
                       float: labelled.isEmpty ? nil : share(labelled, \.float),
                       board: labelled.isEmpty ? nil : share(labelled, \.board),
                       agreement: agreement, perClass: rows)
    }

    static func render(_ s: Summary) -> String {
        func percent(_ x: Double) -> String { String(format: "%.1f%%", 100 * x) }
        var lines = ["", "clips \(s.clips), same top class on float and board \(percent(s.agreement))"]
        if let f = s.float, let b = s.board {
            lines.append("labelled \(s.labelled): float \(percent(f)), board \(percent(b))")
            lines.append("class      clips   float    board")
            for row in s.perClass {
                lines.append(row.label.padding(toLength: 10, withPad: " ", startingAt: 0) + " "
                             + "\(row.clips)".padding(toLength: 7, withPad: " ", startingAt: 0) + " "
                             + percent(row.float).padding(toLength: 8, withPad: " ", startingAt: 0) + " " + percent(row.board))
            }
        }
        return lines.joined(separator: "\n")
    }

    static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
