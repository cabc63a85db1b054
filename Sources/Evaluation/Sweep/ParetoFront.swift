/// The points no other point beats on both of two objectives: what a sweep's
/// trade-off charts draw as their front.
public enum ParetoFront {
    /// Which end of an objective is better.
    public enum Preference: Sendable {
        case lower, higher
    }

    /// The indices of the points on the front, in increasing x.
    ///
    /// A point is on the front when no other point is at least as good on
    /// both objectives and better on one. Of points with the same x and y,
    /// only the first (lowest index) is on it, so the front names each
    /// trade-off once and the answer does not depend on anything but the
    /// order of `points`. Points with a non-finite coordinate are left out.
    public static func indices(of points: [(x: Double, y: Double)], x: Preference, y: Preference) -> [Int] {
        func better(_ a: Double, than b: Double, _ preference: Preference) -> Bool { preference == .lower ? a < b : a > b }
        // Best x first; among equal x, best y first; then by index.
        let order = points.indices.filter { points[$0].x.isFinite && points[$0].y.isFinite }.sorted { i, j in
            let p = points[i], q = points[j]
            if p.x != q.x { return better(p.x, than: q.x, x) }
            if p.y != q.y { return better(p.y, than: q.y, y) }
            return i < j
        }
        // Walking from the best x, a point is on the front when its y beats
        // every y seen so far: each one before it has an x at least as good.
        var front: [Int] = []
        var bestY: Double?
        for i in order where bestY.map({ better(points[i].y, than: $0, y) }) ?? true {
            front.append(i)
            bestY = points[i].y
        }
        return x == .lower ? front : front.reversed()
    }
}
