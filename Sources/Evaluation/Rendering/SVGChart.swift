import Foundation

/// Small self-contained SVG charts for the HTML report: no script, no
/// external font or stylesheet, so the file opens anywhere and prints.
enum SVGChart {
    static let width = 640.0
    static let left = 70.0, right = 20.0, top = 36.0
    static let plotHeight = 268.0, plotBottom = top + plotHeight
    /// Tick labels and the axis title sit under the plot, then the legend, one row per series.
    static func height(legendRows: Int) -> Double { plotBottom + 56 + Double(legendRows) * 16 }
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf", "#7f7f7f"]

    struct Series {
        /// How the points are drawn.
        enum Style {
            /// A polyline through the points, with a marker on each.
            case lineAndMarkers
            /// Markers only: a scatter plot.
            case markers
            /// A polyline only: a reference line.
            case line
            /// A staircase: between neighbours, along the lower one's y until
            /// under the higher one, then up to it. Through the points of a
            /// Pareto front that maximises y, it is the edge of what the
            /// front dominates.
            case steps
        }

        var name: String
        var points: [(x: Double, y: Double)]
        var dashed = false
        var style = Style.lineAndMarkers
        /// A tooltip per point, in the order of `points`; without them a
        /// marker's tooltip is the series' name and the point's y.
        var labels: [String]? = nil
        /// Overrides the palette's colour for the series' place.
        var colour: String? = nil
    }

    struct Axis {
        var label: String
        var logarithmic = false
        var ticks: [(value: Double, label: String)]? = nil
        var range: ClosedRange<Double>? = nil
    }

    // MARK: x-y plot

    /// Lines, scatter plots, staircases and reference lines on one pair of
    /// axes, each series in its own style. A point a logarithmic axis cannot
    /// place (not positive) is left out.
    static func plot(title: String, x: Axis, y: Axis, series: [Series]) -> String {
        func drawable(_ p: (x: Double, y: Double)) -> Bool {
            p.x.isFinite && p.y.isFinite && (!x.logarithmic || p.x > 0) && (!y.logarithmic || p.y > 0)
        }
        let shown = series.map { s in s.points.indices.filter { drawable(s.points[$0]) } }
        let xs = zip(series, shown).flatMap { s, kept in kept.map { s.points[$0].x } }
        let ys = zip(series, shown).flatMap { s, kept in kept.map { s.points[$0].y } }
        let xr = x.range ?? span(xs, log: x.logarithmic), yr = y.range ?? span(ys, log: y.logarithmic, pad: true)
        func position(_ p: (x: Double, y: Double)) -> String {
            "\(fmt(px(p.x, xr, x.logarithmic))),\(fmt(py(p.y, yr, y.logarithmic)))"
        }
        var svg = open(title: title, legendRows: series.count)
        svg += frame(x: x, y: y, xRange: xr, yRange: yr)
        for (n, s) in series.enumerated() {
            let colour = s.colour ?? palette[n % palette.count]
            let points = shown[n].map { s.points[$0] }
            let dash = s.dashed ? " stroke-dasharray=\"6 4\"" : ""
            switch s.style {
            case .lineAndMarkers, .line:
                svg += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\"\(dash) points=\"\(points.map(position).joined(separator: " "))\"/>\n"
            case .steps:
                var corners: [(x: Double, y: Double)] = points.prefix(1).map { $0 }
                for (a, b) in zip(points, points.dropFirst()) {
                    corners.append(a.y <= b.y ? (b.x, a.y) : (a.x, b.y))
                    corners.append(b)
                }
                svg += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\"\(dash) points=\"\(corners.map(position).joined(separator: " "))\"/>\n"
                // A ring round each point, so a front of one point shows too.
                for p in points {
                    svg += "<circle cx=\"\(fmt(px(p.x, xr, x.logarithmic)))\" cy=\"\(fmt(py(p.y, yr, y.logarithmic)))\" r=\"7\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.5\"/>\n"
                }
            case .markers:
                break
            }
            guard s.style == .lineAndMarkers || s.style == .markers else { continue }
            let scatter = s.style == .markers
            for k in shown[n] {
                let p = s.points[k]
                let tip = s.labels.flatMap { k < $0.count ? $0[k] : nil } ?? "\(s.name): \(fmt(p.y, 4))"
                svg += "<circle cx=\"\(fmt(px(p.x, xr, x.logarithmic)))\" cy=\"\(fmt(py(p.y, yr, y.logarithmic)))\" r=\"\(scatter ? "4.5" : "3.5")\" fill=\"\(colour)\""
                    + (scatter ? " fill-opacity=\"0.8\" stroke=\"#fff\" stroke-width=\"0.8\"" : "") + "><title>\(escape(tip))</title></circle>\n"
            }
        }
        svg += legend(series.enumerated().map { n, s in
            (s.name, s.colour ?? palette[n % palette.count], s.style == .markers ? .marker : .line(dashed: s.dashed))
        })
        return svg + "</svg>\n"
    }

