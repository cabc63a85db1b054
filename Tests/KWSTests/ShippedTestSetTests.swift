import Foundation
import Testing
@testable import KWS

/// The Swift frontend against the Python tool on every clip of the shipped
/// test set (firmware/kws-gru/test), as the keyword-spotting issue requires.
@Suite struct ShippedTestSetTests {
    static let testSet = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("firmware/kws-gru/test")

    @Test func swiftAndPythonMFCCsAgreeWithin1e3OnEveryShippedClip() throws {
        let data = try Data(contentsOf: Self.testSet.appendingPathComponent("mfcc-reference.json"))
        let reference = try #require(try JSONSerialization.jsonObject(with: data) as? [String: [[Double]]])
        #expect(reference.count == 240)
        let frontend = try MFCCFrontend()
        var worst = 0.0, worstClip = ""
        for (path, expected) in reference {
            let clip = try AudioFile.read(path: Self.testSet.appendingPathComponent(path).path).clip
            let features = try frontend.features(of: clip)
            #expect(features.count == expected.count * 10, "\(path)")
            for (t, row) in expected.enumerated() {
                for (i, value) in row.enumerated() {
                    let d = abs(Double(features[t * 10 + i]) - value)
                    if d > worst { worst = d; worstClip = path }
                }
            }
        }
        #expect(worst < 1e-3, "largest difference \(worst) on \(worstClip)")
    }
}
