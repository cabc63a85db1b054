import CIMHAL
import CIMSimulator

/// The `backend = "simulated"` board file: every physics parameter of
/// CIMSimulator, with its unit in the key. See docs/board-files.md for the format.
enum SimulatedBoardFile {
    /// Reads every table `SimulatorConfiguration.sections` declares, in
    /// order, then the thermal profile, then each table's check of key
    /// combinations.
    static func configuration(from r: inout BoardFileReader) throws(BoardFileError) -> SimulatorConfiguration {
        var c = SimulatorConfiguration.ideal()
        for section in SimulatorConfiguration.sections {
            try read(section, into: &c, from: &r)
        }
        c.thermal = try thermalProfile(from: &r)
        for section in SimulatorConfiguration.sections {
            if let v = section.check(c) {
                throw r.error(.inconsistent, key: v.key, related: v.related, value: v.value, expected: v.expected)
            }
        }
        return c
    }

    /// One table: its switch first, then each key, required or left to its
    /// default as the declaration says.
    private static func read(_ section: SimulatorSection, into c: inout SimulatorConfiguration,
                             from r: inout BoardFileReader) throws(BoardFileError) {
        var enabled = true
        if let toggle = section.effectSwitch {
            try read(toggle, key: "\(section.table).\(toggle.name)", into: &c, from: &r)
            if case let .flag(on) = toggle.value(in: c) { enabled = on }
        }
        for parameter in section.parameters where parameter.name != section.effectSwitch?.name {
            let key = "\(section.table).\(parameter.name)"
            switch parameter.requirement {
            case .always:
                try read(parameter, key: key, into: &c, from: &r)
            case let .whenEnabled(neutral) where !enabled && !r.has(key), let .optional(neutral) where !r.has(key):
                parameter.set(neutral, on: &c)
            case .whenEnabled, .optional:
                try read(parameter, key: key, into: &c, from: &r)
            }
        }
    }

    private static func read(_ parameter: SimulatorParameter<SimulatorConfiguration>, key: String,
                             into c: inout SimulatorConfiguration, from r: inout BoardFileReader) throws(BoardFileError) {
        if case let .optional(value) = parameter.requirement, !r.has(key) {
            parameter.set(value, on: &c)
            return
        }
        let value: SimulatorParameter<SimulatorConfiguration>.Value = switch parameter.kind {
        case .flag: .flag(try r.bool(key))
        case let .integer(range): .integer(try r.int(key, in: range))
        case let .real(range, _): .real(try r.double(key, in: range))
        case let .choice(options) where options.isEmpty: .choice(try r.string(key))
        case let .choice(options): .choice(try r.string(key, oneOf: options))
        }
        parameter.set(value, on: &c)
    }

    static let thermalKeys = ["thermal.celsius", "thermal.step_seconds", "thermal.step_celsius",
                              "thermal.ramp_start_celsius", "thermal.ramp_end_celsius",
                              "thermal.ramp_start_seconds", "thermal.ramp_duration_seconds"]

    private static func thermalProfile(from r: inout BoardFileReader) throws(BoardFileError) -> ThermalProfile {
        let kind = try r.string("thermal.profile", oneOf: ["fixed", "steps", "ramp"])
        // A board may switch profile from the one it inherits; the other
        // profile's keys are then the preset's leftovers, not the user's typos.
        r.allowInherited(thermalKeys)
        let celsius: ClosedRange<Double> = -55...150
        switch kind {
        case "steps":
            let seconds = try r.doubles("thermal.step_seconds", in: 0...1e12)
            let temps = try r.doubles("thermal.step_celsius", in: celsius)
            guard !seconds.isEmpty, seconds.count == temps.count else {
                throw r.error(.inconsistent, key: "thermal.step_celsius", related: ["thermal.step_seconds"], value: "\(temps.count) values",
                              expected: "as many values as thermal.step_seconds (\(seconds.count)), at least one")
            }
            guard zip(seconds, seconds.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw r.error(.inconsistent, key: "thermal.step_seconds", value: "\(seconds)", expected: "strictly increasing times")
            }
            return .steps(zip(seconds, temps).map { ThermalProfile.Step(atSeconds: $0, celsius: $1) })
        case "ramp":
            return .ramp(startCelsius: try r.double("thermal.ramp_start_celsius", in: celsius),
                         endCelsius: try r.double("thermal.ramp_end_celsius", in: celsius),
                         startSeconds: try r.double("thermal.ramp_start_seconds", in: 0...1e12),
                         durationSeconds: try r.double("thermal.ramp_duration_seconds", in: 0...1e12))
        default:
            return .fixed(celsius: try r.double("thermal.celsius", in: celsius))
        }
    }
}
