import CIMHAL

// Each INA power reading averages AVG conversions of its enabled
// measurements (the configuration's conversion period) and counts in the
// power LSB its calibration gives.

extension INA226: BlockAveragingPowerMonitor {
    public var conversionWindowSeconds: Double { configuration.conversionPeriodSeconds }
    public var powerResolutionWatts: Double { calibration.powerLSBWatts }
}

extension INA219: BlockAveragingPowerMonitor {
    public var conversionWindowSeconds: Double { configuration.conversionPeriodSeconds }
    public var powerResolutionWatts: Double { calibration.powerLSBWatts }
}

extension INA260: BlockAveragingPowerMonitor {
    public var conversionWindowSeconds: Double { configuration.conversionPeriodSeconds }
    public var powerResolutionWatts: Double { INA260Register.powerLSBWatts }
}
