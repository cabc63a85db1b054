import CIMHAL
@testable import CIMSimulator
import Testing

@Suite("Board-file parameters declared by the effects")
struct SimulatorParameterTests {
    @Test("keys are unique and every default has its key's type")
    func declarationsAreWellFormed() {
        let keys = SimulatorConfiguration.boardFileKeys
        #expect(Set(keys).count == keys.count, "duplicate keys in \(keys)")
        var c = SimulatorConfiguration.ideal()
        for section in SimulatorConfiguration.sections {
            for parameter in section.parameters {
                guard let value = parameter.defaultValue else { continue }
                #expect(parameter.set(value, on: &c), "\(section.table).\(parameter.name): default \(value) is not of its type")
            }
        }
    }

    @Test("an effect's table left to its defaults is the effect switched off")
    func defaultsAreNeutral() {
        var c = SimulatorConfiguration.ideal()
        c.drift = ConductanceDrift(enabled: true, exponentMean: 0.3, exponentStd: 0.1, referenceSeconds: 5)
        c.temperature = TemperatureDependence(enabled: true, coefficientMeanPerKelvin: 0.01, coefficientStdPerKelvin: 0.01, referenceCelsius: 40)
        c.readNoise = ReadNoise(enabled: true, sigmaRelative: 0.5)
        c.irDrop = IRDrop(enabled: true, wireOhmsPerSegment: 1)
        c.stuckAt = StuckAtFaults(enabled: true, stuckOnRate: 0.1, stuckOffRate: 0.1)
        c.adcMismatch = ADCColumnMismatch(enabled: true, gainStdRelative: 0.1, offsetStdLSB: 1)
        c.programming = ProgrammingVariability(enabled: true, variabilityRelative: 0.2, distribution: .gaussian, pulseGranularityRelative: 0.1)
        for section in SimulatorConfiguration.sections {
            for parameter in section.parameters {
                if let value = parameter.defaultValue { parameter.set(value, on: &c) }
            }
        }
        #expect(c.drift == .off)
        #expect(c.temperature == .off)
        #expect(c.readNoise == .off)
        #expect(c.irDrop == .off)
        #expect(c.stuckAt == .off)
        #expect(c.adcMismatch == .off)
        #expect(c.programming == .off)
    }

    @Test("a value is converted from the file's unit to the model's")
    func unitConversion() throws {
        let pulse = try #require(ProgrammingCost.parameters.first { $0.name == "pulse_nanoseconds" })
        var cost = SimulatorConfiguration.ideal().programmingCost
        #expect(pulse.set(.real(250), on: &cost))
        #expect(cost.pulseSeconds == 250 * 1e-9)
        #expect(!pulse.set(.integer(250), on: &cost), "an integer is not this key's type")
    }

    @Test("the board file's ADC resolutions are ones the model computes")
    func adcRanges() {
        #expect(ADCQuantizer.modelledBits.contains(ADCQuantizer.boardFileBits.lowerBound))
        #expect(ADCQuantizer.modelledBits.contains(ADCQuantizer.boardFileBits.upperBound))
        var c = SimulatorConfiguration.ideal()
        c.adc.bits = ADCQuantizer.modelledBits.upperBound + 1
        #expect(throws: HALError.self) { try SimulatedAccelerator(configuration: c) }
    }

    @Test("ranges print as the documentation writes them")
    func documentedRanges() {
        #expect(SimulatorParameter<Int>.documented(-55.0) == "−55")
        #expect(SimulatorParameter<Int>.documented(1e-6) == "1e-6")
        #expect(SimulatorParameter<Int>.documented(1e6) == "1e6")
        #expect(SimulatorParameter<Int>.documented(1000.0) == "1000")
        #expect(SimulatorParameter<Int>.documented(0.2) == "0.2")
        #expect(SimulatorParameter<Int>.documented(Int.max) == "2⁶³−1")
    }

    @Test("the conductance stages fold drift and heat before IR drop")
    func foldOrder() {
        let stages = SimulatorConfiguration.ideal().conductanceStages
        #expect(stages.count == 3)
        #expect(stages[0] is ConductanceDrift && stages[1] is TemperatureDependence && stages[2] is IRDrop)
    }
}
