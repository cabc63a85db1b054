import Foundation
import Testing
@testable import Firmware

@Suite("Detection output lines")
struct DetectionFormatterTests {
    let detection = Detection(keyword: "yes", confidence: 0.93125, streamSeconds: 12.25, boardSeconds: 3600.5, latencySeconds: 0.0018)

    @Test func theTextLineGivesStreamTimeKeywordConfidenceAndLatency() {
        #expect(DetectionFormatter.text(detection) == "      12.25 s  yes     0.93  latency 1.80 ms")
    }

    @Test func theJSONLineParsesBackWithEveryField() throws {
        let line = DetectionFormatter.json(detection)
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["event"] as? String == "detection")
        #expect(object["keyword"] as? String == "yes")
        #expect(abs((object["confidence"] as? Double ?? 0) - 0.9313) < 1e-9)
        #expect(object["stream_s"] as? Double == 12.25)
        #expect(object["board_s"] as? Double == 3600.5)
        #expect(abs((object["latency_ms"] as? Double ?? 0) - 1.8) < 1e-9)
    }

    @Test func keywordsThatNeedEscapingAndNonFiniteNumbersStayValidJSON() throws {
        let odd = Detection(keyword: "say \"hi\"\\\n\u{1}", confidence: .nan, streamSeconds: 1, boardSeconds: .infinity, latencySeconds: 0)
        let line = DetectionFormatter.json(odd)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["keyword"] as? String == odd.keyword)
        #expect(object["confidence"] is NSNull && object["board_s"] is NSNull)
    }
}
