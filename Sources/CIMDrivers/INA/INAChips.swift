/// The INA chips cimfw drives: the registry the board-file reader, the bus
/// probe and the board builder look chips up in (a board file names one by
/// `boardFileName`). A new chip is one file in `Chips/` and one line here.
public enum INAChips {
    public static let all: [any INAChipDescription.Type] = [
        INA219Chip.self,
        INA226Chip.self,
        INA260Chip.self,
        INA3221Chip.self,
        INA228Chip.self,
    ]

    /// The chip a board file's `chip = "…"` names.
    public static func named(_ boardFileName: String) -> (any INAChipDescription.Type)? {
        all.first { $0.boardFileName == boardFileName }
    }
}
