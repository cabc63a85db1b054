/// `count` zeroed values (at least one, so a model without a layer kind
/// still gets a buffer to point at): the runtimes' hot-path buffers,
/// allocated once at warm-up and freed by their owner.
func allocateZeroed<Element: Numeric>(_ count: Int) -> UnsafeMutablePointer<Element> {
    let p = UnsafeMutablePointer<Element>.allocate(capacity: max(1, count))
    p.initialize(repeating: 0, count: max(1, count))
    return p
}