    // MARK: grouped bars

    /// One group of bars per category, one bar per series.
    static func bars(title: String, categories: [String], y: Axis, series: [(name: String, values: [Double])]) -> String {
        let ys = series.flatMap(\.values).filter { !y.logarithmic || $0 > 0 }
        var yr = y.range ?? span(ys + (y.logarithmic ? [] : [0]), log: y.logarithmic, pad: true)
        if !y.logarithmic { yr = min(0, yr.lowerBound)...yr.upperBound }
        var svg = open(title: title, legendRows: series.count)
        svg += frame(x: Axis(label: ""), y: y, xRange: 0...1, yRange: yr, xTicks: false)
        let plotWidth = width - left - right
        let groupWidth = plotWidth / Double(max(1, categories.count))
        let barWidth = groupWidth * 0.8 / Double(max(1, series.count))
        let base = py(y.logarithmic ? yr.lowerBound : 0, yr, y.logarithmic)
        for (c, category) in categories.enumerated() {
            let x0 = left + Double(c) * groupWidth + groupWidth * 0.1
            for (n, s) in series.enumerated() where c < s.values.count {
                let v = s.values[c]
                guard v.isFinite, !y.logarithmic || v > 0 else { continue }
                let top = py(v, yr, y.logarithmic)
                svg += "<rect x=\"\(fmt(x0 + Double(n) * barWidth))\" y=\"\(fmt(min(top, base)))\" width=\"\(fmt(barWidth * 0.92))\" height=\"\(fmt(abs(base - top)))\" fill=\"\(palette[n % palette.count])\"><title>\(escape(category)) · \(escape(s.name)): \(fmt(v, 4))</title></rect>\n"
            }
            svg += "<text x=\"\(fmt(left + (Double(c) + 0.5) * groupWidth))\" y=\"\(fmt(plotBottom + 16))\" text-anchor=\"middle\" font-size=\"11\">\(escape(category))</text>\n"
        }
        svg += legend(series.enumerated().map { n, s in (s.name, palette[n % palette.count], .swatch) })
        return svg + "</svg>\n"
    }

    // MARK: histogram

