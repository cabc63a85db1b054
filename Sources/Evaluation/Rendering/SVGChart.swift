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
        var name: String
        var points: [(x: Double, y: Double)]
        var dashed = false
    }

    struct Axis {
        var label: String
        var logarithmic = false
        var ticks: [(value: Double, label: String)]? = nil
        var range: ClosedRange<Double>? = nil
    }

    // MARK: line chart

    static func line(title: String, x: Axis, y: Axis, series: [Series]) -> String {
        let xs = series.flatMap { $0.points.map(\.x) }, ys = series.flatMap { $0.points.map(\.y) }
        let xr = x.range ?? span(xs, log: x.logarithmic), yr = y.range ?? span(ys, log: y.logarithmic, pad: true)
        var svg = open(title: title, legendRows: series.count)
        svg += frame(x: x, y: y, xRange: xr, yRange: yr)
        for (n, s) in series.enumerated() {
            let colour = palette[n % palette.count]
            let path = s.points.map { "\(fmt(px($0.x, xr, x.logarithmic))),\(fmt(py($0.y, yr, y.logarithmic)))" }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\"\(s.dashed ? " stroke-dasharray=\"6 4\"" : "") points=\"\(path)\"/>\n"
            for p in s.points {
                svg += "<circle cx=\"\(fmt(px(p.x, xr, x.logarithmic)))\" cy=\"\(fmt(py(p.y, yr, y.logarithmic)))\" r=\"3.5\" fill=\"\(colour)\"><title>\(escape(s.name)): \(fmt(p.y, 4))</title></circle>\n"
            }
        }
        svg += legend(series.map(\.name), dashed: series.map(\.dashed))
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
        svg += legend(series.map(\.name), dashed: series.map { _ in false })
        return svg + "</svg>\n"
    }

    // MARK: histogram

    static func histogram(title: String, x: Axis, series: [(name: String, values: [Double])], bins: Int = 30) -> String {
        let all = series.flatMap(\.values).filter(\.isFinite)
        guard let lo = all.min(), let hi = all.max() else { return empty(title: title, note: "no samples") }
        let width = hi > lo ? (hi - lo) / Double(bins) : max(abs(hi) * 1e-3, 1e-12)
        let start = hi > lo ? lo : lo - width * Double(bins) / 2
        var lines: [Series] = []
        for s in series {
            var counts = [Double](repeating: 0, count: bins)
            for v in s.values where v.isFinite { counts[min(bins - 1, max(0, Int((v - start) / width)))] += 1 }
            let total = max(1, Double(s.values.count))
            var points: [(x: Double, y: Double)] = []
            for (k, count) in counts.enumerated() {
                points.append((start + Double(k) * width, count / total))
                points.append((start + Double(k + 1) * width, count / total))
            }
            lines.append(Series(name: "\(s.name) (\(s.values.count))", points: points))
        }
        return line(title: title, x: x, y: Axis(label: "share of inferences"), series: lines)
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

    private static func legend(_ names: [String], dashed: [Bool]) -> String {
        var svg = ""
        for (n, name) in names.enumerated() {
            let y = plotBottom + 60 + Double(n) * 16
            let colour = palette[n % palette.count]
            svg += "<line x1=\"\(fmt(left + 10))\" x2=\"\(fmt(left + 34))\" y1=\"\(fmt(y - 4))\" y2=\"\(fmt(y - 4))\" stroke=\"\(colour)\" stroke-width=\"3\"\(dashed[n] ? " stroke-dasharray=\"6 4\"" : "")/>\n"
            svg += "<text x=\"\(fmt(left + 40))\" y=\"\(fmt(y))\" font-size=\"11\">\(escape(name))</text>\n"
        }
        return svg
    }

    static func span(_ values: [Double], log: Bool, pad: Bool = false) -> ClosedRange<Double> {
        let v = values.filter { $0.isFinite && (!log || $0 > 0) }
        guard var lo = v.min(), var hi = v.max() else { return log ? 1...10 : 0...1 }
        if log {
            lo = pow(10, floor(log10(lo)))
            hi = pow(10, ceil(log10(hi)))
            if hi <= lo { hi = lo * 10 }
            return lo...hi
        }
        if hi <= lo { lo -= 0.5 * max(abs(lo), 1e-12); hi += 0.5 * max(abs(hi), 1e-12) }
        if pad { let m = 0.08 * (hi - lo); lo -= m; hi += m }
        return lo...hi
    }

    static func ticks(_ range: ClosedRange<Double>, log: Bool) -> [(value: Double, label: String)] {
        if log {
            var out: [(Double, String)] = []
            var e = floor(log10(range.lowerBound))
            while pow(10, e) <= range.upperBound * 1.0001 {
                out.append((pow(10, e), short(pow(10, e))))
                e += 1
            }
            return out
        }
        let raw = (range.upperBound - range.lowerBound) / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var out: [(Double, String)] = []
        var v = ceil(range.lowerBound / step) * step
        while v <= range.upperBound + step * 1e-9 {
            out.append((v, short(v)))
            v += step
        }
        return out
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

    static func short(_ v: Double) -> String {
        if v == 0 { return "0" }
        let a = abs(v)
        if a >= 1e4 || a < 1e-3 { return String(format: "%.0e", v) }
        if a >= 100 { return String(format: "%.0f", v) }
        if a >= 1 { return String(format: "%.3g", v) }
        return String(format: "%.3g", v)
    }

    static func fmt(_ v: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", v) }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
