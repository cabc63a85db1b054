/// Placeholder so the target builds; replaced as the firmware layer lands.
enum FirmwareLayer {}