    /// One bar per non-empty bin, bins touching, over the samples' range;
    /// the height is the bin's share of its series' samples, so series of
    /// different sizes compare. Several series overlay, half transparent.
    static func histogram(title: String, x: Axis, yLabel: String = "share of samples", series: [(name: String, values: [Double])], bins: Int = 30) -> String {
        let all = series.flatMap(\.values).filter(\.isFinite)
        guard let lo = all.min(), let hi = all.max(), bins > 0 else { return empty(title: title, note: "no samples") }
        // A single value gets a narrow bin in the middle of a range around it.
        let binWidth = hi > lo ? (hi - lo) / Double(bins) : max(abs(hi) * 1e-3, 1e-12)
        let start = hi > lo ? lo : lo - binWidth * Double(bins) / 2
        func edge(_ k: Int) -> Double { k == bins && hi > lo ? hi : start + Double(k) * binWidth }
        let counted: [(name: String, counts: [Int], total: Int)] = series.map { s in
            var counts = [Int](repeating: 0, count: bins)
            let finite = s.values.filter(\.isFinite)
            for v in finite { counts[min(bins - 1, max(0, Int((v - start) / binWidth)))] += 1 }
            return (s.name, counts, finite.count)
        }
        let highest = counted.flatMap { s in s.counts.map { Double($0) / Double(max(1, s.total)) } }.max() ?? 1
        let xr = edge(0)...edge(bins), yr = 0...(highest * 1.08)
        var svg = open(title: title, legendRows: series.count)
        svg += frame(x: x, y: Axis(label: yLabel), xRange: xr, yRange: yr)
        let opacity = series.count > 1 ? "0.5" : "0.85"
        let base = py(0, yr, false)
        for (n, s) in counted.enumerated() {
            for (k, count) in s.counts.enumerated() where count > 0 {
                // Edges rounded before the width is taken, so neighbouring bars share theirs exactly.
                let x0 = (100 * px(edge(k), xr, false)).rounded() / 100, x1 = (100 * px(edge(k + 1), xr, false)).rounded() / 100
                let top = py(Double(count) / Double(s.total), yr, false)
                let range = "\(label(edge(k), resolution: binWidth)) to \(label(edge(k + 1), resolution: binWidth))"
                svg += "<rect class=\"bin\" x=\"\(fmt(x0, 2))\" y=\"\(fmt(top, 2))\" width=\"\(fmt(x1 - x0, 2))\" height=\"\(fmt(base - top, 2))\" fill=\"\(palette[n % palette.count])\" fill-opacity=\"\(opacity)\">"
                    + "<title>\(escape(s.name)): \(escape(range)): \(count) of \(s.total)</title></rect>\n"
            }
        }
        svg += legend(counted.enumerated().map { n, s in ("\(s.name) (\(s.total))", palette[n % palette.count], .swatch) })
        return svg + "</svg>\n"
    }

    // MARK: heat map

    /// grid[row][column], drawn with row 0 at the top.
    static func heatmap(title: String, grid: [[Double]], rowLabel: String, columnLabel: String, valueLabel: String) -> String {
        let values = grid.flatMap { $0 }.filter(\.isFinite)
        guard let hi = values.max(), !grid.isEmpty, let columns = grid.first?.count, columns > 0 else {
            return empty(title: title, note: "no data")
        }
        let lo = values.min() ?? 0
        var svg = open(title: title, legendRows: 0)
        let plotWidth = width - left - right - 70, plotHeight = plotHeight
        let cw = plotWidth / Double(columns), ch = plotHeight / Double(grid.count)
        for (r, row) in grid.enumerated() {
            for (c, v) in row.enumerated() {
                let t = hi > lo ? (v - lo) / (hi - lo) : 0.5
                svg += "<rect x=\"\(fmt(left + Double(c) * cw))\" y=\"\(fmt(top + Double(r) * ch))\" width=\"\(fmt(cw))\" height=\"\(fmt(ch))\" fill=\"\(heat(t))\"><title>rows block \(r), columns block \(c): \(fmt(100 * v, 3))%</title></rect>\n"
                if columns <= 16 {
                    svg += "<text x=\"\(fmt(left + (Double(c) + 0.5) * cw))\" y=\"\(fmt(top + (Double(r) + 0.5) * ch + 4))\" text-anchor=\"middle\" font-size=\"10\" fill=\"\(t > 0.6 ? "#fff" : "#000")\">\(fmt(100 * v, 1))</text>\n"
                }
            }
        }
        svg += "<text x=\"\(fmt(left + plotWidth / 2))\" y=\"\(fmt(plotBottom + 30))\" text-anchor=\"middle\" font-size=\"12\">\(escape(columnLabel))</text>\n"
        svg += "<text x=\"18\" y=\"\(fmt(top + plotHeight / 2))\" text-anchor=\"middle\" font-size=\"12\" transform=\"rotate(-90 18 \(fmt(top + plotHeight / 2)))\">\(escape(rowLabel))</text>\n"
        // Colour scale.
        let sx = left + plotWidth + 20
        for k in 0..<20 {
            svg += "<rect x=\"\(fmt(sx))\" y=\"\(fmt(top + plotHeight * Double(19 - k) / 20))\" width=\"14\" height=\"\(fmt(plotHeight / 20 + 0.5))\" fill=\"\(heat(Double(k) / 19))\"/>\n"
        }
        svg += "<text x=\"\(fmt(sx + 18))\" y=\"\(fmt(top + 10))\" font-size=\"10\">\(fmt(100 * hi, 2))%</text>\n"
        svg += "<text x=\"\(fmt(sx + 18))\" y=\"\(fmt(top + plotHeight))\" font-size=\"10\">\(fmt(100 * lo, 2))%</text>\n"
        svg += "<text x=\"\(fmt(sx))\" y=\"\(fmt(top - 6))\" font-size=\"10\">\(escape(valueLabel))</text>\n"
        return svg + "</svg>\n"
    }

    // MARK: pieces

    static func empty(title: String, note: String) -> String {
        open(title: title, legendRows: 0) + "<text x=\"\(fmt(width / 2))\" y=\"\(fmt(top + plotHeight / 2))\" text-anchor=\"middle\" font-size=\"13\">\(escape(note))</text>\n</svg>\n"
    }

    private static func open(title: String, legendRows: Int) -> String {
        let height = height(legendRows: legendRows)
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(fmt(width)) \(fmt(height))\" width=\"\(fmt(width))\" height=\"\(fmt(height))\" font-family=\"sans-serif\" role=\"img\" aria-label=\"\(escape(title))\">\n"
            + "<text x=\"\(fmt(width / 2))\" y=\"20\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">\(escape(title))</text>\n"
    }

    private static func frame(x: Axis, y: Axis, xRange: ClosedRange<Double>, yRange: ClosedRange<Double>, xTicks: Bool = true) -> String {
        var svg = "<rect x=\"\(fmt(left))\" y=\"\(fmt(top))\" width=\"\(fmt(width - left - right))\" height=\"\(fmt(plotHeight))\" fill=\"none\" stroke=\"#888\"/>\n"
        for (v, label) in y.ticks ?? ticks(yRange, log: y.logarithmic) {
            let yy = py(v, yRange, y.logarithmic)
            svg += "<line x1=\"\(fmt(left))\" x2=\"\(fmt(width - right))\" y1=\"\(fmt(yy))\" y2=\"\(fmt(yy))\" stroke=\"#ddd\"/>\n"
            svg += "<text x=\"\(fmt(left - 6))\" y=\"\(fmt(yy + 4))\" text-anchor=\"end\" font-size=\"11\">\(escape(label))</text>\n"
        }
        if xTicks {
            for (v, label) in x.ticks ?? ticks(xRange, log: x.logarithmic) {
                let xx = px(v, xRange, x.logarithmic)
                svg += "<line x1=\"\(fmt(xx))\" x2=\"\(fmt(xx))\" y1=\"\(fmt(plotBottom))\" y2=\"\(fmt(plotBottom + 5))\" stroke=\"#888\"/>\n"
                svg += "<text x=\"\(fmt(xx))\" y=\"\(fmt(plotBottom + 18))\" text-anchor=\"middle\" font-size=\"11\">\(escape(label))</text>\n"
            }
        }
        svg += "<text x=\"\(fmt(left + (width - left - right) / 2))\" y=\"\(fmt(plotBottom + 38))\" text-anchor=\"middle\" font-size=\"12\">\(escape(x.label))</text>\n"
        let mid = top + (plotHeight) / 2
        svg += "<text x=\"16\" y=\"\(fmt(mid))\" text-anchor=\"middle\" font-size=\"12\" transform=\"rotate(-90 16 \(fmt(mid)))\">\(escape(y.label))</text>\n"
        return svg
    }

    private enum LegendSymbol {
        case line(dashed: Bool), marker, swatch
    }

    private static func legend(_ entries: [(name: String, colour: String, symbol: LegendSymbol)]) -> String {
        var svg = ""
        for (n, entry) in entries.enumerated() {
            let y = plotBottom + 60 + Double(n) * 16
            switch entry.symbol {
            case .line(let dashed):
                svg += "<line x1=\"\(fmt(left + 10))\" x2=\"\(fmt(left + 34))\" y1=\"\(fmt(y - 4))\" y2=\"\(fmt(y - 4))\" stroke=\"\(entry.colour)\" stroke-width=\"3\"\(dashed ? " stroke-dasharray=\"6 4\"" : "")/>\n"
            case .marker:
                svg += "<circle cx=\"\(fmt(left + 22))\" cy=\"\(fmt(y - 4))\" r=\"4.5\" fill=\"\(entry.colour)\"/>\n"
            case .swatch:
                svg += "<rect x=\"\(fmt(left + 16))\" y=\"\(fmt(y - 10))\" width=\"12\" height=\"12\" fill=\"\(entry.colour)\"/>\n"
            }
            svg += "<text x=\"\(fmt(left + 40))\" y=\"\(fmt(y))\" font-size=\"11\">\(escape(entry.name))</text>\n"
        }
        return svg
    }

    /// The range an axis shows. Linear: the values' (with a margin when
    /// `pad`). Logarithmic: out to whole decades when the values span two or
    /// more, to 1, 2 or 5 times a power of ten when they span one, and with a
    /// margin when they span less (a sweep whose energies differ by percents
    /// would otherwise sit on one line of a decade-wide axis).
    static func span(_ values: [Double], log: Bool, pad: Bool = false) -> ClosedRange<Double> {
        let v = values.filter { $0.isFinite && (!log || $0 > 0) }
        guard var lo = v.min(), var hi = v.max() else { return log ? 1...10 : 0...1 }
        if log {
            if hi / lo >= 100 { return pow(10, floor(log10(lo)))...pow(10, ceil(log10(hi))) }
            if hi / lo >= 10 {
                let down = [5.0, 2, 1].map { $0 * pow(10, floor(log10(lo))) }.first { $0 <= lo * (1 + 1e-12) } ?? lo
                let up = [1.0, 2, 5, 10].map { $0 * pow(10, floor(log10(hi))) }.first { $0 >= hi * (1 - 1e-12) } ?? hi
                return down...up
            }
            let a = log10(lo), b = log10(hi), margin = max(0.08 * (b - a), 0.02)
            return pow(10, a - margin)...pow(10, b + margin)
        }
        if hi <= lo { lo -= 0.5 * max(abs(lo), 1e-12); hi += 0.5 * max(abs(hi), 1e-12) }
        if pad { let m = 0.08 * (hi - lo); lo -= m; hi += m }
        return lo...hi
    }

    /// Log axes: every decade, and 2 and 5 within them when the axis spans
    /// no more than two; less than a decade is labelled as a linear axis is.
    /// Linear axes: a step of 1, 2, 2.5 or 5 times a power of ten giving about
    /// five ticks, each labelled with the step's precision, so neighbouring
    /// labels always differ.
    static func ticks(_ range: ClosedRange<Double>, log: Bool) -> [(value: Double, label: String)] {
        if log && range.upperBound < 10 * range.lowerBound * (1 - 1e-9) {
            return ticks(range, log: false)
        }
        if log {
            guard range.lowerBound > 0, range.upperBound.isFinite else { return [] }
            let first = Int(floor(log10(range.lowerBound))), last = Int(ceil(log10(range.upperBound)))
            guard last >= first, last - first <= 400 else { return [] }
            let mantissas: [Double] = last - first <= 2 ? [1, 2, 5] : [1]
            var out: [(Double, String)] = []
            for e in first...last {
                for m in mantissas {
                    let v = m * pow(10, Double(e))
                    if v >= range.lowerBound * 0.9999 && v <= range.upperBound * 1.0001 { out.append((v, String(format: "%g", v))) }
                }
            }
            return out
        }
        let raw = (range.upperBound - range.lowerBound) / 5
        guard raw > 0, raw.isFinite else { return [(range.lowerBound, label(range.lowerBound, resolution: max(abs(range.lowerBound), 1) * 1e-3))] }
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw * (1 - 1e-9) } ?? raw
        // Whole multiples of the step, so no error accumulates along the axis.
        let first = Int(ceil(range.lowerBound / step - 1e-9)), last = Int(floor(range.upperBound / step + 1e-9))
        let largest = max(abs(range.lowerBound), abs(range.upperBound))
        return (first...max(first, last)).map { k in
            let v = Double(k) * step
            return (v, label(v, step: step, largest: largest))
        }
    }

    /// `v` with as many decimals as a multiple of `step` needs; in
    /// scientific notation when that would be long (≥ 10⁶ or more than 5 decimals).
    static func label(_ v: Double, step: Double, largest: Double) -> String {
        // The fewest decimals (negative: tens, hundreds) that make the step whole.
        var decimals = -20
        while decimals < 20 {
            let scaled = step * pow(10, Double(decimals))
            if abs(scaled - scaled.rounded()) <= 1e-6 * scaled { break }
            decimals += 1
        }
        if largest >= 1e6 || decimals > 5 {
            let exponent = largest > 0 ? Int(floor(log10(largest))) : 0
            return String(format: "%.\(max(0, decimals + exponent))e", v == 0 ? 0 : v)
        }
        let text = String(format: "%.\(max(0, decimals))f", v)
        // -0.0 is 0.
        return Double(text) == 0 ? String(format: "%.\(max(0, decimals))f", 0.0) : text
    }

    /// `v` to one digit below `resolution`'s leading one: a bin's edges.
    static func label(_ v: Double, resolution: Double) -> String {
        guard resolution > 0, resolution.isFinite else { return String(format: "%g", v) }
        let step = pow(10, floor(log10(resolution)) - 1)
        return label(v, step: step, largest: abs(v))
    }

    private static func px(_ x: Double, _ r: ClosedRange<Double>, _ log: Bool) -> Double {
        left + (width - left - right) * fraction(x, r, log)
    }

    private static func py(_ y: Double, _ r: ClosedRange<Double>, _ log: Bool) -> Double {
        plotBottom - (plotHeight) * fraction(y, r, log)
    }

    private static func fraction(_ v: Double, _ r: ClosedRange<Double>, _ log: Bool) -> Double {
        if log {
            let a = log10(r.lowerBound), b = log10(r.upperBound)
            return b > a ? (log10(max(v, r.lowerBound)) - a) / (b - a) : 0.5
        }
        return r.upperBound > r.lowerBound ? (v - r.lowerBound) / (r.upperBound - r.lowerBound) : 0.5
    }

    /// White → orange → dark red.
    private static func heat(_ t: Double) -> String {
        let t = min(1, max(0, t))
        let r = 255 - Int(105 * max(0, t - 0.5) * 2)
        let g = Int(245 - 215 * t)
        let b = Int(235 - 215 * min(1, t * 1.5))
        return String(format: "#%02x%02x%02x", r, max(0, g), max(0, b))
    }

    static func fmt(_ v: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", v) }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
